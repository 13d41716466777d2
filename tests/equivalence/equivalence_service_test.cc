// EquivalenceService and the level-mapping rules of RecordService over two real nodes'
// services (quebec-consortium, morocco) whose ops travel with ApplyPeerBatch, plus an
// intruder member that forges ops: validation errors name the field, only the source
// framework's authority writes a level mapping, a mapping cannot name a level the
// framework lacks, and an approval replicated from the authority changes the answer.
#include "node/core/coding.h"
#include "node/core/op.h"
#include "node/core/hlc.h"
#include "node/core/signing.h"
#include "node/service/equivalence_service.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"
#include "tests/test_util.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;

namespace {

struct TwoNodes {
  static service::Members MakeMembers() {
    auto members = service::Members::FromJson(json::parse(
        R"({"members": [
          {"id": "quebec-consortium", "acts_for": ["inmq"], "public_key": ")" + Key("q") + R"("},
          {"id": "morocco", "acts_for": ["maroc-ministere-energie-mines"], "public_key": ")" + Key("m") + R"("},
          {"id": "intruder", "acts_for": [], "public_key": ")" + Key("i") + R"("}]})"));
    REQUIRE_OK(members);
    return std::move(members).value();
  }
  TwoNodes() {
    q = std::make_unique<service::RecordService>(kv_q.get(), &members, "quebec-consortium", [this] { return now++; });
    m = std::make_unique<service::RecordService>(kv_m.get(), &members, "morocco", [this] { return now++; });
    REQUIRE_OK(q->Open());
    REQUIRE_OK(m->Open());
    q->SetSigningKey(core::KeyPairFromSeed("q"));
    m->SetSigningKey(core::KeyPairFromSeed("m"));
    REQUIRE_OK(q->Create("institutions", Inst("inmq", "CA"), {}));
    REQUIRE_OK(m->Create("institutions", Inst("maroc-ministere-energie-mines", "MA"), {}));
    Sync();
    REQUIRE_OK(q->Create("frameworks", Fw("fw-qc", "CA", "inmq"), {}));
    REQUIRE_OK(m->Create("frameworks", Fw("fw-ma", "MA", "maroc-ministere-energie-mines"), {}));
    json regional = {{"id", "fw-r"}, {"name", "Regional"}, {"scope", "regional"}, {"levels_count", 8},
                     {"developed_by", {"inmq"}}, {"status", "base_structure_defined"}};
    REQUIRE_OK(q->Create("frameworks", regional, {}));
    REQUIRE_OK(q->Create("qualifications", {{"id", "q-qc"}, {"title", "AEC"}, {"country", "CA"},
                                            {"sector", "Mines"}, {"framework_id", "fw-qc"}, {"level", 2},
                                            {"developed_by", {"inmq"}}}, {}));
    REQUIRE_OK(m->Create("qualifications", {{"id", "q-ma"}, {"title", "Technicien"}, {"country", "MA"},
                                            {"sector", "Mines"}, {"framework_id", "fw-ma"}, {"level", 3},
                                            {"awarding_institution", "maroc-ministere-energie-mines"}}, {}));
    Sync();
  }
  static std::string Key(const char* seed) { return core::ToHex(core::KeyPairFromSeed(seed).public_key); }
  static json Inst(const std::string& id, const std::string& country) {
    return {{"id", id}, {"name", id}, {"type", "ministry"}, {"country", country}};
  }
  static json Fw(const std::string& id, const std::string& country, const std::string& authority) {
    return {{"id", id}, {"name", "Framework " + id}, {"scope", "national"}, {"country", country},
            {"levels_count", 5}, {"authority", authority}};
  }
  void Sync() {
    for (auto [from, to] : {std::pair{q.get(), m.get()}, {m.get(), q.get()}})
      for (const auto& [origin, seq] : from->VersionVector()) {
        uint64_t have = to->VersionVector()[origin];
        if (have >= seq) continue;
        auto r = to->ApplyPeerBatch(from->OpsForPeer(origin, have, 1000).value());
        REQUIRE(r.refusal == core::Refusal::kNone);
      }
  }
  uint64_t now = 1'700'000'000'000;
  service::Members members = MakeMembers();
  std::unique_ptr<storage::KvStore> kv_q = storage::NewMemStore(), kv_m = storage::NewMemStore();
  std::unique_ptr<service::RecordService> q, m;
};

json LevelMapping(const std::string& id, const std::string& from_fw, int from_l, const std::string& to_fw,
                  int to_l, const std::string& status) {
  return {{"id", id}, {"type", "level_mapping"}, {"status", status}, {"strength", "best_fit"},
          {"from", {{"framework_id", from_fw}, {"level", from_l}}},
          {"to", {{"framework_id", to_fw}, {"level", to_l}}},
          {"basis", "example for demonstration"}};
}

