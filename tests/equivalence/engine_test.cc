// Table-driven tests of the pure equivalence engine over a small world: three national
// frameworks (CL, CO, PE), a regional one still being built (mrc), a Mexican one that
// closes a cycle, and a chain of frameworks longer than the search goes.
#include <set>

#include "node/equivalence/answer_json.h"
#include "node/equivalence/engine.h"
#include "tests/test_util.h"

using namespace passerelle::equivalence;
using nlohmann::json;

namespace {

const json kDims = {"K", "S", "A"};

json Fw(const std::string& id, const std::string& country, int levels, json owners,
        json dims = kDims, const std::string& status = "includes_qualifications") {
  json f = {{"id", id}, {"name", "Framework " + id}, {"scope", country.empty() ? "regional" : "national"},
            {"levels_count", levels}, {"dimensions", dims}, {"status", status}, {"owners", owners}};
  if (!country.empty()) f["country"] = country;
  return f;
}

json Map(const std::string& id, const std::string& from_fw, int from_l, const std::string& to_fw,
         int to_l, const std::string& status, const std::string& strength, json owners = {"pa"},
         const std::string& sector = "") {
  json m = {{"id", id}, {"type", "level_mapping"}, {"status", status},
            {"from", {{"framework_id", from_fw}, {"level", from_l}}},
            {"to", {{"framework_id", to_fw}, {"level", to_l}}},
            {"basis", "test basis " + id}, {"owners", owners}};
  if (!strength.empty()) m["strength"] = strength;
  if (!sector.empty()) m["sector"] = sector;
  return m;
}

json Qual(const std::string& id, const std::string& fw, int level, const std::string& country,
          const std::string& sector) {
  return {{"id", id}, {"title", "Qualification " + id}, {"framework_id", fw}, {"level", level},
          {"country", country}, {"sector", sector}};
}

const Graph& World() {
  static const Graph g = [] {
    Graph g;
    g.AddFramework(Fw("cl", "CL", 5, {"pa"}));
    g.AddFramework(Fw("co", "CO", 5, {"pa"}));
    g.AddFramework(Fw("pe", "PE", 8, {"pa"}, {"K", "S"}));
    g.AddFramework(Fw("mrc", "", 8, {"pa"}, kDims, "base_structure_defined"));
    g.AddFramework(Fw("mx", "MX", 5, {"mx"}));
    for (int i = 1; i <= 5; ++i) g.AddFramework(Fw("c" + std::to_string(i), "AR", 3, {"pa"}));
    // direct, and two steps through the regional framework
    g.AddMapping(Map("m-cl2-co2", "cl", 2, "co", 2, "approved", "exact"));
    g.AddMapping(Map("m-cl3-mrc4", "cl", 3, "mrc", 4, "approved", "exact"));
    g.AddMapping(Map("m-co4-mrc4", "co", 4, "mrc", 4, "approved", "best_fit"));
    // proposed only (and PE lacks dimension A)
    g.AddMapping(Map("m-pe5-mrc4", "pe", 5, "mrc", 4, "proposed", "best_fit"));
    // contradiction: cl:4 placed at two mrc levels by decided mappings
    g.AddMapping(Map("m-cl4-mrc5", "cl", 4, "mrc", 5, "approved", "exact"));
    g.AddMapping(Map("m-cl4-mrc6", "cl", 4, "mrc", 6, "stated", "best_fit"));
    // cycle: mx:1 -> mrc:1 -> co:1 -> mx:2
    g.AddMapping(Map("m-mx1-mrc1", "mx", 1, "mrc", 1, "approved", "exact", {"mx"}));
    g.AddMapping(Map("m-mrc1-co1", "mrc", 1, "co", 1, "approved", "exact"));
    g.AddMapping(Map("m-co1-mx2", "co", 1, "mx", 2, "approved", "exact"));
    // written by a member that is not cl's authority
    g.AddMapping(Map("m-bad", "cl", 5, "mrc", 7, "approved", "exact", {"mx"}));
    // sector-specific mapping, unstated strength
    g.AddMapping(Map("m-co5-mrc8-mines", "co", 5, "mrc", 8, "approved", "", {"pa"}, "Mines"));
    g.AddMapping(Map("m-cl1-mrc8", "cl", 1, "mrc", 8, "approved", "exact"));
    // a chain longer than kMaxSteps: cl:5 -> c1 -> c2 -> c3 -> c4 -> c5
    g.AddMapping(Map("m-chain0", "cl", 5, "c1", 1, "approved", "exact"));
    for (int i = 1; i < 5; ++i)
      g.AddMapping(Map("m-chain" + std::to_string(i), "c" + std::to_string(i), 1,
                       "c" + std::to_string(i + 1), 1, "approved", "exact"));
    g.AddQualification(Qual("q-cl-3", "cl", 3, "CL", "Mines"));
    g.AddQualification(Qual("q-co-4-mines", "co", 4, "CO", "Mines (extraction)"));
    g.AddQualification(Qual("q-co-4-elec", "co", 4, "CO", "Électricité"));
    g.AddQualification(Qual("q-co-2", "co", 2, "CO", "Tourisme"));
    g.AddQualification(Qual("q-co-5", "co", 5, "CO", "Mines"));
    g.AddQualification(Qual("q-pe-5", "pe", 5, "PE", "Mines"));
    g.Finish();
    return g;
  }();
  return g;
}

std::string Key(const LevelRef& r) { return r.framework_id + ":" + std::to_string(r.level); }

struct Row {
  const char* name;
  LevelRef source;
  std::string target_country, target_framework, sector;
  bool include_proposed, reverse;
  std::vector<std::string> candidates;     // fw:level, best first
  std::vector<std::string> first_path;     // mapping ids of the first candidate's path
  double first_confidence;                 // < 0: not checked
  std::set<std::string> first_caveats;     // caveat codes of the first candidate
  std::set<std::string> problems;          // problem kinds
};

}  // namespace

