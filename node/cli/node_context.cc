#include "node/cli/node_context.h"

#include <chrono>
#include <filesystem>

namespace passerelle::cli {

uint64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<NodeContext>> OpenNode(const NodeConfig& config) {
  auto ctx = std::make_unique<NodeContext>();
  ctx->config = config;
  auto members = service::Members::Load(config.members_file);
  if (!members.ok()) return members.status();
  ctx->members = std::move(members).value();
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::Invalid("data_dir", "cannot create " + config.data_dir + ": " + ec.message());
  auto store = storage::OpenRocksStore(config.data_dir, config.sync_writes);
  if (!store.ok()) return store.status();
  ctx->store = std::move(store).value();
  ctx->service = std::make_unique<service::RecordService>(ctx->store.get(), &ctx->members,
                                                          config.member_id, WallClockMs);
  PASSERELLE_RETURN_IF_ERROR(ctx->service->Open());
  return ctx;
}

}  // namespace passerelle::cli
