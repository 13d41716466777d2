// Mutual TLS between nodes: each node has a key and a certificate signed by the
// federation's CA; the peer port requires and verifies the client's certificate, and a
// node dialling a peer checks the peer's certificate names that member (SAN DNS = id).
#pragma once

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <memory>
#include <string>

#include "storage/status.h"

namespace passerelle::peer {

struct TlsFiles {
  std::string ca_file;    // PEM of the federation CA
  std::string cert_file;  // PEM of this node's certificate
  std::string key_file;   // PEM of this node's private key
  bool empty() const { return ca_file.empty() && cert_file.empty() && key_file.empty(); }
};

// INVALID_ARGUMENT naming the option (tls_ca, tls_cert, tls_key) when a file is unreadable.
Result<std::shared_ptr<grpc::ServerCredentials>> PeerServerCredentials(const TlsFiles& files);
Result<std::shared_ptr<grpc::ChannelCredentials>> PeerChannelCredentials(const TlsFiles& files);

}  // namespace passerelle::peer
