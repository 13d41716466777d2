#include "node/equivalence/engine.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace passerelle::equivalence {
namespace {

// Substring ignoring case and accents; both sides already SectorKey'd.
bool SectorMatches(const std::string& sector_key, const std::string& wanted_key) {
  return sector_key.find(wanted_key) != std::string::npos;
}

// A path being extended: its confidence, steps and the nodes it went through.
struct Partial {
  double confidence = 0;
  std::vector<Step> steps;
  std::vector<uint32_t> nodes;  // source first
  bool all_stated = true;
  std::string sector_key;  // the sector of the path's sector-specific mappings, if any
};

// Whether a sector-specific mapping applies to the sector a query or qualification
// names (either containing the other, folded): "Mines" and "mines et métallurgie" do.
bool SectorsOverlap(const std::string& a, const std::string& b) {
  return SectorMatches(a, b) || SectorMatches(b, a);
}

std::string StepStrength(const LevelMapping& m) {
  if (!m.decided()) return "proposed";
  return m.strength.empty() ? "partial" : m.strength;
}

bool IsTarget(const Framework& fw, const Query& q, const std::string& source_fw) {
  if (fw.id == source_fw) return false;
  if (!q.target_framework.empty() && fw.id != q.target_framework) return false;
  if (!q.target_country.empty() && fw.country != q.target_country) return false;
  return true;
}

class Search {
 public:
  Search(const Graph& g, const Query& q)
      : g_(g), q_(q), sector_key_(SectorKey(q.sector)), source_sector_key_(SectorKey(q.source_sector)) {}

  Answer Run() {
    Answer answer;
    int64_t source = g_.FindNode(q_.source.framework_id, q_.source.level);
    if (source < 0) return answer;
    source_ = static_cast<uint32_t>(source);
    source_framework_ = g_.nodes()[source_].framework;
    for (const auto& [id, fw] : g_.frameworks()) target_frameworks_.push_back(IsTarget(fw, q_, q_.source.framework_id));
    const size_t n = g_.nodes().size();
    std::vector<const Partial*> best(n, nullptr);  // best over all layers so far
    std::vector<const Partial*> best_general(n, nullptr);  // the same among paths of no sector
    std::vector<Partial> layer;
    layer.push_back({1.0, {}, {source_}, true, {}});
    std::vector<std::vector<Partial>> kept;  // keeps every layer alive for `best`
    for (int step = 1; step <= q_.max_steps && !layer.empty(); ++step) {
      NextIndex next_index;
      std::vector<Partial> next;
      for (const Partial& p : layer) Expand(p, best, &next_index, &next, &answer);
      kept.push_back(std::move(layer));
      layer = std::move(next);
      for (const Partial& p : layer) {
        uint32_t o = p.nodes.back();
        if (best[o] == nullptr || p.confidence > best[o]->confidence) best[o] = &p;
        if (p.sector_key.empty() && (best_general[o] == nullptr || p.confidence > best_general[o]->confidence))
          best_general[o] = &p;
      }
      // `layer` moves into `kept` next round; pointers into its buffer stay valid.
    }
    kept.push_back(std::move(layer));
    answer.edges_examined = edges_examined_;
    // With no sector to go by (neither the query's nor the source qualification's), a
    // level's answer is its best path that holds for every sector, if one reaches it.
    if (sector_key_.empty() && source_sector_key_.empty())
      for (size_t o = 0; o < n; ++o)
        if (best_general[o] != nullptr) best[o] = best_general[o];
    Collect(best, &answer);
    CheckNodes(&answer);
    return answer;
  }

 private:
  // The next layer's path per (level, path sector): paths limited to different sectors
  // are kept apart, so a strong path of one sector never hides a weaker general one.
  using NextIndex = std::map<std::pair<uint32_t, std::string>, int>;

  // Whether mapping `m` may extend `p`: decided (unless proposed ones are asked for), and
  // if limited to a sector, one the query (or else the source qualification) names or,
  // with neither, the same as the path's other sector-specific mappings.
  bool Usable(const LevelMapping& m, const Partial& p) const {
    if (!q_.include_proposed && !m.is_decided) return false;
    if (m.sector_key.empty()) return true;
    if (!sector_key_.empty() && !SectorMatches(m.sector_key, sector_key_)) return false;
    if (sector_key_.empty() && !source_sector_key_.empty() && !SectorsOverlap(m.sector_key, source_sector_key_))
      return false;
    // With a sector to go by, every mapping let through holds for it ("Mines" and "Mines
    // et métallurgie" may chain); without one, a path keeps to one sector.
    if (!sector_key_.empty() || !source_sector_key_.empty()) return true;
    return p.sector_key.empty() || p.sector_key == m.sector_key;
  }

