// Replication section nodes (see repl_nodes.h).
#include "bench/repl_nodes.h"

#include <grpcpp/grpcpp.h>

#include "node/core/coding.h"
#include "node/core/signing.h"

namespace passerelle::bench {
namespace {

using json = nlohmann::json;

core::KeyPair NodeKey(int n) { return core::KeyPairFromSeed(std::string(32, 'a' + n)); }

Result<std::unique_ptr<service::Members>> DialMembers(const std::map<int, std::string>& peers) {
  json members = json::array();
  for (int n = 0; n < kReplNodes; ++n) {
    auto it = peers.find(n);
    members.push_back(
        {{"id", kReplNodeIds[n]}, {"node_address", it == peers.end() ? "" : it->second}});
  }
  auto m = service::Members::FromJson({{"federation", "bench"}, {"members", members}});
  if (!m.ok()) return m.status();
  return std::make_unique<service::Members>(std::move(m).value());
}

}  // namespace

const char* const kReplNodeIds[kReplNodes] = {"bench-a", "bench-b", "bench-c"};

uint64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<service::Members> ReplKeyMembers() {
  json members = json::array();
  for (int n = 0; n < kReplNodes; ++n) {
    json acts_for = json::array();
    if (n == 0)
      for (int i = 0; i < kInstitutions; ++i) acts_for.push_back(InstitutionId(i));
    members.push_back({{"id", kReplNodeIds[n]},
                       {"name", std::string("Bench ") + kReplNodeIds[n]},
                       {"acts_for", acts_for},
                       {"public_key", core::ToHex(NodeKey(n).public_key)}});
  }
  return service::Members::FromJson({{"federation", "bench"}, {"members", members}});
}

Status ReplNode::Serve() {
  auto s = peer::StartPeerServer(service.get(), "127.0.0.1:0", grpc::InsecureServerCredentials());
  if (!s.ok()) return s.status();
  server = std::move(s).value();
  return Status::Ok();
}

std::string ReplNode::address() const { return "127.0.0.1:" + std::to_string(server->port()); }

Status ReplNode::Follow(const std::map<int, std::string>& peers) {
  auto d = DialMembers(peers);
  if (!d.ok()) return d.status();
  dial = std::move(d).value();
  peer::PeerSyncOptions options;  // empty tls: insecure channels (loopback, one process)
  options.backoff_min_ms = 20;
  sync = std::make_unique<peer::PeerSync>(service.get(), dial.get(), options);
  return sync->Start();
}

Result<std::unique_ptr<ReplNode>> OpenReplNode(const std::string& root, int n,
                                               const service::Members* keys) {
  auto node = std::make_unique<ReplNode>(root, std::string("repl-") + kReplNodeIds[n]);
  auto store = storage::OpenRocksStore(node->dir.str(), /*sync=*/false);
  if (!store.ok()) return store.status();
  node->store = std::move(store).value();
  node->counting = std::make_unique<CountingStore>(node->store.get());
  node->timed = std::make_unique<TimedStore>(node->counting.get());
  node->service =
      std::make_unique<service::RecordService>(node->timed.get(), keys, kReplNodeIds[n], WallMs);
  PASSERELLE_RETURN_IF_ERROR(node->service->Open());
  node->service->SetSigningKey(NodeKey(n));
  return node;
}

Status PopulateReplNode(service::RecordService* a, size_t records) {
  service::Caller caller{"bench"};
  for (int i = 0; i < kInstitutions; ++i) {
    json inst = {{"id", InstitutionId(i)},
                 {"name", "Institution " + std::to_string(i)},
                 {"type", "college"},
                 {"country", "CA"}};
    auto created = a->Create("institution", std::move(inst), caller);
    if (!created.ok()) return created.status();
  }
  for (size_t i = 0; i < records; ++i) {
    auto created =
        a->Create("agreement", MakeAgreement(AgreementId("repl", i), i, kReplRecordBytes), caller);
    if (!created.ok()) return created.status();
  }
  return Status::Ok();
}

uint64_t TotalOps(const std::map<std::string, uint64_t>& vv) {
  uint64_t total = 0;
  for (const auto& [origin, seq] : vv) total += seq;
  return total;
}

bool WaitForVector(const service::RecordService& node, const std::map<std::string, uint64_t>& want,
                   std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    uint64_t generation = node.Generation();  // read before checking: no change is missed
    auto have = node.VersionVector();
    bool done = true;
    for (const auto& [origin, seq] : want) done &= have[origin] >= seq;
    if (done) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    node.WaitForChange(generation, static_cast<int>(std::min<int64_t>(left, 100)));
  }
}

}  // namespace passerelle::bench