TEST_CASE("Equivalence engine: lookups over the test world", "[equivalence]") {
  const std::vector<Row> rows = {
      {"direct mapping", {"cl", 2}, "CO", "", "", false, false,
       {"co:2"}, {"m-cl2-co2"}, 1.0, {}, {}},
      {"two steps through the regional framework (second read backwards)", {"cl", 3}, "CO", "", "", false, false,
       {"co:4"}, {"m-cl3-mrc4", "m-co4-mrc4"}, 0.8, {"framework_in_development"}, {}},
      {"proposed-only path excluded by default", {"cl", 3}, "PE", "", "", false, false,
       {}, {}, -1, {}, {}},
      {"proposed-only path included on request, with caveats", {"cl", 3}, "PE", "", "", true, false,
       {"pe:5"}, {"m-cl3-mrc4", "m-pe5-mrc4"}, 0.8 * 0.5 * 0.9,
       {"proposed_mapping", "dimension_differs", "framework_in_development"}, {}},
      {"contradicting decided mappings reported", {"cl", 4}, "", "mrc", "", false, false,
       {"mrc:5", "mrc:6"}, {"m-cl4-mrc5"}, 1.0, {"framework_in_development"}, {"contradiction"}},
      {"cycle back to the source framework terminated and reported", {"mx", 1}, "CO", "", "", false, false,
       {"co:1"}, {"m-mx1-mrc1", "m-mrc1-co1"}, 1.0, {"framework_in_development"}, {"cycle"}},
      {"reverse lookup tells the path from the candidate", {"co", 4}, "CL", "", "", false, true,
       {"cl:3"}, {"m-cl3-mrc4", "m-co4-mrc4"}, 0.8, {"framework_in_development"}, {}},
      {"sector filter keeps levels with qualifications of the sector", {"cl", 1}, "CO", "", "mines", false, false,
       {"co:5"}, {"m-cl1-mrc8", "m-co5-mrc8-mines"}, 0.5,
       {"strength_unstated", "framework_in_development", "sector_specific"}, {}},
      {"sector filter ignores case and accents (\"Électricité\")", {"cl", 3}, "CO", "", "ELECTRICITE", false, false,
       {"co:4"}, {"m-cl3-mrc4", "m-co4-mrc4"}, 0.8, {"framework_in_development"}, {}},
      {"sector filter drops sector-specific mappings of another sector", {"cl", 1}, "CO", "", "tourisme", false, false,
       {}, {}, -1, {}, {}},
      {"mapping from a non-authority ignored and reported", {"cl", 5}, "", "mrc", "", false, false,
       {}, {}, -1, {}, {"not_authority"}},
      {"paths stop after kMaxSteps mappings", {"cl", 5}, "AR", "", "", false, false,
       {"c1:1", "c2:1", "c3:1", "c4:1"}, {"m-chain0"}, 1.0, {}, {"not_authority"}},
  };
  for (const auto& row : rows) {
    SECTION(row.name) {
      Query q;
      q.source = row.source;
      q.target_country = row.target_country;
      q.target_framework = row.target_framework;
      q.sector = row.sector;
      q.include_proposed = row.include_proposed;
      q.reverse = row.reverse;
      Answer a = Lookup(World(), q);
      std::vector<std::string> got;
      for (const auto& c : a.candidates) got.push_back(Key(c.level));
      CHECK(got == row.candidates);
      std::set<std::string> kinds;
      for (const auto& p : a.problems) kinds.insert(p.kind);
      CHECK(kinds == row.problems);
      if (a.candidates.empty()) continue;
      const Candidate& first = a.candidates.front();
      std::vector<std::string> path;
      for (const auto& s : first.path) path.push_back(World().mappings()[s.mapping].id);
      CHECK(path == row.first_path);
      if (row.first_confidence >= 0) CHECK(first.confidence == Approx(row.first_confidence));
      std::set<std::string> caveats;
      for (const auto& c : first.caveats) caveats.insert(c.code);
      CHECK(caveats == row.first_caveats);
    }
  }
}

