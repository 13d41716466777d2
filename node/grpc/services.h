// The service objects of each proto area, built over one RecordService. Each area lives
// in its own .cc (generated headers are heavy); grpc_server.cc registers them all.
#pragma once

#include <memory>

#include "node/service/federation_status.h"
#include <vector>

namespace grpc {
class Service;
}
namespace passerelle::service {
class RecordService;
class EquivalenceService;
}

namespace passerelle::grpcapi {

using ServiceList = std::vector<std::unique_ptr<grpc::Service>>;

void AddInstitutionServices(service::RecordService* service, ServiceList* out);
void AddAgreementServices(service::RecordService* service, ServiceList* out);
// Projects, deliverables and indicators.
void AddProjectServices(service::RecordService* service, ServiceList* out);
// Forums and events.
void AddForumServices(service::RecordService* service, ServiceList* out);
// Frameworks, qualifications and mappings.
void AddQualificationServices(service::RecordService* service, ServiceList* out);
// EquivalenceService over `shared` (null: one of its own over `service`).
void AddEquivalenceServices(service::RecordService* service, service::EquivalenceService* shared,
                            ServiceList* out);
// NodeService: member id, version vector, federation status (from `status`, or a lone
// node's when it is empty).
void AddNodeServices(service::RecordService* service, service::FederationStatusFn status,
                     ServiceList* out);

}  // namespace passerelle::grpcapi
