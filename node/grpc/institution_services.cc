// gRPC services of institutions (proto/passerelle/v1/institutions.proto).
#include "node/grpc/record_adapter.h"
#include "passerelle/v1/institutions.grpc.pb.h"

namespace passerelle::grpcapi {

void AddInstitutionServices(service::RecordService* service, ServiceList* out) {
  AddRecordService<v1::InstitutionService, v1::Institution, v1::UpdateInstitutionRequest,
                   v1::ListInstitutionsResponse>(service, "institution", out);
}

}  // namespace passerelle::grpcapi