  void Expand(const Partial& p, const std::vector<const Partial*>& best,
              NextIndex* next_index, std::vector<Partial>* next, Answer* answer) {
    uint32_t at = p.nodes.back();
    // Dominated: a shorter path, no more sector-limited, reached this node with at least
    // this confidence.
    if (best[at] != nullptr && best[at] != &p && best[at]->steps.size() < p.steps.size() &&
        best[at]->confidence >= p.confidence &&
        (best[at]->sector_key.empty() || best[at]->sector_key == p.sector_key))
      return;
    for (const auto& nb : g_.nodes()[at].neighbors) {
      // The best mapping to this neighbour that the query's filters allow, and below it
      // any less sector-limited one (a general mapping may lead on where one limited to a
      // sector may not); mappings come best first.
      std::vector<std::string> taken;  // resulting path sectors already extended
      for (uint32_t mi : nb.mappings) {
        ++edges_examined_;
        const LevelMapping& m = g_.mappings()[mi];
        if (!Usable(m, p)) continue;
        const std::string& sector_key = m.sector_key.empty() ? p.sector_key : m.sector_key;
        auto is_taken = [&](const std::string& k) { return std::find(taken.begin(), taken.end(), k) != taken.end(); };
        if (is_taken(sector_key) || is_taken(p.sector_key)) continue;
        bool first = taken.empty();
        taken.push_back(sector_key);
        if (!Extend(p, at, {mi, nb.other, nb.stated}, sector_key, first, next_index, next, answer)) break;
      }
    }
  }

  // Extends `p` (at level `at`) over `edge`, whose mapping the filters allow, into the next
  // layer; `first`: the neighbour's best mapping (cycles are reported once, for it).
  // False when the neighbour cannot be entered at all (on the path, or the source's
  // framework).
  bool Extend(const Partial& p, uint32_t at, const Graph::Edge& edge, const std::string& sector_key,
              bool first, NextIndex* next_index, std::vector<Partial>* next, Answer* answer) {
    const LevelMapping& m = g_.mappings()[edge.mapping];
    uint32_t o = edge.other;
    const LevelRef& ref = g_.nodes()[o].ref;
    bool on_path = std::find(p.nodes.begin(), p.nodes.end(), o) != p.nodes.end();
    if (on_path || g_.nodes()[o].framework == source_framework_) {
      // Stated mappings leading back to the source framework form a cycle; the search
      // never goes round it (a path visits each level at most once and never passes
      // through the source framework).
      if (first && edge.stated && p.all_stated && !p.steps.empty() &&
          (o != source_ || p.steps.size() >= 2) && (o == source_ || !on_path))
        ReportCycle(p, m, ref, answer);
      return false;
    }
    double confidence = p.confidence * m.weight;
    int& slot = next_index->try_emplace({o, sector_key}, -1).first->second;
    if (slot >= 0 && (*next)[slot].confidence >= confidence) return true;
    Partial q = p;
    q.confidence = confidence;
    q.sector_key = sector_key;
    const LevelRef& here = g_.nodes()[at].ref;
    q.steps.push_back({edge.mapping, here, ref, edge.stated, StepStrength(m), m.weight});
    q.nodes.push_back(o);
    q.all_stated = p.all_stated && edge.stated;
    if (slot >= 0) {
      (*next)[slot] = std::move(q);
    } else {
      slot = static_cast<int>(next->size());
      next->push_back(std::move(q));
    }
    return true;
  }

  void ReportCycle(const Partial& p, const LevelMapping& closing, const LevelRef& back_at,
                   Answer* answer) {
    if (answer->problems.size() >= kMaxProblems) return;
    std::vector<std::string> ids;
    for (const auto& s : p.steps) ids.push_back(g_.mappings()[s.mapping].id);
    ids.push_back(closing.id);
    std::set<std::string> key(ids.begin(), ids.end());
    if (!cycles_seen_.insert(key).second) return;
    answer->problems.push_back({"cycle", ids, back_at,
                                back_at == q_.source ? "" : std::to_string(back_at.level)});
  }

