// The data the equivalence engine reasons over: frameworks with their levels, the
// qualifications placed at a level, and level mappings (type "level_mapping"), read
// from records in the seed-data shape. Pure: built from JSON, no storage, no threads.
// A Graph is immutable once Finish() has run and may then be shared between threads.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace passerelle::equivalence {

struct LevelInfo {
  int level = 0;
  std::string title;
  std::vector<std::string> dimensions;              // the level's, else its framework's
  std::map<std::string, std::string> descriptors;   // dimension -> text
};

struct Framework {
  std::string id, name, scope, country, status;
  std::vector<std::string> countries, dimensions;
  std::vector<std::string> owners;  // who decides its mappings (Graph::AddFramework)
  int levels_count = 0;
  std::map<int, LevelInfo> levels;  // declared levels, else 1..levels_count
  // True when the framework's status says it is still being built.
  bool in_development() const { return status == "base_structure_defined" || status == "in_development"; }
};

struct Qualification {
  std::string id, title, country, sector, framework_id;
  int level = 0;  // 0: not placed at a level
  std::string sector_key;  // SectorKey(sector)
};

struct LevelRef {
  std::string framework_id;
  int level = 0;
  bool operator==(const LevelRef& o) const { return level == o.level && framework_id == o.framework_id; }
};

struct LevelMapping {
  std::string id, status, strength, basis, sector;
  LevelRef from, to;
  std::vector<std::string> owners;  // who decided it (the source framework's authority)
  std::string writer;               // member of its last effective op (`updated_by`), if shown
  // Filled by Graph::Finish: dimensions one end's level has and the other's lacks, and
  // the mapping's weight as a step (engine.h StepWeight, lowered per differing dimension).
  std::vector<std::string> differing_dimensions;
  double weight = 0;
  bool is_decided = false;   // decided(), precomputed
  std::string sector_key;    // SectorKey(sector), for the sector filter
  // Approved, completed or stated: a decision. Proposed and planned are not.
  bool decided() const { return status == "approved" || status == "completed" || status == "stated"; }
};

// A sector as the sector filter compares it: case and accents folded (text_fold.h), so
// "Électricité", "electricite" and "ÉLECTRICITÉ" match alike.
std::string SectorKey(std::string_view sector);

// One node per framework level; edges are mappings, each usable both ways.
class Graph {
 public:
  // Records as the API shows them (content + `owners`). Records of the wrong shape, and
  // mappings that are not level mappings between two levels, are skipped.
  // `deciders`: the members acting for its authority; empty means its owners decide.
  void AddFramework(const nlohmann::json& record, std::vector<std::string> deciders = {});
  void AddQualification(const nlohmann::json& record);
  void AddMapping(const nlohmann::json& record);
  // Indexes what was added; call once, after every Add and before any lookup.
  void Finish();

  struct Edge {
    uint32_t mapping;  // index into mappings()
    uint32_t other;    // node at the other end
    bool stated;       // true: travels from -> to as the mapping states it
  };
  // The mappings between this level and one other, in one direction, best weight first:
  // the search relaxes each neighbour once, with the first mapping its filters allow.
  struct Neighbor {
    uint32_t other;
    bool stated;
    std::vector<uint32_t> mappings;
  };
  struct Node {
    LevelRef ref;
    uint32_t framework = 0;  // index of ref.framework_id in framework order
    std::vector<Edge> edges;
    std::vector<Neighbor> neighbors;
    std::vector<uint32_t> qualifications;  // indexes into qualifications()
    // Level mappings from this level written by a member that is not among the source
    // framework's owners: never followed, reported as problems.
    std::vector<uint32_t> not_authority;
    // Decided mappings stating this level at two or more levels of one framework (for one
    // sector): each group lists the mappings involved.
    std::vector<std::vector<uint32_t>> contradictions;
  };

  const Framework* FindFramework(const std::string& id) const;
  // Index of a framework in frameworks() order (Node::framework); -1 when unknown.
  int64_t FrameworkIndex(const std::string& id) const;
  const Qualification* FindQualification(const std::string& id) const;
  // The node of a framework's level, or -1 when the framework has no such level.
  int64_t FindNode(const std::string& framework_id, int level) const;
  const LevelInfo* FindLevel(const LevelRef& ref) const;
  // Whether the framework has that level (declared, or within levels_count).
  bool HasLevel(const std::string& framework_id, int level) const;

  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<LevelMapping>& mappings() const { return mappings_; }
  const std::vector<Qualification>& qualifications() const { return qualifications_; }
  const std::map<std::string, Framework>& frameworks() const { return frameworks_; }

 private:
  uint32_t NodeOf(const LevelRef& ref);
  std::map<std::string, Framework> frameworks_;
  std::vector<Qualification> qualifications_;
  std::unordered_map<std::string, uint32_t> qualification_index_;
  std::vector<LevelMapping> mappings_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string, uint32_t> node_index_;  // "framework:level"
};

}  // namespace passerelle::equivalence
