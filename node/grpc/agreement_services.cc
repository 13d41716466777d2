// gRPC services of agreements (proto/passerelle/v1/agreements.proto).
#include "node/grpc/record_adapter.h"
#include "passerelle/v1/agreements.grpc.pb.h"

namespace passerelle::grpcapi {

void AddAgreementServices(service::RecordService* service, ServiceList* out) {
  AddRecordService<v1::AgreementService, v1::Agreement, v1::UpdateAgreementRequest,
                   v1::ListAgreementsResponse>(service, "agreement", out);
}

}  // namespace passerelle::grpcapi
