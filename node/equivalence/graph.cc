#include "node/equivalence/graph.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "node/equivalence/engine.h"
#include "node/text/text_fold.h"

namespace passerelle::equivalence {

using nlohmann::json;

namespace {

std::string Str(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int Int(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) return 0;
  int64_t v = it->get<int64_t>();
  return v > 0 && v <= 1000 ? static_cast<int>(v) : 0;
}
std::vector<std::string> Strs(const json& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it != o.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}
}  // namespace

std::string SectorKey(std::string_view sector) { return text::FoldText(sector); }

namespace {

std::string Key(const std::string& fw, int level) { return fw + ":" + std::to_string(level); }
bool Shares(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a)
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  return false;
}

}  // namespace

void Graph::AddFramework(const json& r, std::vector<std::string> deciders) {
  if (!r.is_object()) return;
  Framework f;
  f.id = Str(r, "id");
  if (f.id.empty()) return;
  f.name = Str(r, "name");
  f.scope = Str(r, "scope");
  f.country = Str(r, "country");
  f.status = Str(r, "status");
  f.countries = Strs(r, "countries");
  f.dimensions = Strs(r, "dimensions");
  f.owners = deciders.empty() ? Strs(r, "owners") : std::move(deciders);
  f.levels_count = Int(r, "levels_count");
  if (auto levels = r.find("levels"); levels != r.end() && levels->is_array()) {
    for (const auto& l : *levels) {
      if (!l.is_object()) continue;
      LevelInfo info;
      info.level = Int(l, "level");
      if (info.level == 0) continue;
      info.title = Str(l, "title");
      info.dimensions = Strs(l, "dimensions");
      if (info.dimensions.empty()) info.dimensions = f.dimensions;
      if (auto d = l.find("descriptors"); d != l.end() && d->is_object())
        for (const auto& [k, v] : d->items())
          if (v.is_string()) info.descriptors[k] = v.get<std::string>();
      f.levels[info.level] = std::move(info);
    }
  }
  // The service's rule (RecordService::CheckReferences): the declared levels when the
  // framework lists any, else 1..levels_count.
  if (r.find("levels") == r.end())
    for (int l = 1; l <= f.levels_count; ++l) f.levels[l] = LevelInfo{l, "", f.dimensions, {}};
  frameworks_[f.id] = std::move(f);
}

void Graph::AddQualification(const json& r) {
  if (!r.is_object()) return;
  Qualification q;
  q.id = Str(r, "id");
  if (q.id.empty()) return;
  q.title = Str(r, "title");
  q.country = Str(r, "country");
  q.sector = Str(r, "sector");
  q.sector_key = SectorKey(q.sector);
  q.framework_id = Str(r, "framework_id");
  q.level = Int(r, "level");
  qualification_index_[q.id] = static_cast<uint32_t>(qualifications_.size());
  qualifications_.push_back(std::move(q));
}

void Graph::AddMapping(const json& r) {
  if (!r.is_object() || Str(r, "type") != "level_mapping") return;
  auto from = r.find("from"), to = r.find("to");
  if (from == r.end() || to == r.end() || !from->is_object() || !to->is_object()) return;
  LevelMapping m;
  m.id = Str(r, "id");
  m.status = Str(r, "status");
  m.strength = Str(r, "strength");
  m.basis = Str(r, "basis");
  if (m.basis.empty()) m.basis = Str(r, "description");
  m.sector = Str(r, "sector");
  m.owners = Strs(r, "owners");
  m.writer = Str(r, "updated_by");
  m.writer = m.writer.substr(0, m.writer.find('/'));  // "member/user"
  m.from = {Str(*from, "framework_id"), Int(*from, "level")};
  m.to = {Str(*to, "framework_id"), Int(*to, "level")};
  if (m.id.empty() || m.from.framework_id.empty() || m.to.framework_id.empty() ||
      m.from.level == 0 || m.to.level == 0 || m.from == m.to)
    return;
  mappings_.push_back(std::move(m));
}

uint32_t Graph::NodeOf(const LevelRef& ref) {
  auto [it, added] = node_index_.emplace(Key(ref.framework_id, ref.level), nodes_.size());
  if (added) {
    Node node;
    node.ref = ref;
    node.framework = static_cast<uint32_t>(FrameworkIndex(ref.framework_id));
    nodes_.push_back(std::move(node));
  }
  return it->second;
}

int64_t Graph::FrameworkIndex(const std::string& id) const {
  auto it = frameworks_.find(id);
  return it == frameworks_.end() ? -1 : std::distance(frameworks_.begin(), it);
}

