#include "node/grpc/grpc_server.h"

#include <grpcpp/resource_quota.h>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/impl/service_type.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <chrono>
#include <climits>

#include "node/grpc/grpc_metrics.h"
#include "node/grpc/services.h"

namespace passerelle::grpcapi {

GrpcServer::GrpcServer(std::unique_ptr<grpc::Server> server,
                       std::vector<std::unique_ptr<grpc::Service>> services, int port)
    : services_(std::move(services)), server_(std::move(server)), port_(port) {}

GrpcServer::~GrpcServer() {
  Shutdown(0);
  server_->Wait();
}

void GrpcServer::Shutdown(int grace_ms) {
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(grace_ms));
}

void GrpcServer::Wait() { server_->Wait(); }

namespace {
// Threads waiting for calls to the synchronous services (node, admin, equivalence,
// reflection; record services use the callback API). When record creates were
// synchronous, 2 pollers made gRPC start and end a thread per call queued on the write
// lock (bench: 4.0k creates/s with 8 clients, 5.3k/s with 8 pollers).
constexpr int kMaxPollers = 8;
}  // namespace

Result<std::unique_ptr<GrpcServer>> StartGrpcServer(service::RecordService* service,
                                                    const std::string& address, int* bound_port,
                                                    const GrpcOptions& options) {
  if (options.max_message_bytes == 0 || options.max_message_bytes > INT_MAX)
    return Status::Invalid("max_message_bytes", "must be between 1 and " + std::to_string(INT_MAX));
  ServiceList services;
  AddInstitutionServices(service, &services);
  AddAgreementServices(service, &services);
  AddProjectServices(service, &services);
  AddForumServices(service, &services);
  AddQualificationServices(service, &services);
  AddNodeServices(service, options.federation_status, &services);
  AddAdminServices(service, &services);
  AddEquivalenceServices(service, options.equivalences, &services);

  // Process-wide; must precede the builder so reflection is registered with it.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  auto credentials = options.credentials ? options.credentials : grpc::InsecureServerCredentials();
  builder.AddListeningPort(address, credentials, &port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  // The synchronous services' thread pool: one completion queue, kMaxPollers pollers.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxPollers);
  for (auto& s : services) builder.RegisterService(s.get());
  builder.experimental().SetInterceptorCreators(MetricsInterceptors());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0)
    return Status(Code::kUnavailable, "cannot listen on " + address, "grpc_address");
  if (bound_port != nullptr) *bound_port = port;
  return std::make_unique<GrpcServer>(std::move(server), std::move(services), port);
}

}  // namespace passerelle::grpcapi
