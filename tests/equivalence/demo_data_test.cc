// The demo's example data (deploy/demo/seed-extra merged by deploy/demo/merge-seed.sh):
// imported by the demo's quebec-consortium (claims unowned records) and pacific-alliance
// nodes, every example level mapping lands on its source framework's authority, is
// proposed with basis "example for demonstration", and is followed only on request.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "node/core/coding.h"
#include "node/core/json_text.h"
#include "node/core/signing.h"
#include "node/service/equivalence_service.h"
#include "node/service/members.h"
#include "node/service/seed_io.h"
#include "storage/kv_store.h"
#include "tests/test_util.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;

namespace {

// The demo's members (deploy/demo/federation.json) with test keys.
service::Members DemoMembers() {
  std::ifstream in(PASSERELLE_SOURCE_DIR "/deploy/demo/federation.json");
  std::stringstream ss;
  ss << in.rdbuf();
  json spec = json::parse(ss.str());
  json members = json::array();
  for (const auto& m : spec["members"])
    members.push_back({{"id", m["id"]}, {"acts_for", m["acts_for"]},
                       {"public_key", core::ToHex(core::KeyPairFromSeed(m["id"].get<std::string>()).public_key)}});
  auto parsed = service::Members::FromJson({{"federation", "demo"}, {"members", members}});
  REQUIRE_OK(parsed);
  return std::move(parsed).value();
}

struct DemoNode {
  DemoNode(const service::Members* members, const std::string& id)
      : kv(storage::NewMemStore()), svc(kv.get(), members, id, [this] { return now++; }) {
    REQUIRE_OK(svc.Open());
    svc.SetSigningKey(core::KeyPairFromSeed(id));
  }
  uint64_t now = 1'700'000'000'000;
  std::unique_ptr<storage::KvStore> kv;
  service::RecordService svc;
};

void Sync(service::RecordService& from, service::RecordService& to) {
  for (const auto& [origin, seq] : from.VersionVector()) {
    uint64_t have = to.VersionVector()[origin];
    if (have >= seq) continue;
    auto r = to.ApplyPeerBatch(from.OpsForPeer(origin, have, 100000).value());
    REQUIRE(r.refusal == core::Refusal::kNone);
  }
}

}  // namespace

TEST_CASE("Demo data: example level mappings land on their authority and are only proposed", "[equivalence][demo]") {
  TempDir merged;
  std::string cmd = std::string(PASSERELLE_SOURCE_DIR "/deploy/demo/merge-seed.sh '") + SeedDir() + "' '" +
                    PASSERELLE_SOURCE_DIR "/deploy/demo/seed-extra' '" + merged.str() + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);

  service::Members members = DemoMembers();
  DemoNode quebec(&members, "quebec-consortium"), pacific(&members, "pacific-alliance");
  service::ImportOptions claim, leave;
  leave.claim_unowned = false;
  for (int pass = 0; pass < 4; ++pass) {  // as `passerelle node --import` does
    REQUIRE_OK(service::ImportSeed(&quebec.svc, merged.str(), {"import"}, {}, claim));
    REQUIRE_OK(service::ImportSeed(&pacific.svc, merged.str(), {"import"}, {}, leave));
    Sync(quebec.svc, pacific.svc);
    Sync(pacific.svc, quebec.svc);
  }
  auto extra = core::ParseJson([] {
    std::ifstream in(PASSERELLE_SOURCE_DIR "/deploy/demo/seed-extra/qualification_frameworks.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }());
  REQUIRE_OK(extra);
  REQUIRE((*extra)["mappings"].size() >= 20);
  for (const auto& m : (*extra)["mappings"]) {
    std::string id = m["id"];
    INFO(id);
    CHECK(m["status"] == "proposed");
    CHECK(m["basis"] == "example for demonstration");
    for (auto* node : {&quebec.svc, &pacific.svc}) {
      auto got = node->Get("mappings", id);
      REQUIRE_OK(got);
      CHECK((*got)["status"] == "proposed");
      // Peru's framework is developed by mintra-pe (pacific-alliance); the others touch no
      // member and are claimed by quebec-consortium.
      std::string authority = m["from"]["framework_id"] == "cnq-pe" ? "pacific-alliance" : "quebec-consortium";
      CHECK((*got)["owners"] == json{authority});
    }
  }
  for (const auto& l : (*extra)["levels"]) CHECK(l["title"].get<std::string>().find("exemple") != std::string::npos);

  service::EquivalenceService eq(&pacific.svc);
  service::EquivalenceRequest req;
  req.qualification = "q-cl-electricite";
  req.target_country = "PE";
  auto decided = eq.Lookup(req);
  REQUIRE_OK(decided);
  CHECK((*decided)["candidates"].empty());
  req.include_proposed = true;
  auto proposed = eq.Lookup(req);
  REQUIRE_OK(proposed);
  REQUIRE((*proposed)["candidates"].size() == 1);
  const json& c = (*proposed)["candidates"][0];
  CHECK(c["framework_id"] == "cnq-pe");
  CHECK(c["confidence_label"] == "low");
  CHECK(c["path"][0]["basis"] == "example for demonstration");
  CHECK(c["caveats"][0]["code"] == "proposed_mapping");
}