TEST_CASE("Equivalence engine: mappings limited to a sector hold for that sector only", "[equivalence]") {
  // cl:3 -> mrc:4 for tourism only (exact) and for every sector (best fit); co:5 -> mrc:4
  // for mining only. Tourism then mining is no equivalence for anyone.
  Graph g;
  g.AddFramework(Fw("cl", "CL", 5, {"pa"}));
  g.AddFramework(Fw("co", "CO", 5, {"pa"}));
  g.AddFramework(Fw("mrc", "", 8, {"pa"}));
  g.AddMapping(Map("m-tour", "cl", 3, "mrc", 4, "approved", "exact", {"pa"}, "Tourisme"));
  g.AddMapping(Map("m-mines", "co", 5, "mrc", 4, "approved", "exact", {"pa"}, "Mines"));
  g.Finish();
  auto lookup = [](const Graph& graph, const std::string& sector, const std::string& source_sector) {
    Query q;
    q.source = {"cl", 3};
    q.target_country = "CO";
    q.sector = sector;
    q.source_sector = source_sector;
    std::vector<std::string> got;
    for (const auto& c : Lookup(graph, q).candidates) {
      std::string path;
      for (const auto& s : c.path) path += graph.mappings()[s.mapping].id + " ";
      got.push_back(Key(c.level) + " via " + path);
    }
    return got;
  };
  using V = std::vector<std::string>;
  CHECK(lookup(g, "", "") == V{});             // two sectors never chain
  CHECK(lookup(g, "", "Électricité") == V{});  // neither mapping is for electricity
  CHECK(lookup(g, "", "tourisme") == V{});     // the mining step is not for tourism
  CHECK(lookup(g, "mines", "") == V{});        // the tourism step is not for mining

  Graph h;  // the same, plus a general mapping beside the tourism one
  h.AddFramework(Fw("cl", "CL", 5, {"pa"}));
  h.AddFramework(Fw("co", "CO", 5, {"pa"}));
  h.AddFramework(Fw("mrc", "", 8, {"pa"}));
  h.AddMapping(Map("m-tour", "cl", 3, "mrc", 4, "approved", "exact", {"pa"}, "Tourisme"));
  h.AddMapping(Map("m-general", "cl", 3, "mrc", 4, "approved", "best_fit"));
  h.AddMapping(Map("m-mines", "co", 5, "mrc", 4, "approved", "exact", {"pa"}, "Mines"));
  h.AddQualification(Qual("q-co-5", "co", 5, "CO", "Mines"));
  h.Finish();
  // The stronger tourism mapping does not hide the general one that leads on to mining.
  CHECK(lookup(h, "", "") == V{"co:5 via m-general m-mines "});
  CHECK(lookup(h, "mines", "") == V{"co:5 via m-general m-mines "});
  CHECK(lookup(h, "", "Mines (extraction)") == V{"co:5 via m-general m-mines "});
  CHECK(lookup(h, "", "tourisme") == V{});

  Graph k;  // a direct mapping for tourism (exact) beside a general one (partial)
  k.AddFramework(Fw("cl", "CL", 5, {"pa"}));
  k.AddFramework(Fw("co", "CO", 5, {"pa"}));
  k.AddMapping(Map("m-tour", "cl", 3, "co", 5, "approved", "exact", {"pa"}, "Tourisme"));
  k.AddMapping(Map("m-gen", "cl", 3, "co", 5, "approved", "partial"));
  k.AddMapping(Map("m-mines-a", "cl", 3, "mrc", 4, "approved", "exact", {"pa"}, "Mines"));
  k.AddMapping(Map("m-mines-b", "co", 4, "mrc", 4, "approved", "exact", {"pa"}, "Mines et métallurgie"));
  k.AddFramework(Fw("mrc", "", 8, {"pa"}));
  k.AddQualification(Qual("q-co5-t", "co", 5, "CO", "Tourisme"));
  k.AddQualification(Qual("q-co5-m", "co", 5, "CO", "Mines"));
  k.AddQualification(Qual("q-co4-m", "co", 4, "CO", "Mines"));
  k.Finish();
  // No sector to go by: what holds for every sector answers, not the tourism mapping.
  CHECK(lookup(k, "", "") == V{"co:5 via m-gen "});
  CHECK(lookup(k, "tourisme", "") == V{"co:5 via m-tour "});
  // Two spellings of a sector the query names chain; with no sector they do not.
  CHECK(lookup(k, "mines", "") == V{"co:4 via m-mines-a m-mines-b ", "co:5 via m-gen "});
  CHECK(lookup(k, "", "Mines") == V{"co:4 via m-mines-a m-mines-b ", "co:5 via m-gen "});
  Query q;
  q.source = {"cl", 3};
  q.target_country = "CO";
  Answer a = Lookup(h, q);
  REQUIRE(a.candidates.size() == 1);
  std::set<std::pair<std::string, std::string>> caveats;
  for (const auto& c : a.candidates[0].caveats) caveats.insert({c.code, c.subject});
  CHECK(caveats.count({"sector_specific", "Mines"}) == 1);
  json answer = AnswerToJson(h, q, a, "en");
  CHECK(answer["candidates"][0]["path"][1]["sector"] == "Mines");
  CHECK(answer["candidates"][0]["path"][0]["sector"] == "");
}