  void Collect(const std::vector<const Partial*>& best, Answer* answer) {
    for (uint32_t o = 0; o < best.size(); ++o) {
      if (best[o] == nullptr) continue;
      const Graph::Node& node = g_.nodes()[o];
      if (node.framework == source_framework_) continue;
      if (!target_frameworks_[node.framework]) continue;
      Candidate c;
      c.level = node.ref;
      // A candidate is never in the source's framework, so never holds the source
      // qualification; every qualification placed at the level is listed (by sector).
      if (sector_key_.empty()) {
        c.qualifications_total = node.qualifications.size();
        c.qualifications.assign(node.qualifications.begin(),
                                node.qualifications.begin() +
                                    std::min(node.qualifications.size(), kMaxQualificationsPerLevel));
      } else {
        for (uint32_t qi : node.qualifications) {
          if (!SectorMatches(g_.qualifications()[qi].sector_key, sector_key_)) continue;
          ++c.qualifications_total;
          if (c.qualifications.size() < kMaxQualificationsPerLevel) c.qualifications.push_back(qi);
        }
      }
      if (!q_.sector.empty() && c.qualifications_total == 0) continue;
      c.path = best[o]->steps;
      c.confidence = best[o]->confidence;
      AddCaveats(&c);
      if (q_.reverse) {
        std::reverse(c.path.begin(), c.path.end());
        for (auto& s : c.path) {
          std::swap(s.from, s.to);
          s.stated = !s.stated;
        }
      }
      answer->candidates.push_back(std::move(c));
    }
    std::stable_sort(answer->candidates.begin(), answer->candidates.end(),
                     [](const Candidate& a, const Candidate& b) {
                       if (a.confidence != b.confidence) return a.confidence > b.confidence;
                       if (a.level.framework_id != b.level.framework_id)
                         return a.level.framework_id < b.level.framework_id;
                       return a.level.level < b.level.level;
                     });
  }

  void AddCaveats(Candidate* c) const {
    std::set<std::pair<std::string, std::string>> seen;
    auto add = [&](const char* code, const std::string& subject) {
      if (seen.insert({code, subject}).second) c->caveats.push_back({code, subject});
    };
    std::vector<std::string> frameworks = {q_.source.framework_id};
    for (const auto& s : c->path) {
      const LevelMapping& m = g_.mappings()[s.mapping];
      if (!m.is_decided) add("proposed_mapping", m.id);
      if (m.strength.empty()) add("strength_unstated", m.id);
      if (!m.sector.empty()) add("sector_specific", m.sector);
      for (const auto& d : m.differing_dimensions) add("dimension_differs", d);
      frameworks.push_back(s.to.framework_id);
    }
    for (const auto& id : frameworks)
      if (const Framework* fw = g_.FindFramework(id); fw != nullptr && fw->in_development())
        add("framework_in_development", id);
  }

  // Contradictions and mappings from a non-authority, at the source level and at the
  // levels the answer's paths go through.
  void CheckNodes(Answer* answer) const {
    std::set<uint32_t> nodes = {source_};
    for (const auto& c : answer->candidates)
      for (const auto& s : c.path) {
        nodes.insert(static_cast<uint32_t>(g_.FindNode(s.from.framework_id, s.from.level)));
        nodes.insert(static_cast<uint32_t>(g_.FindNode(s.to.framework_id, s.to.level)));
      }
    for (uint32_t n : nodes) {
      const Graph::Node& node = g_.nodes()[n];
      for (const auto& group : node.contradictions) {
        if (answer->problems.size() >= kMaxProblems) break;
        Problem p{"contradiction", {}, node.ref, g_.mappings()[group.front()].to.framework_id};
        for (uint32_t mi : group) p.mapping_ids.push_back(g_.mappings()[mi].id);
        answer->problems.push_back(std::move(p));
      }
      for (uint32_t mi : node.not_authority)
        if (answer->problems.size() < kMaxProblems)
          answer->problems.push_back({"not_authority", {g_.mappings()[mi].id}, node.ref,
                                      node.ref.framework_id});
    }
  }

  static constexpr size_t kMaxProblems = 20;  // an answer stays readable
  const Graph& g_;
  const Query& q_;
  const std::string sector_key_;
  const std::string source_sector_key_;
  uint32_t source_ = 0;
  uint32_t source_framework_ = 0;
  std::vector<bool> target_frameworks_;  // by framework index
  size_t edges_examined_ = 0;
  std::set<std::set<std::string>> cycles_seen_;
};

}  // namespace

double StepWeight(const LevelMapping& m) {
  double w = m.strength == "exact" ? 1.0 : m.strength == "best_fit" ? 0.8 : 0.5;
  return m.decided() ? w : w * 0.5;
}

const char* ConfidenceLabel(double confidence) {
  return confidence >= 0.75 ? "high" : confidence >= 0.45 ? "medium" : "low";
}

Answer Lookup(const Graph& graph, const Query& query) { return Search(graph, query).Run(); }

}  // namespace passerelle::equivalence
