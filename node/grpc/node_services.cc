// NodeService (proto/passerelle/v1/node.proto): who runs this node and its version vector.
#include <grpcpp/server_context.h>

#include "node/grpc/services.h"
#include "node/service/record_service.h"
#include "passerelle/v1/node.grpc.pb.h"

namespace passerelle::grpcapi {
namespace {

class NodeServiceImpl final : public v1::NodeService::Service {
 public:
  explicit NodeServiceImpl(service::RecordService* service) : service_(service) {}

  grpc::Status GetNodeInfo(grpc::ServerContext*, const v1::GetNodeInfoRequest*,
                           v1::NodeInfo* info) override {
    info->set_member_id(service_->member_id());
    for (const auto& [origin, seq] : service_->VersionVector())
      (*info->mutable_version_vector())[origin] = seq;
    return grpc::Status::OK;
  }

 private:
  service::RecordService* service_;
};

}  // namespace

void AddNodeServices(service::RecordService* service, ServiceList* out) {
  out->push_back(std::make_unique<NodeServiceImpl>(service));
}

}  // namespace passerelle::grpcapi
