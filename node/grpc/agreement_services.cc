// gRPC services of agreements (proto/passerelle/v1/agreements.proto).
#include "node/grpc/record_adapter.h"
#include "passerelle/v1/agreements.grpc.pb.h"

namespace passerelle::grpcapi {
namespace {

using AgreementBase = RecordAdapter<v1::AgreementService, v1::Agreement, v1::UpdateAgreementRequest,
                                    v1::ListAgreementsResponse>;

// The five record methods plus Approve.
class AgreementAdapter final : public AgreementBase {
 public:
  using AgreementBase::AgreementBase;

  grpc::ServerUnaryReactor* Approve(grpc::CallbackServerContext* context,
                                    const v1::ApproveAgreementRequest* request,
                                    v1::Agreement* response) override {
    return Done(context, calls_.Approve(context, request->id(), request->terms_hash(), response));
  }
};

}  // namespace

void AddAgreementServices(service::RecordService* service, ServiceList* out) {
  out->push_back(std::make_unique<AgreementAdapter>(service, "agreement"));
}

}  // namespace passerelle::grpcapi