TEST_CASE("Equivalence engine: a mapping last written by a member other than the authority is not followed",
          "[equivalence]") {
  // Owners naming the authority are not enough: only the authority's node writes a
  // level mapping, so its last writer (updated_by) must be the authority too.
  Graph g;
  g.AddFramework(Fw("cl", "CL", 5, {"pa"}));
  g.AddFramework(Fw("co", "CO", 5, {"pa"}));
  json forged = Map("m-forged", "cl", 3, "co", 3, "approved", "exact", {"mx", "pa"});
  forged["updated_by"] = "mx/admin";
  json honest = Map("m-honest", "cl", 2, "co", 2, "approved", "exact", {"mx", "pa"});
  honest["updated_by"] = "pa/import";
  g.AddMapping(forged);
  g.AddMapping(honest);
  g.Finish();
  for (int level : {2, 3}) {
    Query q;
    q.source = {"cl", level};
    q.target_country = "CO";
    Answer a = Lookup(g, q);
    INFO("level " << level);
    CHECK(a.candidates.size() == (level == 2 ? 1u : 0u));
    std::set<std::string> kinds;
    for (const auto& p : a.problems) kinds.insert(p.kind);
    CHECK(kinds.count("not_authority") == (level == 3 ? 1u : 0u));
  }
}

