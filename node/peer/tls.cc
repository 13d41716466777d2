#include "node/peer/tls.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <grpcpp/security/server_credentials.h>
#include <sstream>

namespace passerelle::peer {
namespace {

Result<std::string> ReadPem(const std::string& path, const char* option) {
  std::ifstream in(path, std::ios::binary);
  if (path.empty() || !in) return Status::Invalid(option, "cannot read " + path + (path.empty() ? std::string() : std::string(": ") + std::strerror(errno)));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string pem = ss.str();
  if (pem.find("-----BEGIN") == std::string::npos)
    return Status::Invalid(option, path + " is not a PEM file");
  return pem;
}

struct Pems {
  std::string ca, cert, key;
};

Result<Pems> ReadAll(const TlsFiles& f) {
  auto ca = ReadPem(f.ca_file, "tls_ca");
  if (!ca.ok()) return ca.status();
  auto cert = ReadPem(f.cert_file, "tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadPem(f.key_file, "tls_key");
  if (!key.ok()) return key.status();
  return Pems{*ca, *cert, *key};
}

}  // namespace

Result<std::shared_ptr<grpc::ServerCredentials>> PeerServerCredentials(const TlsFiles& files) {
  auto pems = ReadAll(files);
  if (!pems.ok()) return pems.status();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = pems->ca;
  options.pem_key_cert_pairs.push_back({pems->key, pems->cert});
  return grpc::SslServerCredentials(options);
}

Result<std::shared_ptr<grpc::ChannelCredentials>> PeerChannelCredentials(const TlsFiles& files) {
  auto pems = ReadAll(files);
  if (!pems.ok()) return pems.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pems->ca;
  options.pem_private_key = pems->key;
  options.pem_cert_chain = pems->cert;
  return grpc::SslCredentials(options);
}

}  // namespace passerelle::peer
