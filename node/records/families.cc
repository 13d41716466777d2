// The record families and their rules. Field names follow ../shared/seed-data (see
// its README); fields beyond the dataset (agreement status and end date, deliverable
// status and due date, indicator measurements, level descriptors…) follow DESIGN.md.
#include <algorithm>
#include <set>

#include "node/records/family.h"
#include "node/records/approval.h"

namespace passerelle::records {
namespace {

using nlohmann::json;
using Fields = std::vector<FieldSpec>;

FieldSpec Make(std::string name, FieldType type) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = type;
  return f;
}
FieldSpec Req(FieldSpec f) { f.required = true; return f; }
FieldSpec ListOf(FieldSpec f, size_t max_items = 200) { f.list = true; f.max_items = max_items; return f; }
FieldSpec Str(std::string n, size_t max_len = 300) { auto f = Make(std::move(n), FieldType::kString); f.max_len = max_len; return f; }
FieldSpec Text(std::string n, size_t max_len = 5000) { auto f = Make(std::move(n), FieldType::kText); f.max_len = max_len; return f; }
FieldSpec Strs(std::string n) { return ListOf(Str(std::move(n))); }
FieldSpec Texts(std::string n) { return ListOf(Text(std::move(n))); }
FieldSpec Id() { return Req(Make("id", FieldType::kId)); }
FieldSpec Date(std::string n) { return Make(std::move(n), FieldType::kDate); }
FieldSpec Country(std::string n) { return Make(std::move(n), FieldType::kCountry); }
FieldSpec Ref(std::string n, std::string kind) { auto f = Make(std::move(n), FieldType::kRef); f.ref_kind = std::move(kind); return f; }
FieldSpec WeakRef(std::string n, std::string kind) { auto f = Make(std::move(n), FieldType::kWeakRef); f.ref_kind = std::move(kind); return f; }
FieldSpec Enum(std::string n, std::vector<std::string> values) { auto f = Make(std::move(n), FieldType::kEnum); f.values = std::move(values); return f; }
// Integers travel as int32 in the protos, hence the default maximum.
FieldSpec Int(std::string n, double min = 0, double max = 2147483647) { auto f = Make(std::move(n), FieldType::kInt); f.min = min; f.max = max; return f; }
FieldSpec Num(std::string n, double min = -1e15, double max = 1e15) { auto f = Make(std::move(n), FieldType::kNumber); f.min = min; f.max = max; return f; }
FieldSpec Obj(std::string n, Fields children) { auto f = Make(std::move(n), FieldType::kObject); f.children = std::move(children); return f; }
FieldSpec NumMap(std::string n) { return Make(std::move(n), FieldType::kNumberMap); }
FieldSpec StrMap(std::string n, size_t max_len = 300) { auto f = Make(std::move(n), FieldType::kStringMap); f.max_len = max_len; return f; }

FieldSpec Source(std::string n = "source") {
  return Obj(std::move(n), {Req(Str("file")), Req(Text("quote", 1000))});
}
Fields Sourced(Fields f) {
  f.push_back(Texts("notes"));
  f.push_back(Source());
  f.push_back(ListOf(Source("extra_sources"), 50));
  return f;
}
FieldSpec Period() { return Obj("period", {Date("start"), Date("end")}); }
FieldSpec Milestones() {
  return ListOf(Obj("milestones", {Date("date"), Req(Text("description")), Source()}));
}
const std::vector<std::string> kQualifiers = {"more_than", "at_least", "approx", "increase",
                                              "target_exceeded"};
// Qualifiers by which a stated count is not exact: a lower bound ("plus de", "au moins",
// an objective surpassed) or an estimate ("environ"). Parts of such a count may add up to
// more than it. ("increase" states a rise and leaves the count exact.)
const std::vector<std::string> kInexactQualifiers = {"more_than", "at_least", "approx",
                                                     "target_exceeded"};

// Index value helpers.
// The values of a string, integer or list-of-strings field, appended to `out`.
void AddFieldValues(const json& r, const std::string& field, std::vector<std::string>* out) {
  auto it = r.find(field);
  if (it == r.end()) return;
  if (it->is_string()) out->push_back(it->get<std::string>());
  else if (it->is_number_integer()) out->push_back(std::to_string(it->get<int64_t>()));
  else if (it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out->push_back(v.get<std::string>());
}
IndexSpec FieldIndex(std::string name, std::string field, bool ordered = false) {
  return {std::move(name), [field](const IndexedRecord& rec) {
            std::vector<std::string> out;
            AddFieldValues(rec.fields, field, &out);
            return out;
          },
          ordered};
}
// The values of several fields, each once.
IndexSpec FieldsIndex(std::string name, std::vector<std::string> fields) {
  return {std::move(name), [fields](const IndexedRecord& rec) {
            std::vector<std::string> out;
            for (const auto& field : fields) AddFieldValues(rec.fields, field, &out);
            std::sort(out.begin(), out.end());
            out.erase(std::unique(out.begin(), out.end()), out.end());
            return out;
          }};
}
IndexSpec CountryIndex() {
  return {"country", [](const IndexedRecord& rec) {
            const json& r = rec.fields;
            std::set<std::string> out;
            if (auto it = r.find("country"); it != r.end() && it->is_string()) out.insert(it->get<std::string>());
            if (auto it = r.find("countries"); it != r.end() && it->is_array())
              for (const auto& c : *it)
                if (c.is_string()) out.insert(c.get<std::string>());
            return std::vector<std::string>(out.begin(), out.end());
          }};
}
// "framework_id:level" of an object such as a mapping's `from`, or the record itself.
std::vector<std::string> LevelKey(const json& o) {
  if (!o.is_object()) return {};
  auto fw = o.find("framework_id");
  auto lv = o.find("level");
  if (fw == o.end() || lv == o.end() || !fw->is_string() || !lv->is_number_integer()) return {};
  return {fw->get<std::string>() + ":" + std::to_string(lv->get<int64_t>())};
}
IndexSpec SideIndex(std::string name, std::string side, bool level) {
  return {std::move(name), [side, level](const IndexedRecord& rec) -> std::vector<std::string> {
            const json& r = rec.fields;
            auto it = r.find(side);
            if (it == r.end() || !it->is_object()) return {};
            if (level) return LevelKey(*it);
            std::vector<std::string> out;
            if (auto fw = it->find("framework_id"); fw != it->end() && fw->is_string())
              out.push_back(fw->get<std::string>());
            if (auto fws = it->find("framework_ids"); fws != it->end() && fws->is_array())
              for (const auto& f : *fws)
                if (f.is_string()) out.push_back(f.get<std::string>());
            return out;
          }};
}

// Cross-field rules (CrossFieldRule: each names the top-level fields it reads).
// `prefix` is where the two fields sit ("period."), for the field the refusal names.
Status DateOrder(const json& r, const char* start, const char* end, const std::string& prefix = "") {
  auto s = r.find(start), e = r.find(end);
  if (s == r.end() || e == r.end()) return Status::Ok();
  // Dates of equal or different precision compare as strings: "2019" < "2019-03".
  const auto& a = s->get_ref<const std::string&>();
  const auto& b = e->get_ref<const std::string&>();
  // An end within the start's period, at either precision, is not before it.
  if (b.compare(0, a.size(), a) != 0 && a.compare(0, b.size(), b) != 0 && b < a)
    return Status::Invalid(prefix + end, prefix + end + " " + b + " is before " + prefix + start + " " + a);
  return Status::Ok();
}
CrossFieldRule StartBeforeEnd() {
  return {{"start_date", "end_date"},
          [](const json& r) { return DateOrder(r, "start_date", "end_date"); }};
}
// A `period` object's end not before its start (institutions, indicators).
// `local_only`: institutions had no such rule before (indicators did).
CrossFieldRule PeriodOrder(bool local_only) {
  return {{"period"},
          [](const json& r) -> Status {
            if (auto p = r.find("period"); p != r.end() && p->is_object()) return DateOrder(*p, "start", "end", "period.");
            return Status::Ok();
          },
          local_only};
}
// women + men <= total, unless `qualifier` (a field, if given) says the total is not exact.
Status GenderCounts(const json& r, const char* women, const char* men, const char* total,
                    const std::string& prefix = "", const char* qualifier = nullptr) {
  auto t = r.find(total);
  if (t == r.end()) return Status::Ok();
  if (qualifier != nullptr)
    if (auto q = r.find(qualifier);
        q != r.end() && q->is_string() &&
        std::find(kInexactQualifiers.begin(), kInexactQualifiers.end(),
                  q->get_ref<const std::string&>()) != kInexactQualifiers.end())
      return Status::Ok();
  double sum = r.value(women, 0.0) + r.value(men, 0.0);
  if (sum > t->get<double>())
    return Status::Invalid(prefix + women, std::string(women) + " + " + men + " (" +
                                               std::to_string(static_cast<int64_t>(sum)) +
                                               ") exceeds " + total);
  return Status::Ok();
}

Fields ForumLikeFields(bool is_event) {
  Fields f = {Id(),
              Req(Str("title", 500)),
              Strs("alt_titles"),
              Date("start_date"),
              Date("end_date"),
              ListOf(Date("session_dates"), 50),
              Str("location"),
              Country("country"),
              Enum("format", {"in_person", "virtual", "hybrid"}),
              ListOf(Ref("organizers", "institution"), 50),
              Int("participants_total"),
              Int("participants_women"),
              Int("participants_men"),
              Enum("participants_qualifier", kQualifiers),
              Int("participants_trained"),
              Int("policies_shared"),
              Texts("themes"),
              Texts("outcomes"),
              Texts("recommendations"),
              ListOf(WeakRef("related_projects", "project")),
              ListOf(WeakRef("related_institutions", "institution")),
              ListOf(WeakRef("related_agreements", "agreement"))};
  if (is_event)
    f.push_back(Req(Enum("kind", {"summit", "colloquium", "mission", "convention", "congress",
                                  "workshop", "forum"})));
  else
    f.push_back(Int("number", 1, 1000));
  return Sourced(f);
}

std::vector<CrossFieldRule> ForumRules() {
  return {StartBeforeEnd(),
          {{"participants_women", "participants_men", "participants_total", "participants_qualifier"},
           [](const json& r) {
             return GenderCounts(r, "participants_women", "participants_men", "participants_total", "",
                                 "participants_qualifier");
           }}};
}

std::vector<Family> MakeFamilies() {
  std::vector<Family> fams;

  Family inst;
  inst.kind = "institution";
  inst.plural = "institutions";
  inst.fields = Sourced(
      {Id(), Req(Str("name", 500)), Str("name_fr", 500), Str("name_en", 500), Str("short_name", 100),
       Strs("aliases"), Country("country"), ListOf(Country("countries"), 250),
       Req(Enum("type", {"college", "cegep", "university", "institute", "school", "ministry",
                         "government_agency", "network", "ngo", "company", "international_org",
                         "program", "other"})),
       Str("city_or_region"), WeakRef("parent", "institution"),
       WeakRef("implemented_by", "institution"), WeakRef("funded_by", "institution"),
       Date("founded"), Date("inaugurated"), Str("status", 100), Int("member_count"),
       WeakRef("created_by_project", "project"), Period()});
  inst.indexes = {CountryIndex(), FieldIndex("type", "type")};
  inst.rules = {PeriodOrder(/*local_only=*/true)};
  inst.search_fields = {"name", "short_name", "name_fr", "name_en", "aliases", "id"};
  inst.owner_institution_fields = {"id"};
  fams.push_back(std::move(inst));

  Family agr;
  agr.kind = "agreement";
  agr.plural = "agreements";
  agr.fields = Sourced(
      {Id(), Req(Str("title", 500)), Req(ListOf(Ref("parties", "institution"), 50)),
       StrMap("party_roles"), Text("counterparty_note"), Date("signed_on"), Date("in_effect_by"),
       Date("announced_on"), Date("start_date"), Date("end_date"), Str("place"),
       Country("place_country"),
       Req(Enum("kind", {"cooperation", "consortium", "partnership", "mou", "other"})),
       Enum("status", {"draft", "proposed", "signed", "active", "expired", "terminated"}),
       Text("purpose"),
       ListOf(Obj("documents", {Req(Str("title", 500)), Str("url", 2000), Str("sha256", 64)}), 50),
       ListOf(WeakRef("related_projects", "project")), ListOf(WeakRef("related_events", "event")),
       ListOf(WeakRef("related_institutions", "institution"))});
  agr.indexes = {FieldIndex("party", "parties"), FieldIndex("end_date", "end_date", /*ordered=*/true),
                 FieldIndex("kind", "kind"),
                 // the status the API shows ("signed" once every party approved the terms)
                 {"status", [](const IndexedRecord& r) {
                    std::string shown = ShownStatus(r.fields, r.approvers, r.terms_hash);
                    return shown.empty() ? std::vector<std::string>{} : std::vector<std::string>{shown};
                  }}};
  agr.rules = {StartBeforeEnd(),
               {{"party_roles", "parties"}, [](const json& r) -> Status {
                  if (auto roles = r.find("party_roles"); roles != r.end()) {
                    const auto& parties = r["parties"];
                    for (const auto& [party, role] : roles->items())
                      if (std::find(parties.begin(), parties.end(), party) == parties.end())
                        return Status::Invalid("party_roles." + party, "not one of the parties");
                  }
                  return Status::Ok();
                }}};
  agr.field_check = [](const std::string& name, const json& value) -> Status {
    if (name == "status" && value == "signed")
      return Status::Invalid("status", "an agreement becomes signed when every party has approved its terms (approve)");
    return Status::Ok();
  };
  agr.search_fields = {"title", "parties", "place", "id"};
  agr.owner_institution_fields = {"parties"};
  agr.terms_fields = {"title", "parties", "party_roles", "kind", "purpose", "start_date",
                      "end_date", "place", "place_country", "documents", "counterparty_note"};
  fams.push_back(std::move(agr));

  Family proj;
  proj.kind = "project";
  proj.plural = "projects";
  proj.fields = Sourced(
      {Id(), Ref("program", "institution"), Req(Str("title", 500)), Str("title_alt", 500),
       Enum("component", {"A", "B"}), Str("theme", 500), ListOf(Int("theme_numbers", 1, 100), 20),
       ListOf(Country("countries"), 250), Strs("sectors"),
       ListOf(Ref("canadian_partners", "institution"), 50), Ref("lead_partner", "institution"),
       ListOf(Ref("partner_institutions", "institution"), 100), Strs("other_partners"),
       ListOf(WeakRef("related_institutions", "institution")), Str("duration", 100),
       Date("start_date"), Date("end_date"),
       Obj("funding", {Num("amount", 0), Str("currency", 3), Ref("funder", "institution"),
                       Str("program"), Source()}),
       Milestones(),
       ListOf(Obj("results", {Req(Text("description")), Num("value"), Str("unit"),
                              Enum("qualifier", kQualifiers), Num("target"),
                              NumMap("disaggregation"), Text("note"), Str("status", 50),
                              Int("courses"), Int("hours"), Int("levels"), Int("modules"),
                              Int("participants"), Int("programs"),
                              Int("technical_competencies"), Source()}))});
  // partner: an institution named in any partner field (keys::kIndexVersion 3; until 2
  // canadian_partners only).
  proj.indexes = {CountryIndex(), FieldIndex("component", "component"),
                  FieldIndex("program", "program"),
                  FieldsIndex("partner", {"lead_partner", "canadian_partners", "partner_institutions"})};
  proj.rules = {StartBeforeEnd()};
  proj.search_fields = {"title", "title_alt", "lead_partner", "id"};
  proj.owner_institution_fields = {"lead_partner", "canadian_partners", "partner_institutions"};
  fams.push_back(std::move(proj));

  Family del;
  del.kind = "deliverable";
  del.plural = "deliverables";
  del.fields = {Id(),
                Req(Ref("project", "project")),
                Req(Text("title", 1000)),
                Ref("owner_institution", "institution"),
                Country("country"),
                Date("due_date"),
                Enum("status", {"planned", "in_progress", "delivered", "late", "cancelled"}),
                Text("evidence"),
                Str("evidence_url", 2000),
                Int("position", 0, 100000),
                Texts("notes")};
  del.indexes = {FieldIndex("project", "project"), FieldIndex("country", "country"),
                 FieldIndex("status", "status"), FieldIndex("due_date", "due_date", /*ordered=*/true)};
  del.search_fields = {"title", "project", "id"};
  del.owner_parents = {{"project", "project"}};
  del.parent_kind = "project";
  del.parent_field = "project";
  fams.push_back(std::move(del));

  Family ind;
  ind.kind = "indicator";
  ind.plural = "indicators";
  ind.fields = {Id(),
                Ref("project", "project"),
                Ref("scope", "institution"),
                Str("section", 500),
                Req(Text("description", 2000)),
                Str("unit", 100),
                Num("value"),
                Enum("qualifier", kQualifiers),
                Num("baseline"),
                Num("target"),
                NumMap("breakdown"),
                Period(),
                ListOf(Obj("measurements", {Req(Str("period", 50)), Req(Num("value")),
                                            Int("women"), Int("men"), Text("note")}),
                       500),
                Text("note"),
                Texts("notes"),
                Source()};
  ind.indexes = {FieldIndex("project", "project"), FieldIndex("scope", "scope")};
  ind.rules = {PeriodOrder(/*local_only=*/false),
               {{"measurements"}, [](const json& r) -> Status {
                  if (auto ms = r.find("measurements"); ms != r.end())
                    for (size_t i = 0; i < ms->size(); ++i)
                      PASSERELLE_RETURN_IF_ERROR(GenderCounts((*ms)[i], "women", "men", "value",
                                                              "measurements[" + std::to_string(i) + "]."));
                  return Status::Ok();
                }}};
  ind.search_fields = {"description", "section", "unit", "id"};
  ind.owner_parents = {{"project", "project"}};
  ind.owner_institution_fields = {"scope"};
  ind.parent_kind = "project";
  ind.parent_field = "project";
  fams.push_back(std::move(ind));

  Family forum;
  forum.kind = "forum";
  forum.plural = "forums";
  forum.fields = ForumLikeFields(false);
  forum.indexes = {CountryIndex(), FieldIndex("format", "format"),
                   FieldIndex("organizer", "organizers")};
  forum.rules = ForumRules();
  forum.search_fields = {"title", "alt_titles", "location", "organizers", "id"};
  forum.owner_institution_fields = {"organizers"};
  fams.push_back(forum);

  Family event = forum;
  event.kind = "event";
  event.plural = "events";
  event.fields = ForumLikeFields(true);
  event.indexes.push_back(FieldIndex("kind", "kind"));
  fams.push_back(std::move(event));

  Family fw;
  fw.kind = "framework";
  fw.plural = "frameworks";
  fw.fields = Sourced(
      {Id(), Req(Str("name", 500)), Str("name_original", 500), Str("short_name", 100),
       Enum("framework_type", {"qualifications", "classification", "competency_reference"}),
       Req(Enum("scope", {"regional", "national", "international", "sectoral"})),
       Country("country"), Str("region"), ListOf(Country("countries"), 250), Str("sector"),
       Int("levels_count", 1, 20), Strs("dimensions"), WeakRef("reference", "framework"),
       Enum("status", {"base_structure_defined", "includes_qualifications", "in_development",
                       "published", "reference"}),
       Text("status_detail"), Ref("authority", "institution"),
       ListOf(Ref("developed_by", "institution"), 50),
       ListOf(WeakRef("related_projects", "project")), Milestones(),
       ListOf(Obj("levels", {Req(Int("level", 1, 20)), Str("title", 300), Strs("dimensions"),
                             StrMap("descriptors", 3000), Text("notes"), Source()}),
              20)});
  fw.indexes = {CountryIndex(), FieldIndex("scope", "scope")};
  fw.rules = {{{"levels", "levels_count"}, [](const json& r) -> Status {
    auto levels = r.find("levels");
    if (levels == r.end()) return Status::Ok();
    std::set<int64_t> seen;
    int64_t count = r.value("levels_count", int64_t{20});
    for (size_t i = 0; i < levels->size(); ++i) {
      int64_t l = (*levels)[i]["level"].get<int64_t>();
      std::string field = "levels[" + std::to_string(i) + "].level";
      if (!seen.insert(l).second) return Status::Invalid(field, "level " + std::to_string(l) + " appears twice");
      if (l > count)
        return Status::Invalid(field, "level " + std::to_string(l) + " exceeds levels_count " + std::to_string(count));
    }
    return Status::Ok();
  }}};
  fw.search_fields = {"name", "short_name", "name_original", "id"};
  fw.owner_institution_fields = {"authority", "developed_by"};
  fams.push_back(std::move(fw));

  Family qual;
  qual.kind = "qualification";
  qual.plural = "qualifications";
  qual.fields = Sourced(
      {Id(), Req(Str("title", 500)),
       Enum("credential_type", {"AEC", "RAC", "TSU", "technical_program", "technologist_program",
                                "engineering_program", "technical_pathway",
                                "continuing_education", "short_course", "module", "unspecified"}),
       Ref("awarding_institution", "institution"), ListOf(Ref("developed_by", "institution"), 50),
       Country("country"), Str("sector"), Int("duration_hours", 0, 100000), Text("structure"),
       Enum("status", {"in_development", "developed", "revised", "offered"}),
       Ref("framework_id", "framework"), Int("level", 1, 20),
       ListOf(WeakRef("related_projects", "project")), Milestones()});
  qual.indexes = {{"level", [](const IndexedRecord& r) { return LevelKey(r.fields); }},
                  FieldIndex("framework", "framework_id"), CountryIndex(),
                  FieldIndex("sector", "sector")};
  qual.rules = {{{"level", "framework_id"}, [](const json& r) -> Status {
                   if (r.contains("level") && !r.contains("framework_id"))
                     return Status::Invalid("framework_id", "required when level is set");
                   return Status::Ok();
                 }}};
  qual.search_fields = {"title", "awarding_institution", "sector", "id"};
  qual.owner_institution_fields = {"awarding_institution", "developed_by"};
  qual.owner_parents = {{"framework", "framework_id"}};
  fams.push_back(std::move(qual));

  auto side = [](std::string n) {
    return Obj(std::move(n), {Ref("framework_id", "framework"),
                              ListOf(Ref("framework_ids", "framework"), 50),
                              Ref("qualification_id", "qualification"), Int("level", 1, 20)});
  };
  Family map;
  map.kind = "mapping";
  map.plural = "mappings";
  map.fields = {Id(),
                Req(Enum("type", {"level_mapping", "framework_reference", "sector_classification",
                                  "planned_correlation", "designed_with_reference_to",
                                  "articulation", "component_of"})),
                side("from"),
                side("to"),
                Ref("framework_id", "framework"),
                Str("sector"),
                ListOf(Country("countries"), 250),
                Req(Enum("status", {"proposed", "approved", "stated", "completed", "planned"})),
                Enum("strength", {"exact", "best_fit", "partial"}),
                Text("basis", 2000),
                Text("description"),
                Text("notes"),
                Source()};
  map.indexes = {SideIndex("source_level", "from", true), SideIndex("target_level", "to", true),
                 SideIndex("source_framework", "from", false),
                 SideIndex("target_framework", "to", false), FieldIndex("status", "status")};
  map.rules = {{{"from", "to"}, [](const json& r) -> Status {
                  for (const char* s : {"from", "to"})
                    if (auto it = r.find(s); it != r.end() && it->contains("level") && !it->contains("framework_id"))
                      return Status::Invalid(std::string(s) + ".framework_id", "required when level is set");
                  return Status::Ok();
                }}};
  map.search_fields = {"description", "sector", "type", "id"};
  map.owner_parents = {{"framework", "from.framework_id"},
                       {"qualification", "from.qualification_id"},
                       {"framework", "framework_id"}};
  fams.push_back(std::move(map));
  return fams;
}

}  // namespace

const std::vector<Family>& Families() {
  static const std::vector<Family> kFamilies = MakeFamilies();
  return kFamilies;
}

const Family* FindFamily(std::string_view name) {
  for (const auto& f : Families())
    if (f.kind == name || f.plural == name) return &f;
  return nullptr;
}

}  // namespace passerelle::records