TEST_CASE("Equivalence engine: reverse paths run from the candidate to the source", "[equivalence]") {
  Query q;
  q.source = {"co", 4};
  q.target_country = "CL";
  q.reverse = true;
  Answer a = Lookup(World(), q);
  REQUIRE(a.candidates.size() == 1);
  const auto& path = a.candidates[0].path;
  REQUIRE(path.size() == 2);
  CHECK(Key(path.front().from) == "cl:3");
  CHECK(path.front().stated);
  CHECK(Key(path.back().to) == "co:4");
  CHECK_FALSE(path.back().stated);  // m-co4-mrc4 states co:4 -> mrc:4
}

TEST_CASE("Equivalence engine: a cycle names its mappings and the level it returns to", "[equivalence]") {
  Query q;
  q.source = {"mx", 1};
  q.target_country = "CO";
  Answer a = Lookup(World(), q);
  REQUIRE(a.problems.size() == 1);
  CHECK(a.problems[0].mapping_ids == std::vector<std::string>{"m-mx1-mrc1", "m-mrc1-co1", "m-co1-mx2"});
  CHECK(Key(a.problems[0].level) == "mx:2");
}

TEST_CASE("Equivalence engine: the answer's JSON follows the contract, in each language", "[equivalence]") {
  Query q;
  q.source = {"cl", 3};
  q.source_qualification = "q-cl-3";
  q.target_country = "PE";
  q.include_proposed = true;
  std::set<std::string> disclaimers;
  for (std::string lang : {"fr", "es", "en"}) {
    json j = AnswerToJson(World(), q, Lookup(World(), q), lang);
    CHECK(j["lang"] == lang);
    disclaimers.insert(j["disclaimer"].get<std::string>());
    CHECK(j["source"]["qualification"]["id"] == "q-cl-3");
    CHECK(j["target"]["country"] == "PE");
    CHECK(j["target"]["framework_id"].is_null());
    REQUIRE(j["candidates"].size() == 1);
    const json& c = j["candidates"][0];
    CHECK(c["framework_id"] == "pe");
    CHECK(c["level"] == 5);
    CHECK(c["confidence_label"] == "low");
    CHECK(c["qualifications"][0]["id"] == "q-pe-5");
    REQUIRE(c["path"].size() == 2);
    CHECK(c["path"][1]["strength"] == "proposed");
    CHECK(c["path"][1]["status"] == "proposed");
    CHECK(c["path"][1]["decided_by"] == json{"pa"});
    CHECK(c["path"][1]["basis"] == "test basis m-pe5-mrc4");
    CHECK(c["path"][1]["from"] == json{{"framework_id", "mrc"}, {"level", 4}});
    for (const auto& cv : c["caveats"]) CHECK_FALSE(cv["message"].get<std::string>().empty());
  }
  CHECK(disclaimers.size() == 3);
}

TEST_CASE("Equivalence engine: work per query is bounded in a dense graph", "[equivalence]") {
  // 2 frameworks x 8 levels, every pair of levels mapped 20 times: 2,560 mappings.
  Graph g;
  g.AddFramework(Fw("a", "CL", 8, {"pa"}));
  g.AddFramework(Fw("b", "CO", 8, {"pa"}));
  g.AddFramework(Fw("r", "", 8, {"pa"}));
  int n = 0;
  for (const char* fw : {"a", "b"})
    for (int i = 1; i <= 8; ++i)
      for (int j = 1; j <= 8; ++j)
        for (int k = 0; k < 20; ++k)
          g.AddMapping(Map("m" + std::to_string(n++), fw, i, "r", j, "approved", k % 2 ? "exact" : "partial"));
  g.Finish();
  Query q;
  q.source = {"a", 1};
  q.target_country = "CO";
  Answer a = Lookup(g, q);
  CHECK(a.candidates.size() == 8);
  CHECK(a.candidates[0].confidence == Approx(1.0));
  CHECK(a.edges_examined <= size_t{kMaxSteps} * 2 * 2560);
}
