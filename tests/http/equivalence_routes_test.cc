// GET /api/v1/equivalences through HandleRequest: the answer's shape (node/README.md
// "Equivalences"), the language, and errors naming the field.
#include <set>

#include "node/http/equivalence_routes.h"
#include "node/service/equivalence_service.h"
#include "tests/equivalence/world.h"
#include "tests/http/fixture.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;
using http::beast_http::verb;

namespace {

struct Answer {
  unsigned status;
  json body;
};

Answer Get(TestNode& node, const http::Deps& deps, const std::string& target, const std::string& accept_language = "") {
  auto req = MakeRequest(verb::get, target);
  Authorize(&req, node.LoginAs("reader", service::Role::kViewer));  // every role may read it
  if (!accept_language.empty()) req.set(http::beast_http::field::accept_language, accept_language);
  auto res = http::HandleRequest(req, deps);
  return {res.result_int(), json::parse(res.body())};
}

}  // namespace

TEST_CASE("REST equivalences: the answer has the agreed shape", "[http][equivalence]") {
  TestNode node;
  SeedEquivalenceWorld(*node.service(), kInstitution);
  service::EquivalenceService equivalences(node.service());
  http::Deps deps = node.deps();
  deps.equivalences = &equivalences;
  auto a = Get(node, deps, "/api/v1/equivalences?qualification=q-ca&target_country=PE");
  INFO(a.body.dump());
  REQUIRE(a.status == 200);
  const json& b = a.body;
  CHECK(b["lang"] == "fr");
  CHECK_FALSE(b["disclaimer"].get<std::string>().empty());
  CHECK(b["source"]["framework_id"] == "fw-ca");
  CHECK(b["source"]["level"] == 2);
  CHECK(b["source"]["qualification"] == json{{"id", "q-ca"}, {"title", "AEC"}, {"country", "CA"}, {"sector", "Mines"}});
  CHECK(b["target"] == json{{"country", "PE"}, {"framework_id", nullptr}});
  CHECK(b["problems"] == json::array());
  REQUIRE(b["candidates"].size() == 1);
  const json& c = b["candidates"][0];
  for (const char* key : {"framework_id", "framework_name", "level", "level_title", "descriptors",
                          "qualifications", "path", "confidence", "confidence_label", "caveats"})
    CHECK(c.contains(key));
  CHECK(c["framework_id"] == "fw-pe");
  CHECK(c["level"] == 4);
  CHECK(c["qualifications"][0]["id"] == "q-pe");
  CHECK(c["confidence"] == Approx(0.8));
  CHECK(c["confidence_label"] == "high");
  REQUIRE(c["path"].size() == 2);
  const json& step = c["path"][0];
  CHECK(step["mapping_id"] == "map-ca2-ap3");
  CHECK(step["from"] == json{{"framework_id", "fw-ca"}, {"level", 2}});
  CHECK(step["to"] == json{{"framework_id", "fw-ap"}, {"level", 3}});
  CHECK(step["strength"] == "exact");
  CHECK(step["status"] == "approved");
  CHECK(step["decided_by"] == json{kMember});
  CHECK(step["basis"] == "example for demonstration");
  std::set<std::string> codes;
  for (const auto& cv : c["caveats"]) codes.insert(cv["code"].get<std::string>());
  CHECK(codes == std::set<std::string>{"framework_in_development"});

  SECTION("framework and level as the source, proposed mappings on request, reverse") {
    auto p = Get(node, deps, "/api/v1/equivalences?framework=fw-ap&level=4&target_framework=fw-pe&include_proposed=true&reverse=true");
    REQUIRE(p.status == 200);
    CHECK(p.body["source"]["qualification"].is_null());
    REQUIRE(p.body["candidates"].size() == 1);
    CHECK(p.body["candidates"][0]["level"] == 5);
    CHECK(p.body["candidates"][0]["path"][0]["strength"] == "proposed");
    CHECK(p.body["candidates"][0]["path"][0]["from"]["framework_id"] == "fw-pe");
    CHECK(p.body["reverse"] == true);
  }
  SECTION("the language comes from lang, else Accept-Language, else fr") {
    CHECK(Get(node, deps, "/api/v1/equivalences?qualification=q-ca&target_country=PE&lang=en").body["lang"] == "en");
    CHECK(Get(node, deps, "/api/v1/equivalences?qualification=q-ca&target_country=PE", "es-CO,es;q=0.9,en;q=0.5").body["lang"] == "es");
    CHECK(Get(node, deps, "/api/v1/equivalences?qualification=q-ca&target_country=PE", "de-DE,en;q=0.3").body["lang"] == "en");
    CHECK(Get(node, deps, "/api/v1/equivalences?qualification=q-ca&target_country=PE", "de").body["lang"] == "fr");
  }
  SECTION("without a shared service the route builds its own graph") {
    CHECK(Get(node, node.deps(), "/api/v1/equivalences?qualification=q-ca&target_country=PE").body == b);
  }
}

TEST_CASE("REST equivalences: bad queries are refused naming the field", "[http][equivalence]") {
  TestNode node;
  SeedEquivalenceWorld(*node.service(), kInstitution);
  struct Case {
    std::string query;
    unsigned status;
    const char* code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"qualification=q-none&target_country=PE", 404, "not_found", "qualification"},
      {"framework=fw-none&level=2&target_country=PE", 404, "not_found", "framework"},
      {"framework=fw-ca&level=12&target_country=PE", 404, "not_found", "level"},
      {"framework=fw-ca&level=two&target_country=PE", 400, "invalid_argument", "level"},
      {"qualification=q-ca&target_country=CA", 400, "invalid_argument", "target_country"},
      {"qualification=q-ca&target_framework=fw-ca", 400, "invalid_argument", "target_framework"},
      {"qualification=q-ca&target_framework=fw-none", 404, "not_found", "target_framework"},
      {"qualification=q-ca&target_country=PE&lang=de", 400, "invalid_argument", "lang"},
      {"qualification=q-ca&target_country=PE&include_proposed=maybe", 400, "invalid_argument", "include_proposed"},
      {"qualification=q-ca&target_country=PE&colour=blue", 400, "invalid_argument", "colour"},
      {"qualification=q-ca&qualification=q-pe&target_country=PE", 400, "invalid_argument", "qualification"},
      {"target_country=PE", 400, "invalid_argument", "qualification"},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    auto a = Get(node, node.deps(), "/api/v1/equivalences?" + c.query);
    CHECK(a.status == c.status);
    CHECK(a.body["error"]["code"] == c.code);
    CHECK(a.body["error"]["field"] == c.field);
  }
  auto post_req = MakeRequest(verb::post, "/api/v1/equivalences", "{}");
  Authorize(&post_req, node.LoginAs("admin", service::Role::kAdmin));
  auto post = http::HandleRequest(post_req, node.deps());
  CHECK(post.result_int() == 405);
}