// Ops of `origin` signed with `seed`, numbered from 1 (the last one signed).
std::vector<std::string> Forged(const std::string& origin, const char* seed,
                                const std::vector<std::tuple<core::OpType, std::string, std::string, json>>& specs) {
  std::vector<std::string> out;
  std::string prev;
  uint64_t seq = 0;
  for (const auto& [type, kind, id, fields] : specs) {
    core::Op op;
    op.origin = op.author = origin;
    op.seq = ++seq;
    op.hlc = core::MakeHlc(1'700'000'100'000 + seq, 0);
    op.type = type;
    op.kind = kind;
    op.record_id = id;
    op.fields = fields;
    op.prev_hash = prev;
    prev = core::OpHash(op);
    if (seq == specs.size()) op.signature = core::SignHash(core::KeyPairFromSeed(seed), prev);
    out.push_back(core::EncodeOp(op));
  }
  return out;
}

}  // namespace

TEST_CASE("Level mappings: only the source framework's authority writes one", "[equivalence][authority]") {
  TwoNodes n;
  // Quebec may not map Morocco's levels, whether owners are derived or named.
  auto derived = n.q->Create("mappings", LevelMapping("map-x", "fw-ma", 3, "fw-r", 4, "approved"), {});
  CHECK(derived.status().code() == Code::kPermissionDenied);
  json named = LevelMapping("map-x", "fw-ma", 3, "fw-r", 4, "approved");
  named["owners"] = {"quebec-consortium"};
  auto claimed = n.q->Create("mappings", named, {});
  CHECK(claimed.status().code() == Code::kPermissionDenied);
  CHECK(claimed.status().field() == "from.framework_id");
  // Co-owning a framework whose authority another member acts for does not make Quebec
  // its authority.
  json co_owned = TwoNodes::Fw("fw-ma2", "MA", "maroc-ministere-energie-mines");
  co_owned["owners"] = {"quebec-consortium", "morocco"};
  REQUIRE_OK(n.q->Create("frameworks", co_owned, {}));
  auto co = n.q->Create("mappings", LevelMapping("map-co", "fw-ma2", 3, "fw-r", 4, "approved"), {});
  CHECK(co.status().code() == Code::kPermissionDenied);
  CHECK(co.status().field() == "from.framework_id");
  n.Sync();
  REQUIRE_OK(n.m->Create("mappings", LevelMapping("map-ma2", "fw-ma2", 3, "fw-r", 4, "approved"), {}));
  n.Sync();
  auto removed = n.q->Delete("mappings", "map-ma2", std::nullopt, {});  // a co-owner, not the authority
  CHECK(removed.code() == Code::kPermissionDenied);
  CHECK(removed.field() == "from.framework_id");
  CHECK(n.q->Get("mappings", "map-ma2").ok());
  // Morocco may.
  auto own = n.m->Create("mappings", LevelMapping("map-ma3-r4", "fw-ma", 3, "fw-r", 4, "proposed"), {});
  REQUIRE_OK(own);
  CHECK((*own)["owners"] == json{"morocco"});
}

TEST_CASE("Level mappings: a level the framework does not have is refused, naming the side", "[equivalence]") {
  TwoNodes n;
  auto to = n.q->Create("mappings", LevelMapping("map-x", "fw-qc", 3, "fw-r", 9, "proposed"), {});
  CHECK(to.status().code() == Code::kInvalidArgument);
  CHECK(to.status().field() == "to.level");
  auto from = n.q->Create("mappings", LevelMapping("map-x", "fw-qc", 7, "fw-r", 4, "proposed"), {});
  CHECK(from.status().code() == Code::kInvalidArgument);
  CHECK(from.status().field() == "from.level");
  CHECK(n.q->Get("mappings", "map-x").status().code() == Code::kNotFound);
}

TEST_CASE("Level mappings: a peer's ops from a non-authority have no effect on the answer", "[equivalence][peer]") {
  TwoNodes n;
  REQUIRE_OK(n.q->Create("mappings", LevelMapping("map-qc2-r4", "fw-qc", 2, "fw-r", 4, "approved"), {}));
  REQUIRE_OK(n.m->Create("mappings", LevelMapping("map-ma3-r4", "fw-ma", 3, "fw-r", 4, "proposed"), {}));
  n.Sync();
  // The intruder approves Morocco's mapping and claims a new one on Morocco's framework.
  json forged = LevelMapping("map-forged", "fw-ma", 5, "fw-r", 4, "approved");
  forged["owners"] = {"intruder"};
  auto ops = Forged("intruder", "i", {{core::OpType::kUpdate, "mapping", "map-ma3-r4", {{"status", "approved"}}},
                                      {core::OpType::kCreate, "mapping", "map-forged", forged}});
  auto r = n.q->ApplyPeerBatch(ops);
  REQUIRE(r.refusal == core::Refusal::kNone);
  CHECK(r.no_effect == 1);
  CHECK(n.q->Get("mappings", "map-ma3-r4").value()["status"] == "proposed");
  service::EquivalenceService eq(n.q.get());
  service::EquivalenceRequest req;
  req.framework = "fw-ma";
  req.level = 5;
  req.target_framework = "fw-r";
  auto answer = eq.Lookup(req);
  REQUIRE_OK(answer);
  CHECK((*answer)["candidates"].empty());
  REQUIRE((*answer)["problems"].size() == 1);
  CHECK((*answer)["problems"][0]["kind"] == "not_authority");
  CHECK((*answer)["problems"][0]["mapping_ids"] == json{"map-forged"});
}

