#include "node/equivalence/answer_json.h"

#include <cmath>

namespace passerelle::equivalence {

using nlohmann::json;

namespace {

// Message templates per language; "{}" is replaced by the subject.
struct Texts {
  const char* proposed_mapping;
  const char* dimension_differs;
  const char* framework_in_development;
  const char* strength_unstated;
  const char* sector_specific;
  const char* cycle_source;
  const char* cycle_level;
  const char* contradiction;
  const char* not_authority;
  const char* disclaimer;
};

const Texts kFr = {
    "Le mappage {} est seulement proposé : ce n'est pas une décision de l'autorité du cadre.",
    "La dimension « {} » figure dans l'un des niveaux et pas dans l'autre.",
    "Le cadre {} est encore en construction : ses niveaux peuvent changer.",
    "Le mappage {} n'indique pas sa force ; il est compté comme partiel.",
    "Ce parcours passe par un mappage limité au secteur « {} ».",
    "Les mappages {} ramènent au niveau de départ ; la recherche s'y est arrêtée.",
    "Les mappages {} ramènent au cadre de départ à un autre niveau : ils se contredisent.",
    "Des mappages décidés placent ce niveau à plusieurs niveaux du cadre {}.",
    "Le mappage {} n'a pas été écrit par l'autorité du cadre source ; il est ignoré.",
    "Une comparaison de cadres de qualifications informe mais ne constitue pas une décision de "
    "reconnaissance : seule l'autorité compétente décide de reconnaître une qualification."};
const Texts kEs = {
    "La correspondencia {} solo está propuesta: no es una decisión de la autoridad del marco.",
    "La dimensión «{}» figura en uno de los niveles y no en el otro.",
    "El marco {} todavía está en construcción: sus niveles pueden cambiar.",
    "La correspondencia {} no indica su fuerza; se cuenta como parcial.",
    "Esta ruta pasa por una correspondencia limitada al sector «{}».",
    "Las correspondencias {} vuelven al nivel de partida; la búsqueda se detuvo allí.",
    "Las correspondencias {} vuelven al marco de partida en otro nivel: se contradicen.",
    "Correspondencias decididas sitúan este nivel en varios niveles del marco {}.",
    "La correspondencia {} no fue escrita por la autoridad del marco de origen; se ignora.",
    "Una comparación de marcos de cualificaciones informa pero no constituye una decisión de "
    "reconocimiento: solo la autoridad competente decide reconocer una cualificación."};
const Texts kEn = {
    "Mapping {} is only proposed: it is not a decision of the framework's authority.",
    "Dimension '{}' appears in one of the levels and not in the other.",
    "Framework {} is still being built: its levels may change.",
    "Mapping {} does not state its strength; it is counted as partial.",
    "This path goes through a mapping limited to the sector '{}'.",
    "Mappings {} lead back to the source level; the search stopped there.",
    "Mappings {} lead back to the source framework at another level: they contradict each other.",
    "Decided mappings place this level at several levels of framework {}.",
    "Mapping {} was not written by the source framework's authority; it is ignored.",
    "A comparison of qualifications frameworks informs but is not a recognition decision: only "
    "the competent authority decides to recognise a qualification."};

const Texts& TextsFor(const std::string& lang) {
  return lang == "es" ? kEs : lang == "en" ? kEn : kFr;
}

std::string Fill(const char* text, const std::string& subject) {
  std::string s = text;
  if (auto at = s.find("{}"); at != std::string::npos) s.replace(at, 2, subject);
  return s;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string s;
  for (const auto& id : ids) s += (s.empty() ? "" : ", ") + id;
  return s;
}

json LevelJson(const LevelRef& r) { return {{"framework_id", r.framework_id}, {"level", r.level}}; }

json Descriptors(const LevelInfo* info) {
  json d = json::object();
  if (info != nullptr)
    for (const auto& [k, v] : info->descriptors) d[k] = v;
  return d;
}

json QualificationJson(const Qualification& q) {
  return {{"id", q.id}, {"title", q.title}, {"country", q.country}, {"sector", q.sector}};
}

double Round(double x) { return std::round(x * 1000) / 1000; }

json StepJson(const Graph& g, const Step& s) {
  const LevelMapping& m = g.mappings()[s.mapping];
  return {{"mapping_id", m.id},      {"from", LevelJson(s.from)},
          {"to", LevelJson(s.to)},   {"strength", s.strength},
          {"status", m.status},      {"decided_by", m.owners},
          {"basis", m.basis},        {"direction", s.stated ? "stated" : "read_backwards"},
          {"weight", Round(s.weight)}, {"sector", m.sector}};
}

std::string CaveatMessage(const Texts& t, const Caveat& c) {
  if (c.code == "proposed_mapping") return Fill(t.proposed_mapping, c.subject);
  if (c.code == "dimension_differs") return Fill(t.dimension_differs, c.subject);
  if (c.code == "framework_in_development") return Fill(t.framework_in_development, c.subject);
  if (c.code == "sector_specific") return Fill(t.sector_specific, c.subject);
  return Fill(t.strength_unstated, c.subject);
}

std::string ProblemMessage(const Texts& t, const Problem& p) {
  if (p.kind == "cycle") return Fill(p.detail.empty() ? t.cycle_source : t.cycle_level, JoinIds(p.mapping_ids));
  if (p.kind == "contradiction") return Fill(t.contradiction, p.detail);
  return Fill(t.not_authority, JoinIds(p.mapping_ids));
}

}  // namespace

bool IsSupportedLang(const std::string& lang) { return lang == "fr" || lang == "es" || lang == "en"; }

const char* Disclaimer(const std::string& lang) { return TextsFor(lang).disclaimer; }

json AnswerToJson(const Graph& g, const Query& q, const Answer& a, const std::string& lang) {
  const Texts& t = TextsFor(lang);
  const LevelInfo* source_level = g.FindLevel(q.source);
  json source = {{"framework_id", q.source.framework_id},
                 {"level", q.source.level},
                 {"level_title", source_level ? source_level->title : ""},
                 {"descriptors", Descriptors(source_level)},
                 {"qualification", nullptr}};
  if (const Qualification* sq = q.source_qualification.empty() ? nullptr : g.FindQualification(q.source_qualification))
    source["qualification"] = QualificationJson(*sq);
  if (const Framework* fw = g.FindFramework(q.source.framework_id)) source["framework_name"] = fw->name;
  json target = {{"country", q.target_country.empty() ? json() : json(q.target_country)},
                 {"framework_id", q.target_framework.empty() ? json() : json(q.target_framework)}};
  json candidates = json::array();
  for (const auto& c : a.candidates) {
    const Framework* fw = g.FindFramework(c.level.framework_id);
    const LevelInfo* info = g.FindLevel(c.level);
    json quals = json::array();
    for (uint32_t qi : c.qualifications) quals.push_back(QualificationJson(g.qualifications()[qi]));
    json path = json::array();
    for (const auto& s : c.path) path.push_back(StepJson(g, s));
    json caveats = json::array();
    for (const auto& cv : c.caveats)
      caveats.push_back({{"code", cv.code}, {"subject", cv.subject}, {"message", CaveatMessage(t, cv)}});
    candidates.push_back({{"framework_id", c.level.framework_id},
                          {"framework_name", fw ? fw->name : ""},
                          {"country", fw && !fw->country.empty() ? json(fw->country) : json()},
                          {"level", c.level.level},
                          {"level_title", info ? info->title : ""},
                          {"descriptors", Descriptors(info)},
                          {"qualifications", std::move(quals)},
                          {"qualifications_total", c.qualifications_total},
                          {"path", std::move(path)},
                          {"confidence", Round(c.confidence)},
                          {"confidence_label", ConfidenceLabel(c.confidence)},
                          {"caveats", std::move(caveats)}});
  }
  json problems = json::array();
  for (const auto& p : a.problems)
    problems.push_back({{"kind", p.kind},
                        {"mapping_ids", p.mapping_ids},
                        {"level", LevelJson(p.level)},
                        {"message", ProblemMessage(t, p)}});
  return {{"source", std::move(source)},         {"target", std::move(target)},
          {"candidates", std::move(candidates)}, {"problems", std::move(problems)},
          {"reverse", q.reverse},                {"include_proposed", q.include_proposed},
          {"disclaimer", t.disclaimer},          {"lang", lang}};
}

}  // namespace passerelle::equivalence
