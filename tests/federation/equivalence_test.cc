// Equivalences across real nodes: a level mapping approved on its authority's node
// changes the answer another node gives once the op has replicated (mutual TLS, real
// processes, REST). Waits are polls with a deadline.
#include <catch2/catch.hpp>

#include "tests/federation/rest_helpers.h"
#include "tests/federation/test_federation.h"

namespace passerelle::testing {
namespace {

using nlohmann::json;

json Framework(const std::string& id, const std::string& country, const std::string& authority) {
  json f = {{"id", id}, {"name", "Cadre " + id}, {"levels_count", 5}, {"authority", authority}};
  if (country.empty()) {
    f["scope"] = "regional";
    f["levels_count"] = 8;
  } else {
    f["scope"] = "national";
    f["country"] = country;
  }
  return f;
}

json LevelMapping(const std::string& id, const std::string& from, int from_level, const std::string& to,
                  int to_level, const std::string& status) {
  return {{"id", id}, {"type", "level_mapping"}, {"status", status}, {"strength", "best_fit"},
          {"from", {{"framework_id", from}, {"level", from_level}}},
          {"to", {{"framework_id", to}, {"level", to_level}}},
          {"basis", "example for demonstration"}};
}

// The framework ids of the candidates the node gives for q-ca at level 2 -> country PE.
std::optional<std::vector<std::string>> Candidates(TestNode& node) {
  auto res = node.http().Get("/api/v1/equivalences?qualification=q-ca&target_country=PE");
  if (res.result_int() != 200) return std::nullopt;
  std::vector<std::string> out;
  json answer = json::parse(res.body());
  for (const auto& c : answer["candidates"])
    out.push_back(c["framework_id"].get<std::string>() + ":" + std::to_string(c["level"].get<int>()));
  return out;
}

}  // namespace

TEST_CASE("Federation: a mapping approved on the authority's node changes the answer on another",
          "[federation][equivalence]") {
  TestFederation fed(std::vector<MemberSpec>{{"quebec", {"inst-qc"}}, {"andes", {"inst-pe", "inst-ap"}}});
  fed.node("quebec").Start();
  fed.node("andes").Start();
  TestNode& qc = fed.node("quebec");
  TestNode& an = fed.node("andes");
  std::string error;
  REQUIRE(Post(qc.http(), "institutions", Institution("inst-qc", "Cégep"), &error) == 201);
  REQUIRE(Post(an.http(), "institutions", Institution("inst-pe", "Ministerio"), &error) == 201);
  REQUIRE(Post(an.http(), "institutions", Institution("inst-ap", "Alianza"), &error) == 201);
  REQUIRE(Eventually([&] { return qc.GetRecord("institutions", "inst-ap").has_value(); }, 30s));
  REQUIRE(Post(qc.http(), "frameworks", Framework("fw-ca", "CA", "inst-qc"), &error) == 201);
  REQUIRE(Post(an.http(), "frameworks", Framework("fw-pe", "PE", "inst-pe"), &error) == 201);
  REQUIRE(Post(an.http(), "frameworks", Framework("fw-ap", "", "inst-ap"), &error) == 201);
  REQUIRE(Eventually([&] { return qc.GetRecord("frameworks", "fw-ap").has_value() &&
                                  an.GetRecord("frameworks", "fw-ca").has_value(); }, 30s));
  json qual = {{"id", "q-ca"}, {"title", "AEC"}, {"country", "CA"}, {"framework_id", "fw-ca"},
               {"level", 2}, {"awarding_institution", "inst-qc"}};
  REQUIRE(Post(qc.http(), "qualifications", qual, &error) == 201);
  // Quebec maps its level 2 to the regional level 3 (decided); Andes proposes fw-pe 4 -> fw-ap 3.
  REQUIRE(Post(qc.http(), "mappings", LevelMapping("map-ca2-ap3", "fw-ca", 2, "fw-ap", 3, "approved"), &error) == 201);
  INFO(error);
  // Quebec may not write Andes' mapping (it is not fw-pe's authority).
  CHECK(Post(qc.http(), "mappings", LevelMapping("map-pe4-ap3", "fw-pe", 4, "fw-ap", 3, "approved")) == 403);
  REQUIRE(Post(an.http(), "mappings", LevelMapping("map-pe4-ap3", "fw-pe", 4, "fw-ap", 3, "proposed"), &error) == 201);
  fed.RequireConverged({"quebec", "andes"});

  // Proposed only: no candidate on Quebec's node by default.
  auto before = Candidates(qc);
  REQUIRE(before);
  CHECK(before->empty());

  REQUIRE(Patch(an.http(), "mappings", "map-pe4-ap3", {{"status", "approved"}}, &error) == 200);
  REQUIRE(Eventually([&] {
    auto now = Candidates(qc);
    return now && *now == std::vector<std::string>{"fw-pe:4"};
  }, 30s));
  auto res = qc.http().Get("/api/v1/equivalences?qualification=q-ca&target_country=PE&lang=es");
  REQUIRE(res.result_int() == 200);
  json answer = json::parse(res.body());
  const json& path = answer["candidates"][0]["path"];
  REQUIRE(path.size() == 2);
  CHECK(path[1]["mapping_id"] == "map-pe4-ap3");
  CHECK(path[1]["decided_by"] == json{"andes"});
  CHECK(path[1]["status"] == "approved");
  CHECK(answer["lang"] == "es");
}

}  // namespace passerelle::testing
