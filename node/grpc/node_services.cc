// NodeService (proto/passerelle/v1/node.proto): who runs this node and its version vector.
#include <grpcpp/server_context.h>

#include "node/grpc/services.h"
#include <google/protobuf/util/json_util.h>

#include "node/core/json_text.h"
#include "node/service/federation_status.h"
#include "node/service/record_service.h"
#include "passerelle/v1/node.grpc.pb.h"

namespace passerelle::grpcapi {
namespace {

class NodeServiceImpl final : public v1::NodeService::Service {
 public:
  NodeServiceImpl(service::RecordService* service, service::FederationStatusFn status)
      : service_(service), status_(std::move(status)) {}

  grpc::Status GetNodeInfo(grpc::ServerContext*, const v1::GetNodeInfoRequest*,
                           v1::NodeInfo* info) override {
    info->set_member_id(service_->member_id());
    for (const auto& [origin, seq] : service_->VersionVector())
      (*info->mutable_version_vector())[origin] = seq;
    return grpc::Status::OK;
  }

  grpc::Status GetFederationStatus(grpc::ServerContext*, const v1::GetFederationStatusRequest*,
                                   v1::FederationStatus* out) override {
    nlohmann::json j = status_ ? status_() : service::LoneNodeStatus(*service_);
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    auto st = google::protobuf::util::JsonStringToMessage(core::DumpJson(j), out, options);
    if (!st.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "status: " + st.ToString());
    return grpc::Status::OK;
  }

 private:
  service::RecordService* service_;
  service::FederationStatusFn status_;
};

}  // namespace

void AddNodeServices(service::RecordService* service, service::FederationStatusFn status,
                     ServiceList* out) {
  out->push_back(std::make_unique<NodeServiceImpl>(service, std::move(status)));
}

}  // namespace passerelle::grpcapi
