// AdminService (proto/passerelle/v1/admin.proto): backups of the running node, for
// callers on the node's own host only.
#include <grpcpp/server_context.h>

#include <chrono>

#include "node/grpc/peer_address.h"
#include "node/grpc/services.h"
#include "node/grpc/status_map.h"
#include "node/log/log.h"
#include "node/service/backup.h"
#include "node/service/record_service.h"
#include "passerelle/v1/admin.grpc.pb.h"

namespace passerelle::grpcapi {
namespace {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  explicit AdminServiceImpl(service::RecordService* service) : service_(service) {}

  grpc::Status Backup(grpc::ServerContext* ctx, const v1::BackupRequest* req,
                      v1::BackupReply* out) override {
    if (!IsLoopbackPeer(ctx->peer()))
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          "backups are taken only for callers on the node's own host");
    uint64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    auto m = service::TakeBackup(service_, req->dir(), now);
    if (!m.ok()) {
      PLOG_WARN("backup to {} failed: {}", req->dir(), m.status().ToString());
      return ToGrpcStatus(m.status(), ctx);
    }
    PLOG_INFO("backup written to {} (digest {})", req->dir(), m->digest);
    out->set_dir(req->dir());
    out->set_member_id(m->member_id);
    out->set_format_version(m->format_version);
    for (const auto& [origin, seq] : m->version_vector) (*out->mutable_version_vector())[origin] = seq;
    out->set_digest(m->digest);
    out->set_created_at_ms(m->created_at_ms);
    return grpc::Status::OK;
  }

 private:
  service::RecordService* service_;
};

}  // namespace

void AddAdminServices(service::RecordService* service, ServiceList* out) {
  out->push_back(std::make_unique<AdminServiceImpl>(service));
}

}  // namespace passerelle::grpcapi
