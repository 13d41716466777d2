// EquivalenceService (proto/passerelle/v1/equivalences.proto): decodes the request, calls
// service::EquivalenceService and converts its JSON answer with protobuf's JSON mapping.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/server_context.h>

#include "node/core/json_text.h"
#include "node/grpc/services.h"
#include "node/grpc/status_map.h"
#include "node/service/equivalence_service.h"
#include "passerelle/v1/equivalences.grpc.pb.h"

namespace passerelle::grpcapi {
namespace {

class EquivalenceServiceImpl final : public v1::EquivalenceService::Service {
 public:
  EquivalenceServiceImpl(service::RecordService* records, service::EquivalenceService* shared)
      : equivalences_(shared) {
    if (equivalences_ == nullptr) {
      own_ = std::make_unique<service::EquivalenceService>(records);
      equivalences_ = own_.get();
    }
  }

  grpc::Status Lookup(grpc::ServerContext* context, const v1::LookupEquivalencesRequest* in,
                      v1::Equivalences* out) override {
    service::EquivalenceRequest r;
    r.qualification = in->qualification();
    r.framework = in->framework();
    if (in->has_level()) r.level = in->level();
    r.target_country = in->target_country();
    r.target_framework = in->target_framework();
    r.sector = in->sector();
    r.include_proposed = in->include_proposed();
    r.reverse = in->reverse();
    r.lang = in->lang();
    auto answer = equivalences_->Lookup(r);
    if (!answer.ok()) return ToGrpcStatus(answer.status(), context);
    auto st = google::protobuf::util::JsonStringToMessage(core::DumpJson(*answer), out);
    if (!st.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "equivalences: " + st.ToString());
    return grpc::Status::OK;
  }

 private:
  std::unique_ptr<service::EquivalenceService> own_;
  service::EquivalenceService* equivalences_;
};

}  // namespace

void AddEquivalenceServices(service::RecordService* records, service::EquivalenceService* shared,
                            ServiceList* out) {
  out->push_back(std::make_unique<EquivalenceServiceImpl>(records, shared));
}

}  // namespace passerelle::grpcapi