TEST_CASE("Equivalences: an approval replicated from the authority changes the answer", "[equivalence]") {
  TwoNodes n;
  REQUIRE_OK(n.q->Create("mappings", LevelMapping("map-qc2-r4", "fw-qc", 2, "fw-r", 4, "approved"), {}));
  REQUIRE_OK(n.m->Create("mappings", LevelMapping("map-ma3-r4", "fw-ma", 3, "fw-r", 4, "proposed"), {}));
  n.Sync();
  service::EquivalenceService eq(n.q.get());
  service::EquivalenceRequest req;
  req.qualification = "q-qc";
  req.target_country = "MA";
  auto before = eq.Lookup(req);
  REQUIRE_OK(before);
  CHECK((*before)["candidates"].empty());
  req.include_proposed = true;
  auto proposed = eq.Lookup(req);
  REQUIRE_OK(proposed);
  REQUIRE((*proposed)["candidates"].size() == 1);
  CHECK((*proposed)["candidates"][0]["caveats"][0]["code"] == "proposed_mapping");

  service::UpdateRequest approve;
  approve.patch = {{"status", "approved"}};
  REQUIRE_OK(n.m->Update("mappings", "map-ma3-r4", approve, {}));
  n.Sync();
  req.include_proposed = false;
  auto after = eq.Lookup(req);
  REQUIRE_OK(after);
  REQUIRE((*after)["candidates"].size() == 1);
  const json& c = (*after)["candidates"][0];
  CHECK(c["framework_id"] == "fw-ma");
  CHECK(c["level"] == 3);
  CHECK(c["qualifications"][0]["id"] == "q-ma");
  CHECK(c["path"][1]["decided_by"] == json{"morocco"});
  CHECK(c["confidence"] == Approx(0.64));
}

TEST_CASE("Equivalences: bad lookups are refused naming the field", "[equivalence]") {
  TwoNodes n;
  service::EquivalenceService eq(n.q.get());
  struct Case {
    const char* name;
    service::EquivalenceRequest req;
    Code code;
    const char* field;
  };
  auto Q = [](std::string qual, std::string country, std::string fw = "") {
    service::EquivalenceRequest r;
    r.qualification = std::move(qual);
    r.target_country = std::move(country);
    r.target_framework = std::move(fw);
    return r;
  };
  auto L = [](std::string fw, int64_t level, std::string country) {
    service::EquivalenceRequest r;
    r.framework = std::move(fw);
    r.level = level;
    r.target_country = std::move(country);
    return r;
  };
  service::EquivalenceRequest bad_lang = Q("q-qc", "MA");
  bad_lang.lang = "de";
  const std::vector<Case> cases = {
      {"unknown qualification", Q("q-none", "MA"), Code::kNotFound, "qualification"},
      {"unknown framework", L("fw-none", 2, "MA"), Code::kNotFound, "framework"},
      {"unknown level", L("fw-qc", 9, "MA"), Code::kNotFound, "level"},
      {"unknown target framework", Q("q-qc", "", "fw-none"), Code::kNotFound, "target_framework"},
      {"target framework is the source's", Q("q-qc", "", "fw-qc"), Code::kInvalidArgument, "target_framework"},
      {"target country is the source's", Q("q-qc", "CA"), Code::kInvalidArgument, "target_country"},
      {"no target", Q("q-qc", ""), Code::kInvalidArgument, "target_country"},
      {"not a country", Q("q-qc", "ZZ"), Code::kInvalidArgument, "target_country"},
      {"no source", Q("", "MA"), Code::kInvalidArgument, "qualification"},
      {"framework without level", L("fw-qc", 0, "MA"), Code::kNotFound, "level"},
      {"bad language", bad_lang, Code::kInvalidArgument, "lang"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto r = eq.Lookup(c.req);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == c.code);
      CHECK(r.status().field() == c.field);
    }
  }
}
