// EquivalenceService: qualification equivalences (issue 5) over the replicated records.
// Validates a lookup (unknown qualification / framework / level -> NOT_FOUND naming the
// field; target equal to source, bad country or lang -> INVALID_ARGUMENT) and runs the
// pure engine (node/equivalence) on an in-memory graph of frameworks, qualifications and
// level mappings, rebuilt when RecordService::Generation() has moved since it was built.
// Thread-safe; while one caller rebuilds, the others answer from the previous graph.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "storage/status.h"

namespace passerelle::equivalence { class Graph; }

namespace passerelle::service {

class RecordService;

struct EquivalenceRequest {
  std::string qualification;            // the source: a qualification placed at a level…
  std::string framework;                // …or a framework and one of its levels
  std::optional<int64_t> level;
  std::string target_country;           // at least one of the two targets
  std::string target_framework;
  std::string sector;                   // optional filter (case-insensitive substring)
  bool include_proposed = false;        // also follow proposed / planned mappings
  bool reverse = false;                 // paths told from each candidate to the source
  std::string lang;                     // fr | es | en; empty: fr
};

class EquivalenceService {
 public:
  // `records` must outlive the service.
  explicit EquivalenceService(const RecordService* records);
  ~EquivalenceService();

  // The answer in the shape of node/README.md "Equivalences".
  Result<nlohmann::json> Lookup(const EquivalenceRequest& request);

  // The graph for the records as they are now (built or rebuilt if needed).
  Result<std::shared_ptr<const equivalence::Graph>> Current();

 private:
  Result<std::shared_ptr<const equivalence::Graph>> Build() const;

  const RecordService* records_;
  std::mutex rebuild_mu_;    // one rebuild at a time
  mutable std::mutex snap_mu_;
  std::shared_ptr<const equivalence::Graph> graph_;  // Guarded by snap_mu_
  uint64_t graph_generation_ = 0;                    // Guarded by snap_mu_
};

}  // namespace passerelle::service
