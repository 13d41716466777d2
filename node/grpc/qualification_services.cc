// gRPC services of frameworks, qualifications and level mappings
// (proto/passerelle/v1/qualifications.proto).
#include "node/grpc/record_adapter.h"
#include "passerelle/v1/qualifications.grpc.pb.h"

namespace passerelle::grpcapi {

void AddQualificationServices(service::RecordService* service, ServiceList* out) {
  AddRecordService<v1::FrameworkService, v1::Framework, v1::UpdateFrameworkRequest,
                   v1::ListFrameworksResponse>(service, "framework", out);
  AddRecordService<v1::QualificationService, v1::Qualification, v1::UpdateQualificationRequest,
                   v1::ListQualificationsResponse>(service, "qualification", out);
  AddRecordService<v1::MappingService, v1::Mapping, v1::UpdateMappingRequest,
                   v1::ListMappingsResponse>(service, "mapping", out);
}

}  // namespace passerelle::grpcapi
