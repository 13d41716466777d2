// The peer port: PeerService.Pull over mutual TLS, streaming the ops a peer lacks and
// then, when it follows, new ops as they are committed.
#pragma once

#include <memory>
#include <string>

#include "node/peer/tls.h"
#include "storage/status.h"

namespace grpc { class Server; class Service; }
namespace passerelle::service { class RecordService; }

namespace passerelle::peer {

constexpr size_t kMaxBatchOps = 1000;  // ~0.5 MB of 500-byte ops: bounded memory per stream

class PeerServer {
 public:
  ~PeerServer();
  int port() const { return port_; }
  // Ends open streams (followers reconnect elsewhere or later).
  void Shutdown();

 private:
  friend Result<std::unique_ptr<PeerServer>> StartPeerServer(service::RecordService*,
                                                             const std::string&,
                                                             std::shared_ptr<grpc::ServerCredentials>);
  std::unique_ptr<grpc::Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// `credentials` is PeerServerCredentials(…) (insecure only in tests that say so).
Result<std::unique_ptr<PeerServer>> StartPeerServer(service::RecordService* service,
                                                    const std::string& address,
                                                    std::shared_ptr<grpc::ServerCredentials> credentials);

}  // namespace passerelle::peer
