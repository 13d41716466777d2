#include "node/service/equivalence_service.h"

#include "node/equivalence/answer_json.h"
#include "node/equivalence/engine.h"
#include "node/equivalence/graph.h"
#include "node/records/family.h"
#include "node/service/record_service.h"

namespace passerelle::service {

using nlohmann::json;

namespace {

constexpr size_t kMaxArg = 300;

// Every record of a family, page by page, handed to `add`.
Status ForEach(const RecordService& records, const char* kind,
               const std::function<void(const json&)>& add) {
  ListQuery q;
  q.page_size = kMaxPageSize;
  while (true) {
    auto page = records.List(kind, q);
    if (!page.ok()) return page.status();
    for (const auto& r : page->records) add(r);
    if (page->next_page_token.empty()) return Status::Ok();
    q.page_token = page->next_page_token;
  }
}

Status CheckLength(const std::string& value, const char* field) {
  if (value.size() > kMaxArg) return Status::Invalid(field, "longer than 300 characters");
  return Status::Ok();
}

}  // namespace

EquivalenceService::EquivalenceService(const RecordService* records) : records_(records) {}
EquivalenceService::~EquivalenceService() = default;

Result<std::shared_ptr<const equivalence::Graph>> EquivalenceService::Build() const {
  auto graph = std::make_shared<equivalence::Graph>();
  // A framework's mappings are decided by the members acting for its authority (its
  // owners only when no member does): co-owners named by hand decide nothing.
  const records::Family& framework = *records::FindFamily("framework");
  PASSERELLE_RETURN_IF_ERROR(ForEach(*records_, "framework", [&](const json& r) {
    graph->AddFramework(r, records_->MembersActingFor(framework, r));
  }));
  PASSERELLE_RETURN_IF_ERROR(ForEach(*records_, "qualification", [&](const json& r) { graph->AddQualification(r); }));
  PASSERELLE_RETURN_IF_ERROR(ForEach(*records_, "mapping", [&](const json& r) { graph->AddMapping(r); }));
  graph->Finish();
  return std::shared_ptr<const equivalence::Graph>(std::move(graph));
}

Result<std::shared_ptr<const equivalence::Graph>> EquivalenceService::Current() {
  uint64_t generation = records_->Generation();
  {
    std::lock_guard lock(snap_mu_);
    if (graph_ && graph_generation_ == generation) return graph_;
  }
  std::unique_lock rebuild(rebuild_mu_, std::try_to_lock);
  if (!rebuild.owns_lock()) {
    {
      std::lock_guard lock(snap_mu_);
      if (graph_) return graph_;  // someone is rebuilding: answer from the previous graph
    }
    rebuild.lock();  // the first graph: wait for it
  }
  generation = records_->Generation();  // read before listing: a later commit rebuilds again
  {
    std::lock_guard lock(snap_mu_);
    if (graph_ && graph_generation_ == generation) return graph_;
  }
  auto built = Build();
  if (!built.ok()) return built.status();
  std::lock_guard lock(snap_mu_);
  graph_ = *built;
  graph_generation_ = generation;
  return graph_;
}

Result<json> EquivalenceService::Lookup(const EquivalenceRequest& r) {
  std::string lang = r.lang.empty() ? "fr" : r.lang;
  if (!equivalence::IsSupportedLang(lang))
    return Status::Invalid("lang", "must be fr, es or en");
  for (auto [value, field] : {std::pair{&r.qualification, "qualification"}, {&r.framework, "framework"},
                              {&r.target_country, "target_country"},
                              {&r.target_framework, "target_framework"}, {&r.sector, "sector"}})
    PASSERELLE_RETURN_IF_ERROR(CheckLength(*value, field));
  if (!r.qualification.empty() && (!r.framework.empty() || r.level))
    return Status::Invalid("framework", "give either a qualification or a framework and level, not both");
  if (r.qualification.empty() && r.framework.empty())
    return Status::Invalid("qualification", "required: a qualification, or a framework and a level");
  if (!r.framework.empty() && !r.level) return Status::Invalid("level", "required with framework");
  if (r.target_country.empty() && r.target_framework.empty())
    return Status::Invalid("target_country", "required: a target country and/or a target framework");
  if (!r.target_country.empty() && !records::IsCountryCode(r.target_country))
    return Status::Invalid("target_country", "not an ISO 3166-1 alpha-2 country code");

  auto current = Current();
  if (!current.ok()) return current.status();
  const equivalence::Graph& g = **current;

  equivalence::Query q;
  if (!r.qualification.empty()) {
    const equivalence::Qualification* qual = g.FindQualification(r.qualification);
    if (qual == nullptr)
      return Status::NotFound("no qualification with id '" + r.qualification + "'", "qualification");
    if (qual->level == 0 || !g.HasLevel(qual->framework_id, qual->level))
      return Status(Code::kFailedPrecondition,
                    "qualification '" + r.qualification + "' is not placed at a level of a framework",
                    "qualification");
    q.source = {qual->framework_id, qual->level};
    q.source_qualification = qual->id;
    q.source_sector = qual->sector;
  } else {
    if (g.FindFramework(r.framework) == nullptr)
      return Status::NotFound("no framework with id '" + r.framework + "'", "framework");
    if (*r.level < 1 || *r.level > 1000 || !g.HasLevel(r.framework, static_cast<int>(*r.level)))
      return Status::NotFound("framework " + r.framework + " has no level " + std::to_string(*r.level), "level");
    q.source = {r.framework, static_cast<int>(*r.level)};
  }
  const equivalence::Framework* source_fw = g.FindFramework(q.source.framework_id);
  if (!r.target_framework.empty()) {
    const equivalence::Framework* target = g.FindFramework(r.target_framework);
    if (target == nullptr)
      return Status::NotFound("no framework with id '" + r.target_framework + "'", "target_framework");
    if (target->id == source_fw->id)
      return Status::Invalid("target_framework", "the target is the source's own framework " + target->id);
  } else if (!source_fw->country.empty() && r.target_country == source_fw->country) {
    return Status::Invalid("target_country", "the target is the source's own country " + r.target_country +
                                                 " (name a target_framework to compare within it)");
  }
  q.target_country = r.target_country;
  q.target_framework = r.target_framework;
  q.sector = r.sector;
  q.include_proposed = r.include_proposed;
  q.reverse = r.reverse;
  auto answer = equivalence::Lookup(g, q);
  return equivalence::AnswerToJson(g, q, answer, lang);
}

}  // namespace passerelle::service
