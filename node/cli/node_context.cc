#include "node/cli/node_context.h"

#include "node/cli/keys.h"
#include "node/core/coding.h"

#include <chrono>
#include <filesystem>

namespace passerelle::cli {

Status SetUpSigning(const NodeConfig& config, const service::Members& members,
                    service::RecordService* svc) {
  if (config.signing_key.empty()) return Status::Ok();
  auto key = LoadSigningKey(config.signing_key);
  if (!key.ok()) return key.status();
  const service::Member* me = members.Find(config.member_id);
  if (me != nullptr && me->public_key != core::ToHex(key->public_key))
    return Status::Invalid("signing_key", config.signing_key + " is not the key the members file lists for " +
                                              config.member_id + " (public_key " + core::ToHex(key->public_key) + ")");
  svc->SetSigningKey(std::move(key).value());
  return Status::Ok();
}

service::ImportOptions ImportOptionsOf(const NodeConfig& config) {
  service::ImportOptions options;
  options.claim_unowned = config.claim_unowned;
  return options;
}

uint64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<storage::KvStore>> OpenNodeStore(const NodeConfig& config, StoreMode mode) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(config.data_dir) / "CURRENT", ec)) {
    if (mode == StoreMode::kMustExist)
      return Status(Code::kNotFound,
                    "no passerelle data in " + config.data_dir +
                        " (check data_dir; `passerelle node`, `import` or `users add` creates it)",
                    "data_dir");
    bool existed = fs::exists(config.data_dir, ec);
    fs::create_directories(config.data_dir, ec);
    if (ec) return Status::Invalid("data_dir", "cannot create " + config.data_dir + ": " + ec.message());
    if (!existed) fs::permissions(config.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  return storage::OpenRocksStore(config.data_dir, config.sync_writes);
}

Result<std::unique_ptr<NodeContext>> OpenNode(const NodeConfig& config, StoreMode mode) {
  auto ctx = std::make_unique<NodeContext>();
  ctx->config = config;
  auto members = service::Members::Load(config.members_file);
  if (!members.ok()) return members.status();
  ctx->members = std::move(members).value();
  auto store = OpenNodeStore(config, mode);
  if (!store.ok()) return store.status();
  ctx->store = std::move(store).value();
  ctx->service = std::make_unique<service::RecordService>(ctx->store.get(), &ctx->members,
                                                          config.member_id, WallClockMs);
  PASSERELLE_RETURN_IF_ERROR(ctx->service->Open());
  return ctx;
}

}  // namespace passerelle::cli
