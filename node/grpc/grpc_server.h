// The gRPC face of a node: every record service of passerelle.v1 (one per family), the
// node service and server reflection, as thin adapters over service::RecordService.
// Insecure by default (loopback / behind the TLS proxy); pass credentials for TLS.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "node/service/federation_status.h"
#include "storage/status.h"

namespace grpc {
class Server;
class Service;
class ServerCredentials;
}  // namespace grpc
namespace passerelle::service {
class RecordService;
class EquivalenceService;
}

namespace passerelle::grpcapi {

// 4 MiB: the largest record (a framework with 20 levels of 3000-character descriptors)
// is well under 1 MiB; bigger requests are refused with RESOURCE_EXHAUSTED.
constexpr size_t kDefaultMaxMessageBytes = 4 << 20;

struct GrpcOptions {
  size_t max_message_bytes = kDefaultMaxMessageBytes;    // per request received
  std::shared_ptr<grpc::ServerCredentials> credentials;  // null: insecure
  service::FederationStatusFn federation_status;        // empty: a lone node's status
  service::EquivalenceService* equivalences = nullptr;  // must outlive the server; null: own
};

// A running server and the service objects it dispatches to (it owns both).
// Destroying it shuts the server down. Thread-safe as grpc::Server is.
class GrpcServer {
 public:
  GrpcServer(std::unique_ptr<grpc::Server> server,
             std::vector<std::unique_ptr<grpc::Service>> services, int port);
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  int port() const { return port_; }
  grpc::Server* server() { return server_.get(); }
  // Stops accepting calls and waits for those in flight (cancelled after `grace_ms`).
  void Shutdown(int grace_ms = 2000);
  // Blocks until Shutdown() has been called (from another thread or a signal handler).
  void Wait();

 private:
  std::vector<std::unique_ptr<grpc::Service>> services_;  // must outlive server_
  std::unique_ptr<grpc::Server> server_;
  int port_;
};

// Starts every record service plus server reflection on `address` ("127.0.0.1:9081";
// port 0 picks a free one, reported in *bound_port when not null, and by port()).
// `service` must outlive the server. UNAVAILABLE when the address cannot be bound.
Result<std::unique_ptr<GrpcServer>> StartGrpcServer(service::RecordService* service,
                                                    const std::string& address,
                                                    int* bound_port = nullptr,
                                                    const GrpcOptions& options = {});

}  // namespace passerelle::grpcapi
