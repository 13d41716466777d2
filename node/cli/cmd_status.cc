// `passerelle status [--json]`: asks the running node over its gRPC port (the node's
// administrative interface: REST needs a user session) for GetFederationStatus and
// prints it for people or, with --json, for scripts (the shape of GET
// /api/v1/federation/status).
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "node/cli/commands.h"
#include "node/cli/keys.h"
#include "node/cli/tls_keys.h"
#include "node/core/coding.h"
#include "node/core/json_text.h"
#include "passerelle/v1/node.grpc.pb.h"

namespace passerelle::cli {
namespace {

Result<nlohmann::json> FetchStatus(const std::string& target) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  auto stub = v1::NodeService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::FederationStatus st;
  grpc::Status rpc = stub->GetFederationStatus(&ctx, v1::GetFederationStatusRequest(), &st);
  if (!rpc.ok())
    return Status(Code::kUnavailable, "cannot reach the node's gRPC port at " + target +
                                          " (is it running?): " + rpc.error_message());
  nlohmann::json vv = nlohmann::json::object(), refused = nlohmann::json::object();
  for (const auto& [origin, seq] : st.version_vector()) vv[origin] = seq;
  for (const auto& [reason, n] : st.refused()) refused[reason] = n;
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : st.peers()) {
    nlohmann::json peer = {{"member_id", p.member_id()}, {"address", p.address()},
                           {"connected", p.connected()}, {"behind", p.behind()},
                           {"ops_received", p.ops_received()}};
    peer["last_contact_ms_ago"] =
        p.has_last_contact_ms_ago() ? nlohmann::json(p.last_contact_ms_ago()) : nlohmann::json();
    if (!p.last_error().empty()) peer["last_error"] = p.last_error();
    peers.push_back(std::move(peer));
  }
  return nlohmann::json{{"member_id", st.member_id()}, {"version_vector", vv},
                        {"digest", st.digest()},       {"peers", peers},
                        {"refused", refused},          {"refused_total", st.refused_total()},
                        {"own_chain_confirmed", st.own_chain_confirmed()}};
}

}  // namespace

int RunStatus(const NodeConfig& config, bool as_json) {
  auto target = GrpcTarget(config);
  if (!target.ok()) return Fail("bad configuration", target.status());
  auto j = FetchStatus(*target);
  if (!j.ok()) return Fail("status", j.status());
  if (as_json) {
    std::cout << core::DumpJson(*j, 2) << std::endl;
    return 0;
  }
  std::cout << "member   " << j->value("member_id", "") << "\n"
            << "digest   " << j->value("digest", "") << "\n"
            << "ops      ";
  for (const auto& [origin, seq] : (*j)["version_vector"].items()) std::cout << origin << "=" << seq << " ";
  std::cout << "\npeers\n";
  for (const auto& p : (*j)["peers"]) {
    std::cout << "  " << p.value("member_id", "") << " at " << p.value("address", "") << ": "
              << (p.value("connected", false) ? "connected" : "not connected") << ", last contact ";
    if (p["last_contact_ms_ago"].is_null()) std::cout << "never";
    else std::cout << p["last_contact_ms_ago"].get<uint64_t>() << " ms ago";
    std::cout << ", behind " << p.value("behind", 0) << " ops";
    if (p.contains("last_error")) std::cout << " (last error: " << p["last_error"].get<std::string>() << ")";
    std::cout << "\n";
  }
  if (!j->value("own_chain_confirmed", true))
    std::cout << "restored from a backup: local writes wait until every peer has confirmed this member's own ops\n";
  std::cout << "refused  " << j->value("refused_total", 0) << " ops";
  for (const auto& [reason, n] : (*j)["refused"].items()) std::cout << " " << reason << "=" << n;
  std::cout << std::endl;
  return 0;
}

int RunKeysInit(const std::string& dir, const std::string& member_id) {
  // A TLS request left without its key is refused before any key is written (so that
  // a second run, once it is removed, is not stopped by this run's signing key).
  if (Status orphan = CheckNoOrphanTlsRequest(dir); !orphan.ok()) return Fail("keys init (TLS)", orphan);
  auto key = InitSigningKey(dir, member_id);
  if (!key.ok()) return Fail("keys init", key.status());
  Status tls = InitTlsKeyAndCsr(dir, member_id);
  if (tls.code() == Code::kAlreadyExists) {  // e.g. made by new-federation.sh: kept as it is
    std::cout << "kept the existing TLS key in " << dir << " (" << tls.message() << ")\n";
  } else if (!tls.ok()) {
    return Fail("keys init (TLS)", tls);
  }
  std::cout << "wrote " << dir << "/" << member_id << ".signing.key (secret, mode 600) and "
            << member_id << ".signing.pub\n";
  if (tls.ok())
    std::cout << "wrote " << dir << "/tls.key (secret, mode 600) and " << dir
              << "/tls.csr (SAN DNS:" << member_id << "): have the federation CA sign it "
              << "(deploy/sign-csr.sh) into tls.crt\n";
  std::cout << "public_key for the members file: " << core::ToHex(key->public_key) << std::endl;
  return 0;
}

}  // namespace passerelle::cli
