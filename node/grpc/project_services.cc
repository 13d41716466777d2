// gRPC services of projects, deliverables and indicators (proto/passerelle/v1/projects.proto).
#include "node/grpc/record_adapter.h"
#include "passerelle/v1/projects.grpc.pb.h"

namespace passerelle::grpcapi {

void AddProjectServices(service::RecordService* service, ServiceList* out) {
  AddRecordService<v1::ProjectService, v1::Project, v1::UpdateProjectRequest,
                   v1::ListProjectsResponse>(service, "project", out);
  AddRecordService<v1::DeliverableService, v1::Deliverable, v1::UpdateDeliverableRequest,
                   v1::ListDeliverablesResponse>(service, "deliverable", out);
  AddRecordService<v1::IndicatorService, v1::Indicator, v1::UpdateIndicatorRequest,
                   v1::ListIndicatorsResponse>(service, "indicator", out);
}

}  // namespace passerelle::grpcapi
