// `passerelle backup DIR` and `passerelle restore DIR --data-dir D`.
//
// Why the running node takes the backup: it holds the store's lock, and only the process
// that writes can name a point at which the copy is consistent with what it has
// acknowledged (it pauses writes for the moment the checkpoint takes). A read-only or
// secondary open by another process would copy files mid-compaction or lag behind the
// WAL. So the CLI asks the node over gRPC (AdminService.Backup, loopback callers only)
// and the node writes a RocksDB checkpoint plus a manifest with its version vector and
// digest at that point. Restore is a file copy checked against that manifest.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <iostream>

#include "node/cli/commands.h"
#include "node/service/backup.h"
#include "passerelle/v1/admin.grpc.pb.h"

namespace passerelle::cli {

int RunBackup(const NodeConfig& config, const std::string& dir) {
  auto target = GrpcTarget(config);
  if (!target.ok()) return Fail("bad configuration", target.status());
  std::error_code ec;
  std::string absolute = std::filesystem::absolute(dir, ec).lexically_normal().string();
  if (ec) return Fail("bad backup directory", Status::Invalid("dir", ec.message()));

  auto channel = grpc::CreateChannel(*target, grpc::InsecureChannelCredentials());
  auto stub = v1::AdminService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  v1::BackupRequest req;
  req.set_dir(absolute);
  v1::BackupReply reply;
  grpc::Status st = stub->Backup(&ctx, req, &reply);
  if (!st.ok()) {
    const std::string& where = *target;
    if (st.error_code() == grpc::StatusCode::UNAVAILABLE)
      return Fail("backup failed", Status(Code::kUnavailable, "cannot reach the node's gRPC port " + where +
                                                                  " (is it running?): " + st.error_message()));
    return Fail("backup failed", Status(static_cast<Code>(st.error_code()), st.error_message()));
  }
  // The node wrote it from its own view of the file system: under systemd (PrivateTmp)
  // its /tmp is not the caller's. Said here rather than reported as done.
  const bool visible = std::filesystem::is_regular_file(std::filesystem::path(reply.dir()) / "backup.json", ec);
  if (!visible && ec == std::errc::permission_denied) {
    std::cout << "backup of " << reply.member_id() << " written to " << reply.dir()
              << " (not readable by this user: check it as the service's user)" << std::endl;
    return 0;
  }
  if (!visible)
    return Fail("backup written where this command cannot see it",
                Status(Code::kFailedPrecondition,
                       "the node wrote " + reply.dir() + " but it is not visible here (a service with a private "
                       "/tmp or /var/tmp, or another machine): back up into a directory the node and you both "
                       "see, such as /var/lib/passerelle/backups"));
  std::cout << "backup of " << reply.member_id() << " written to " << reply.dir() << " (format "
            << reply.format_version() << ", digest " << reply.digest() << ")" << std::endl;
  for (const auto& [origin, seq] : reply.version_vector())
    std::cout << "  " << origin << ": " << seq << " ops" << std::endl;
  return 0;
}

int RunRestore(const std::string& backup_dir, const std::string& data_dir) {
  auto m = service::RestoreBackup(backup_dir, data_dir);
  if (!m.ok()) return Fail("restore failed", m.status());
  std::cout << "restored the backup of " << m->member_id << " into " << data_dir << " (digest "
            << m->digest << "); start the node on it and it catches up from its peers" << std::endl;
  return 0;
}

}  // namespace passerelle::cli
