// What the node adds to the metrics registry's text at scrape time: store statistics
// (RocksDB size and compaction figures), the version vector and the node's state, and
// the readiness answer of GET /readyz.
#pragma once

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "node/service/federation_status.h"

namespace passerelle::storage { class KvStore; }
namespace passerelle::service { class RecordService; }

namespace passerelle::cli {

// metrics::Global().Render() plus passerelle_store_* and passerelle_version_vector_seq.
std::string RenderNodeMetrics(const storage::KvStore& store, const service::RecordService& svc);

// {"ready", "reasons": [...], "store", "peers_reachable", "peers"}: ready when not
// `stopping`, the store answers a read, and (when the node has peers) at least one was
// in contact within `peer_fresh_ms`.
nlohmann::json Readiness(const storage::KvStore& store, const service::FederationStatusFn& status,
                         bool has_peers, uint64_t peer_fresh_ms, const std::atomic<bool>& stopping);

}  // namespace passerelle::cli