void Graph::Finish() {
  for (const auto& [id, f] : frameworks_)
    for (const auto& [level, info] : f.levels) NodeOf({id, level});
  for (uint32_t i = 0; i < mappings_.size(); ++i) {
    const auto& m = mappings_[i];
    int64_t a = FindNode(m.from.framework_id, m.from.level);
    int64_t b = FindNode(m.to.framework_id, m.to.level);
    if (a < 0 || b < 0) continue;  // a level the framework does not (or no longer) has
    const Framework* source = FindFramework(m.from.framework_id);
    bool unowned_data = m.owners.empty() && source->owners.empty();  // bare test data
    // Decided by the authority: among the owners, and (when shown) the last writer too,
    // since only the authority's node may write a level mapping (RecordService). Owners
    // alone would trust another member's node that named the authority as a co-owner.
    bool by_authority = Shares(m.owners, source->owners) &&
                        (m.writer.empty() || Shares({m.writer}, source->owners));
    if (!unowned_data && !by_authority) {
      nodes_[a].not_authority.push_back(i);
      continue;
    }
    auto& mm = mappings_[i];
    const LevelInfo* la = FindLevel(mm.from);
    const LevelInfo* lb = FindLevel(mm.to);
    if (!la->dimensions.empty() && !lb->dimensions.empty()) {
      for (const auto& d : la->dimensions)
        if (std::find(lb->dimensions.begin(), lb->dimensions.end(), d) == lb->dimensions.end())
          mm.differing_dimensions.push_back(d);
      for (const auto& d : lb->dimensions)
        if (std::find(la->dimensions.begin(), la->dimensions.end(), d) == la->dimensions.end())
          mm.differing_dimensions.push_back(d);
    }
    mm.weight = StepWeight(mm) * std::pow(kDimensionFactor, mm.differing_dimensions.size());
    mm.is_decided = mm.decided();
    mm.sector_key = SectorKey(mm.sector);
    nodes_[a].edges.push_back({i, static_cast<uint32_t>(b), true});
    nodes_[b].edges.push_back({i, static_cast<uint32_t>(a), false});
  }
  for (auto& node : nodes_) {
    std::map<std::pair<uint32_t, bool>, std::vector<uint32_t>> by_neighbor;
    for (const auto& e : node.edges) by_neighbor[{e.other, e.stated}].push_back(e.mapping);
    for (auto& [key, ms] : by_neighbor) {
      std::sort(ms.begin(), ms.end(), [this](uint32_t a, uint32_t b) {
        if (mappings_[a].weight != mappings_[b].weight) return mappings_[a].weight > mappings_[b].weight;
        return mappings_[a].id < mappings_[b].id;
      });
      node.neighbors.push_back({key.first, key.second, std::move(ms)});
    }
  }
  for (auto& node : nodes_) {
    // (target framework, sector) -> level -> decided mappings stating it.
    std::map<std::pair<std::string, std::string>, std::map<int, std::vector<uint32_t>>> stated;
    for (const auto& e : node.edges) {
      const LevelMapping& m = mappings_[e.mapping];
      if (e.stated && m.is_decided) stated[{m.to.framework_id, m.sector}][m.to.level].push_back(e.mapping);
    }
    for (const auto& [target, levels] : stated) {
      if (levels.size() < 2) continue;
      std::vector<uint32_t> group;
      for (const auto& [level, ids] : levels) group.insert(group.end(), ids.begin(), ids.end());
      node.contradictions.push_back(std::move(group));
    }
  }
  for (uint32_t i = 0; i < qualifications_.size(); ++i) {
    const auto& q = qualifications_[i];
    if (q.level == 0) continue;
    int64_t n = FindNode(q.framework_id, q.level);
    if (n >= 0) nodes_[n].qualifications.push_back(i);
  }
}

const Framework* Graph::FindFramework(const std::string& id) const {
  auto it = frameworks_.find(id);
  return it == frameworks_.end() ? nullptr : &it->second;
}

const Qualification* Graph::FindQualification(const std::string& id) const {
  auto it = qualification_index_.find(id);
  return it == qualification_index_.end() ? nullptr : &qualifications_[it->second];
}

int64_t Graph::FindNode(const std::string& framework_id, int level) const {
  auto it = node_index_.find(Key(framework_id, level));
  return it == node_index_.end() ? -1 : static_cast<int64_t>(it->second);
}

const LevelInfo* Graph::FindLevel(const LevelRef& ref) const {
  const Framework* f = FindFramework(ref.framework_id);
  if (f == nullptr) return nullptr;
  auto it = f->levels.find(ref.level);
  return it == f->levels.end() ? nullptr : &it->second;
}

bool Graph::HasLevel(const std::string& framework_id, int level) const {
  return FindLevel({framework_id, level}) != nullptr;
}

}  // namespace passerelle::equivalence
