#include "node/cli/node_metrics.h"

#include "node/metrics/registry.h"
#include "node/service/keys.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"

namespace passerelle::cli {

std::string RenderNodeMetrics(const storage::KvStore& store, const service::RecordService& svc) {
  std::string out = metrics::Global().Render();
  // Store figures: the *_total ones are counters since the node started, the rest gauges.
  for (const auto& [name, value] : store.Stats()) {
    const bool counter = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
    metrics::AppendFamily(&out, "passerelle_store_" + name,
                          "RocksDB " + name + " (sum over column families)",
                          counter ? "counter" : "gauge", {{{}, static_cast<double>(value)}});
  }
  std::vector<std::pair<metrics::Labels, double>> vv;
  for (const auto& [origin, seq] : svc.VersionVector())
    vv.push_back({{{"origin", origin}}, static_cast<double>(seq)});
  metrics::AppendFamily(&out, "passerelle_version_vector_seq",
                        "Highest op sequence number stored, per origin member", "gauge", vv);
  metrics::AppendFamily(&out, "passerelle_generation", "Commits (local or from peers) since start",
                        "counter", {{{}, static_cast<double>(svc.Generation())}});
  metrics::AppendFamily(&out, "passerelle_info", "This node's member id and on-disk format",
                        "gauge",
                        {{{{"member_id", svc.member_id()},
                           {"format_version", std::to_string(service::keys::kFormatVersion)}},
                          1}});
  return out;
}

nlohmann::json Readiness(const storage::KvStore& store, const service::FederationStatusFn& status,
                         bool has_peers, uint64_t peer_fresh_ms, const std::atomic<bool>& stopping) {
  nlohmann::json reasons = nlohmann::json::array();
  if (stopping) reasons.push_back("the node is shutting down");
  std::string ignored;
  Status read = store.Get(storage::Column::kMeta, service::keys::kFormat, &ignored);
  const bool store_ok = read.ok();
  if (!store_ok) reasons.push_back("the store does not answer: " + read.ToString());
  size_t reachable = 0, peers = 0;
  if (has_peers && status) {
    nlohmann::json s = status();
    for (const auto& p : s.value("peers", nlohmann::json::array())) {
      ++peers;
      const auto& ago = p.value("last_contact_ms_ago", nlohmann::json());
      if (p.value("connected", false) || (ago.is_number() && ago.get<uint64_t>() <= peer_fresh_ms))
        ++reachable;
    }
    if (reachable == 0) reasons.push_back("no peer reachable (of " + std::to_string(peers) + ")");
    if (!s.value("own_chain_confirmed", true))
      reasons.push_back("restored from a backup: waiting for every peer to confirm this member's own ops");
  }
  return {{"ready", reasons.empty()},
          {"reasons", reasons},
          {"store", store_ok ? "open" : "unavailable"},
          {"peers", peers},
          {"peers_reachable", reachable}};
}

}  // namespace passerelle::cli
