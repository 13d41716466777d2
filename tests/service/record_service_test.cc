#include "node/core/coding.h"
#include "node/core/signing.h"
#include "node/service/keys.h"
#include "node/service/record_service.h"
#include "node/service/record_store.h"
#include "tests/service/fixture.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;

namespace {

std::vector<std::string> Ids(const service::RecordPage& page) {
  std::vector<std::string> ids;
  for (const auto& r : page.records) ids.push_back(r["id"].get<std::string>());
  return ids;
}

std::vector<std::string> ListIds(service::RecordService& svc, const std::string& kind,
                                 std::map<std::string, std::string> filters = {}) {
  service::ListQuery q;
  q.filters = std::move(filters);
  auto page = svc.List(kind, q);
  REQUIRE_OK(page);
  return Ids(*page);
}

void SeedParties(ServiceFixture& f) {
  for (auto id : {"inmq", "cegep-thetford", "cegep-sept-iles", "cican"})
    REQUIRE_OK(f.service->Create("institutions", Institution(id), f.caller));
}

json Agreement(const std::string& id, std::vector<std::string> parties) {
  return {{"id", id}, {"title", "Entente " + id}, {"parties", parties}, {"kind", "cooperation"}};
}

// Two nodes, quebec-consortium (acting for inmq) and morocco (for the Moroccan ministry),
// each on its own store and signing its ops; ops travel with ApplyPeerBatch (Sync).
struct QuebecAndMorocco {
  QuebecAndMorocco() {
    REQUIRE_OK(q.Open());
    REQUIRE_OK(m.Open());
    q.SetSigningKey(core::KeyPairFromSeed("q"));
    m.SetSigningKey(core::KeyPairFromSeed("m"));
  }
  static service::Members MakeMembers() {
    return service::Members::FromJson(json::parse(R"({"members": [
        {"id": "quebec-consortium", "acts_for": ["inmq"], "public_key": ")" +
        core::ToHex(core::KeyPairFromSeed("q").public_key) + R"("},
        {"id": "morocco", "acts_for": ["maroc-ministere-energie-mines"], "public_key": ")" +
        core::ToHex(core::KeyPairFromSeed("m").public_key) + R"("}]})")).value();
  }
  void Sync(service::RecordService& from, service::RecordService& to) { SyncPeers(from, to); }
  service::Members members = MakeMembers();
  std::unique_ptr<storage::KvStore> kv_q = storage::NewMemStore(), kv_m = storage::NewMemStore();
  uint64_t now = 1'700'000'000'000;
  service::RecordService q{kv_q.get(), &members, "quebec-consortium", [this] { return now++; }};
  service::RecordService m{kv_m.get(), &members, "morocco", [this] { return now++; }};
};

}  // namespace

TEST_CASE("Service: ops written without a key are served in bounded signed batches once it is set",
          "[service][peer]") {
  QuebecAndMorocco nodes;
  // Quebec's ops written as `passerelle import` without a key, or a lone node, writes them.
  auto kv = storage::NewMemStore();
  service::RecordService q{kv.get(), &nodes.members, "quebec-consortium", [&] { return nodes.now++; }};
  REQUIRE_OK(q.Open());
  const int n = 2500;
  for (int i = 0; i < n; ++i) REQUIRE_OK(q.Create("institutions", Institution("inst-" + std::to_string(i)), {"import"}));
  q.SetSigningKey(core::KeyPairFromSeed("q"));
  auto first = q.OpsForPeer("quebec-consortium", 0, 1000);
  REQUIRE_OK(first);
  CHECK(first->size() == 1000);  // cut where a batch ends, not one batch of all 2,500
  CHECK(core::EncodedOpIsSigned(first->back()));
  size_t batches = 0;
  for (uint64_t have = 0; have < n; have = nodes.m.VersionVector()["quebec-consortium"], ++batches) {
    REQUIRE(batches < 10);
    auto ops = q.OpsForPeer("quebec-consortium", have, 1000);
    REQUIRE_OK(ops);
    REQUIRE_FALSE(ops->empty());
    auto r = nodes.m.ApplyPeerBatch(*ops);
    REQUIRE(r.refusal == core::Refusal::kNone);
  }
  CHECK(batches == 3);
  CHECK(nodes.m.Digest().value() == q.Digest().value());
}

TEST_CASE("Service: create then get returns the record with its meta", "[service]") {
  ServiceFixture f;
  auto created = f.service->Create("institutions", Institution("inmq"), f.caller);
  REQUIRE_OK(created);
  CHECK((*created)["version"] == 1);
  CHECK((*created)["owners"] == json::array({"quebec-consortium"}));
  CHECK((*created)["updated_by"] == "quebec-consortium/alice");
  auto got = f.service->Get("institution", "inmq");
  REQUIRE_OK(got);
  CHECK(*got == *created);
}

TEST_CASE("Service: writes survive reopening the store exactly", "[service][storage]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-1", {"inmq", "cican"}), f.caller));
  service::UpdateRequest up;
  up.patch = {{"status", "active"}};
  REQUIRE_OK(f.service->Update("agreements", "agr-1", up, f.caller));
  REQUIRE_OK(f.service->Delete("institutions", "cican", std::nullopt, f.caller));
  auto vv = f.service->VersionVector();
  f.Reopen();
  CHECK(f.service->VersionVector() == vv);
  CHECK(vv.at("quebec-consortium") == 7);
  auto agr = f.service->Get("agreements", "agr-1");
  REQUIRE_OK(agr);
  CHECK((*agr)["status"] == "active");
  CHECK((*agr)["version"] == 2);
  CHECK(f.service->Get("institutions", "cican").status().code() == Code::kNotFound);
  // The clock continues above what was stored: a new write sorts after the old ones.
  f.now_ms -= 60'000;
  REQUIRE_OK(f.service->Update("agreements", "agr-1", {{{"status", "expired"}}, {}, 2}, f.caller));
  auto history = f.service->History("agreements", "agr-1");
  REQUIRE_OK(history);
  REQUIRE(history->size() == 3);
  CHECK((*history)[2]["hlc"].get<uint64_t>() > (*history)[1]["hlc"].get<uint64_t>());
}

TEST_CASE("Service: a format 3 store opens migrated, its version vector read from the op log", "[service][storage]") {
  ServiceFixture f;
  SeedParties(f);
  auto vv = f.service->VersionVector();
  REQUIRE(vv.at("quebec-consortium") > 1);
  // What format 3 kept: a version-vector entry per origin (here a stale one, to tell
  // which source the reopened store believes).
  storage::WriteBatch old;
  old.Put(storage::Column::kMeta, "format", "3");
  std::string stale;
  core::PutBigEndian64(&stale, 1);
  core::PutBigEndian64(&stale, 1);
  old.Put(storage::Column::kMeta, std::string("vv\0quebec-consortium", 21), stale + "hash");
  REQUIRE_OK(f.store->Write(old));
  f.Reopen();
  CHECK(f.service->VersionVector() == vv);
  std::string value;
  CHECK(f.store->Get(storage::Column::kMeta, std::string("vv\0quebec-consortium", 21), &value).code() ==
        Code::kNotFound);
  REQUIRE_OK(f.store->Get(storage::Column::kMeta, "format", &value));
  CHECK(value == std::to_string(service::keys::kFormatVersion));
  // The chain continues from the real head.
  REQUIRE_OK(f.service->Create("institutions", Institution("cegep-abitibi-temiscamingue"), f.caller));
  CHECK(f.service->VersionVector().at("quebec-consortium") == vv.at("quebec-consortium") + 1);
}

TEST_CASE("Service: indexes follow updates and deletes", "[service][index]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-1", {"inmq", "cican"}), f.caller));
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-2", {"cegep-thetford", "inmq"}), f.caller));
  CHECK(ListIds(*f.service, "agreements", {{"party", "inmq"}}) == std::vector<std::string>{"agr-1", "agr-2"});
  CHECK(ListIds(*f.service, "agreements", {{"party", "cican"}}) == std::vector<std::string>{"agr-1"});
  // Ranges only on indexes whose values sort in their own order (dates): ids and levels
  // ("fw:10" sorts before "fw:2") take equality only, and a range on them is refused.
  for (auto [kind, filter] : {std::pair{"agreements", "party_before"}, {"qualifications", "level_before"},
                              {"mappings", "source_level_before"}}) {
    service::ListQuery query;
    query.filters[filter] = "zzz";
    auto page = f.service->List(kind, query);
    REQUIRE_FALSE(page.ok());
    CHECK(page.status().code() == Code::kInvalidArgument);
    CHECK(page.status().field() == filter);
  }

  service::UpdateRequest up;
  up.patch = {{"parties", {"cegep-sept-iles", "inmq"}}, {"end_date", "2027-06-30"}};
  REQUIRE_OK(f.service->Update("agreements", "agr-1", up, f.caller));
  CHECK(ListIds(*f.service, "agreements", {{"party", "cican"}}).empty());
  CHECK(ListIds(*f.service, "agreements", {{"party", "cegep-sept-iles"}}) == std::vector<std::string>{"agr-1"});
  CHECK(ListIds(*f.service, "agreements", {{"end_date_before", "2027-12-31"}}) == std::vector<std::string>{"agr-1"});
  CHECK(ListIds(*f.service, "agreements", {{"end_date_before", "2027-01-01"}}).empty());
  CHECK(ListIds(*f.service, "agreements", {{"party", "inmq"}, {"end_date_before", "2030"}}) ==
        std::vector<std::string>{"agr-1"});

  REQUIRE_OK(f.service->Delete("agreements", "agr-1", std::nullopt, f.caller));
  CHECK(ListIds(*f.service, "agreements", {{"party", "inmq"}}) == std::vector<std::string>{"agr-2"});
  CHECK(ListIds(*f.service, "agreements", {{"end_date_before", "2030"}}).empty());
  CHECK(ListIds(*f.service, "agreements") == std::vector<std::string>{"agr-2"});
}

TEST_CASE("Service: index entries are rebuilt at open when their definitions changed", "[service][index]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-1", {"inmq", "cican"}), f.caller));
  // A store written by an older definition: no index version, one entry missing and one
  // that no longer means anything.
  storage::WriteBatch old;
  old.Delete(storage::Column::kMeta, std::string(service::keys::kIndexVersionKey));
  old.Delete(storage::Column::kIndex, service::keys::Index("agreement", "party", "cican", "agr-1"));
  old.Put(storage::Column::kIndex, service::keys::Index("agreement", "status", "obsolete", "agr-1"), "");
  REQUIRE_OK(f.store->Write(old));
  CHECK(ListIds(*f.service, "agreements", {{"party", "cican"}}).empty());
  f.Reopen();
  CHECK(ListIds(*f.service, "agreements", {{"party", "cican"}}) == std::vector<std::string>{"agr-1"});
  CHECK(ListIds(*f.service, "agreements", {{"status", "obsolete"}}).empty());
  std::string version;
  REQUIRE_OK(f.store->Get(storage::Column::kMeta, std::string(service::keys::kIndexVersionKey), &version));
  CHECK(version.starts_with(std::to_string(service::keys::kIndexVersion) + "/"));  // + members fingerprint

  // Signed by its only approver; then the members file names a member acting for cican:
  // that member must approve too, and the status index follows at the next open.
  const std::string terms = f.service->Get("agreements", "agr-1").value()["terms_hash"];
  REQUIRE_OK(f.service->Approve("agreements", "agr-1", terms, f.caller));
  CHECK(ListIds(*f.service, "agreements", {{"status", "signed"}}) == std::vector<std::string>{"agr-1"});
  auto grown = service::Members::FromJson(json::parse(R"({"members": [
      {"id": "quebec-consortium", "acts_for": ["cegep-abitibi-temiscamingue", "cegep-thetford", "cegep-sept-iles", "inmq"]},
      {"id": "morocco", "acts_for": ["maroc-ministere-energie-mines"]},
      {"id": "cican-node", "acts_for": ["cican"]}]})"));
  REQUIRE_OK(grown);
  f.members = std::move(grown).value();
  f.Reopen();
  CHECK(f.service->Get("agreements", "agr-1").value()["status"] == "proposed");
  CHECK(ListIds(*f.service, "agreements", {{"status", "signed"}}).empty());
  CHECK(ListIds(*f.service, "agreements", {{"status", "proposed"}}) == std::vector<std::string>{"agr-1"});
}

TEST_CASE("Service: a project is found by the partner filter under each of its partner fields", "[service][index]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("institutions", Institution("ceduc-ucn-antofagasta", "CL"), f.caller));
  REQUIRE_OK(f.service->Create("projects", {{"id", "B01"}, {"title", "Projet B01"}, {"lead_partner", "inmq"},
                                            {"canadian_partners", {"cegep-thetford"}},
                                            {"partner_institutions", {"ceduc-ucn-antofagasta"}}}, f.caller));
  REQUIRE_OK(f.service->Create("projects", {{"id", "B02"}, {"title", "Projet B02"}, {"lead_partner", "cegep-thetford"}},
                               f.caller));
  const std::vector<std::string> b01 = {"B01"}, both = {"B01", "B02"};
  CHECK(ListIds(*f.service, "projects", {{"partner", "ceduc-ucn-antofagasta"}}) == b01);
  CHECK(ListIds(*f.service, "projects", {{"partner", "inmq"}}) == b01);
  CHECK(ListIds(*f.service, "projects", {{"partner", "cegep-thetford"}}) == both);  // once each

  // A store indexed under version 2 (partner: canadian_partners only) is re-indexed at open.
  storage::WriteBatch old;
  old.Put(storage::Column::kMeta, std::string(service::keys::kIndexVersionKey), "2");
  for (auto [partner, id] : {std::pair{"ceduc-ucn-antofagasta", "B01"}, {"inmq", "B01"}, {"cegep-thetford", "B02"}})
    old.Delete(storage::Column::kIndex, service::keys::Index("project", "partner", partner, id));
  REQUIRE_OK(f.store->Write(old));
  CHECK(ListIds(*f.service, "projects", {{"partner", "ceduc-ucn-antofagasta"}}).empty());
  f.Reopen();
  CHECK(ListIds(*f.service, "projects", {{"partner", "ceduc-ucn-antofagasta"}}) == b01);
  CHECK(ListIds(*f.service, "projects", {{"partner", "inmq"}}) == b01);
  CHECK(ListIds(*f.service, "projects", {{"partner", "cegep-thetford"}}) == both);
}

TEST_CASE("Service: list pages through every record once", "[service]") {
  ServiceFixture f;
  for (int i = 0; i < 25; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "inst-%02d", i);
    REQUIRE_OK(f.service->Create("institutions", Institution(id, i % 2 ? "CL" : "PE"), f.caller));
  }
  for (auto filter : {std::map<std::string, std::string>{}, std::map<std::string, std::string>{{"country", "CL"}}}) {
    std::vector<std::string> all;
    service::ListQuery q;
    q.filters = filter;
    q.page_size = 4;
    int pages = 0;
    do {
      auto page = f.service->List("institutions", q);
      REQUIRE_OK(page);
      CHECK(page->records.size() <= 4);
      for (auto& id : Ids(*page)) all.push_back(id);
      q.page_token = page->next_page_token;
      ++pages;
    } while (!q.page_token.empty() && pages < 100);
    CHECK(all.size() == (filter.empty() ? 25u : 12u));
    CHECK(std::is_sorted(all.begin(), all.end()));
    CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
  }
  service::ListQuery bad;
  bad.page_token = "zz";
  CHECK(f.service->List("institutions", bad).status().field() == "page_token");
  bad.page_token.clear();
  bad.filters = {{"colour", "blue"}};
  CHECK(f.service->List("institutions", bad).status().field() == "colour");
  bad.filters.clear();
  bad.page_size = 100000;
  CHECK(f.service->List("institutions", bad).status().field() == "page_size");
}

TEST_CASE("Service: a stale expected version is refused and changes nothing", "[service]") {
  ServiceFixture f;
  REQUIRE_OK(f.service->Create("institutions", Institution("inmq"), f.caller));
  REQUIRE_OK(f.service->Update("institutions", "inmq", {{{"city_or_region", "Val-d'Or"}}, {}, 1}, f.caller));
  auto stale = f.service->Update("institutions", "inmq", {{{"city_or_region", "Québec"}}, {}, 1}, f.caller);
  CHECK(stale.status().code() == Code::kAborted);
  CHECK(f.service->Delete("institutions", "inmq", 1, f.caller).code() == Code::kAborted);
  auto got = f.service->Get("institutions", "inmq");
  REQUIRE_OK(got);
  CHECK((*got)["city_or_region"] == "Val-d'Or");
  CHECK((*got)["version"] == 2);
}

TEST_CASE("Service: update with a mask clears fields named but absent", "[service]") {
  ServiceFixture f;
  auto inst = Institution("inmq");
  inst["city_or_region"] = "Val-d'Or";
  REQUIRE_OK(f.service->Create("institutions", inst, f.caller));
  service::UpdateRequest up;
  up.patch = {{"short_name", "INMQ"}};
  up.mask = {"short_name", "city_or_region"};
  auto r = f.service->Update("institutions", "inmq", up, f.caller);
  REQUIRE_OK(r);
  CHECK((*r)["short_name"] == "INMQ");
  CHECK(!r->contains("city_or_region"));
  // An update that changes nothing writes no op.
  auto same = f.service->Update("institutions", "inmq", up, f.caller);
  REQUIRE_OK(same);
  CHECK((*same)["version"] == 2);
  up.patch = {{"id", "other"}};
  up.mask = {"id"};
  CHECK(f.service->Update("institutions", "inmq", up, f.caller).status().field() == "id");
}

TEST_CASE("Service: only the owners' node may write a record", "[service][owners]") {
  ServiceFixture morocco("morocco");
  REQUIRE_OK(morocco.service->Create("institutions", Institution("maroc-ministere-energie-mines", "MA"), morocco.caller));
  // inmq is acted for by quebec-consortium: morocco's node may not create it.
  auto inmq = morocco.service->Create("institutions", Institution("inmq"), morocco.caller);
  CHECK(inmq.status().code() == Code::kPermissionDenied);
  CHECK(inmq.status().message().find("quebec-consortium") != std::string::npos);
  ServiceFixture quebec;
  REQUIRE_OK(quebec.service->Create("institutions", Institution("inmq"), quebec.caller));
  auto theirs = quebec.service->Create("institutions", Institution("maroc-ministere-energie-mines", "MA"), quebec.caller);
  CHECK(theirs.status().code() == Code::kPermissionDenied);
  CHECK(theirs.status().field() == "owners");
  // A joint agreement is owned by both members.
  REQUIRE_OK(quebec.service->Create("institutions", Institution("cican"), quebec.caller));
  auto agr = Agreement("agr-joint", {"inmq", "cican"});
  auto joint = quebec.service->Create("agreements", agr, quebec.caller);
  REQUIRE_OK(joint);
  CHECK((*joint)["owners"] == json::array({"quebec-consortium"}));

  SECTION("owners named in the request may add members, never leave the default ones out") {
    // morocco's ministry is acted for by morocco: naming quebec alone as owner is refused.
    auto sneaky = Institution("maroc-ministere-energie-mines", "MA");
    sneaky["owners"] = {"quebec-consortium"};
    auto made = quebec.service->Create("institutions", sneaky, quebec.caller);
    CHECK(made.status().code() == Code::kPermissionDenied);
    CHECK(made.status().field() == "owners");
    CHECK(made.status().message().find("morocco") != std::string::npos);
    sneaky["owners"] = {"quebec-consortium", "morocco"};
    REQUIRE_OK(quebec.service->Create("institutions", sneaky, quebec.caller));
    auto both = Agreement("agr-both", {"inmq", "maroc-ministere-energie-mines"});
    both["owners"] = {"quebec-consortium"};
    CHECK(quebec.service->Create("agreements", both, quebec.caller).status().field() == "owners");
    both.erase("owners");
    REQUIRE_OK(quebec.service->Create("agreements", both, quebec.caller));
    // An update may not drop a party's member either.
    service::UpdateRequest drop;
    drop.patch = {{"owners", {"quebec-consortium"}}};
    auto dropped = quebec.service->Update("agreements", "agr-both", drop, quebec.caller);
    CHECK(dropped.status().code() == Code::kPermissionDenied);
    CHECK(quebec.service->Get("agreements", "agr-both").value()["owners"] ==
          json::array({"morocco", "quebec-consortium"}));
  }
}

TEST_CASE("Owners: another member's node cannot hang records on a parent it does not own", "[service][owners]") {
  QuebecAndMorocco nodes;
  auto& q = nodes.q;
  auto& m = nodes.m;
  REQUIRE_OK(q.Create("institutions", Institution("inmq"), {"alice"}));
  REQUIRE_OK(q.Create("projects", {{"id", "P"}, {"title", "Projet"}, {"lead_partner", "inmq"}}, {"alice"}));
  nodes.Sync(q, m);
  json deliverable = {{"id", "P-x"}, {"project", "P"}, {"title", "Guide"}};
  CHECK(m.Create("deliverables", deliverable, {"karim"}).status().code() == Code::kPermissionDenied);
  deliverable["owners"] = {"morocco"};  // naming itself as owner does not help
  auto named = m.Create("deliverables", deliverable, {"karim"});
  CHECK(named.status().code() == Code::kPermissionDenied);
  CHECK(named.status().field() == "owners");
  CHECK(m.VersionVector().count("morocco") == 0);
}

TEST_CASE("Approval: a party's member the owners lost in a concurrent change must still approve",
          "[service][approval]") {
  // alpha adds charlie's institution as a party (owners + charlie) while bravo, later by
  // the clock, adds delta as co-owner (owners + delta): owners are one field, so bravo's
  // list wins and charlie is no owner. Three owners' approvals must not make it signed.
  std::vector<std::string> ids = {"alpha", "bravo", "charlie", "delta"};
  json list = json::array();
  for (const auto& id : ids)
    list.push_back({{"id", id}, {"acts_for", {"inst-" + id}}, {"public_key", core::ToHex(core::KeyPairFromSeed(id).public_key)}});
  service::Members members = service::Members::FromJson({{"members", list}}).value();
  std::map<std::string, uint64_t> clock;
  std::map<std::string, std::unique_ptr<storage::KvStore>> kv;
  std::map<std::string, std::unique_ptr<service::RecordService>> node;
  for (const auto& id : ids) {
    clock[id] = 1'700'000'000'000;
    kv[id] = storage::NewMemStore();
    node[id] = std::make_unique<service::RecordService>(kv[id].get(), &members, id, [&clock, id] { return clock[id]++; });
    REQUIRE_OK(node[id]->Open());
    node[id]->SetSigningKey(core::KeyPairFromSeed(id));
    REQUIRE_OK(node[id]->Create("institutions", Institution("inst-" + id), {"admin"}));
  }
  auto sync_all = [&] {
    for (int round = 0; round < 2; ++round)
      for (const auto& a : ids)
        for (const auto& b : ids)
          if (a != b) SyncPeers(*node[a], *node[b]);
  };
  sync_all();
  REQUIRE_OK(node["alpha"]->Create("agreements", Agreement("agr-race", {"inst-alpha", "inst-bravo"}), {"admin"}));
  sync_all();
  service::UpdateRequest add_party;
  add_party.patch = {{"parties", {"inst-alpha", "inst-bravo", "inst-charlie"}}};
  REQUIRE_OK(node["alpha"]->Update("agreements", "agr-race", add_party, {"admin"}));
  clock["bravo"] += 60'000;  // bravo's change sorts last
  service::UpdateRequest add_owner;
  add_owner.patch = {{"owners", {"alpha", "bravo", "delta"}}};
  REQUIRE_OK(node["bravo"]->Update("agreements", "agr-race", add_owner, {"admin"}));
  for (const auto& id : ids) clock[id] = std::max(clock[id], clock["bravo"]);  // time passes
  sync_all();
  json merged = node["alpha"]->Get("agreements", "agr-race").value();
  REQUIRE(merged["parties"].size() == 3);
  REQUIRE(merged["owners"] == json::array({"alpha", "bravo", "delta"}));  // charlie lost
  const std::string terms = merged["terms_hash"];
  for (const char* id : {"alpha", "bravo", "delta"}) {
    REQUIRE_OK(node[id]->Approve("agreements", "agr-race", terms, {"admin"}));
    sync_all();
  }
  for (const auto& id : ids) {
    INFO(id);
    CHECK(node[id]->Get("agreements", "agr-race").value()["status"] == "proposed");
    CHECK(ListIds(*node[id], "agreements", {{"status", "signed"}}).empty());
    CHECK(ListIds(*node[id], "agreements", {{"status", "proposed"}}) == std::vector<std::string>{"agr-race"});
    // With another filter first, status is judged on the record: the same answer.
    CHECK(ListIds(*node[id], "agreements", {{"party", "inst-charlie"}, {"status", "signed"}}).empty());
    CHECK(ListIds(*node[id], "agreements", {{"party", "inst-charlie"}, {"status", "proposed"}}) ==
          std::vector<std::string>{"agr-race"});
  }
}

TEST_CASE("Approval: an agreement is signed once every party approved the current terms", "[service][approval]") {
  // Two nodes (quebec-consortium, morocco) sharing one store would not be a federation;
  // here each node approves on its own store and ops travel with ApplyPeerBatch.
  QuebecAndMorocco nodes;
  auto& q = nodes.q;
  auto& m = nodes.m;
  auto sync = [&](service::RecordService& from, service::RecordService& to) { nodes.Sync(from, to); };
  REQUIRE_OK(q.Create("institutions", Institution("inmq"), {"alice"}));
  REQUIRE_OK(m.Create("institutions", Institution("maroc-ministere-energie-mines", "MA"), {"karim"}));
  sync(q, m);
  sync(m, q);
  auto agr = q.Create("agreements", Agreement("agr-inmq-maroc", {"inmq", "maroc-ministere-energie-mines"}), {"alice"});
  REQUIRE_OK(agr);
  CHECK((*agr)["owners"] == json::array({"morocco", "quebec-consortium"}));
  std::string terms = (*agr)["terms_hash"];
  sync(q, m);

  auto first = q.Approve("agreements", "agr-inmq-maroc", terms, {"alice"});
  REQUIRE_OK(first);
  CHECK((*first)["status"] == "proposed");
  CHECK((*first)["approvals"]["quebec-consortium"]["current"] == true);
  sync(q, m);
  auto both = m.Approve("agreements", "agr-inmq-maroc", terms, {"karim"});
  REQUIRE_OK(both);
  CHECK((*both)["status"] == "signed");
  sync(m, q);
  CHECK(q.Get("agreements", "agr-inmq-maroc").value()["status"] == "signed");
  // The status filter finds it by the status it shows, on both nodes.
  for (auto* node : {&q, &m}) {
    CHECK(ListIds(*node, "agreements", {{"status", "signed"}}) == std::vector<std::string>{"agr-inmq-maroc"});
    CHECK(ListIds(*node, "agreements", {{"status", "proposed"}}).empty());
  }

  SECTION("a stale terms hash is refused") {
    CHECK(q.Approve("agreements", "agr-inmq-maroc", std::string(64, '0'), {"alice"}).status().code() == Code::kAborted);
  }
  SECTION("a change of terms by one party returns it to proposed everywhere") {
    service::UpdateRequest up;
    up.patch = {{"purpose", "Formation en salles de contrôle"}};
    auto changed = q.Update("agreements", "agr-inmq-maroc", up, {"alice"});
    REQUIRE_OK(changed);
    CHECK((*changed)["status"] == "proposed");
    CHECK((*changed)["terms_hash"] != terms);
    sync(q, m);
    CHECK(m.Get("agreements", "agr-inmq-maroc").value()["status"] == "proposed");
    CHECK(ListIds(m, "agreements", {{"status", "proposed"}}) == std::vector<std::string>{"agr-inmq-maroc"});
    CHECK(ListIds(m, "agreements", {{"status", "signed"}}).empty());
  }
  SECTION("a change of documents, place or dates un-signs it; a change of notes does not") {
    for (json patch : {json{{"documents", {{{"title", "Avenant"}, {"url", "https://example.org/b.pdf"}}}}},
                       json{{"place", "Rabat"}}, json{{"end_date", "2031-12-31"}}}) {
      INFO(patch.dump());
      const json before = q.Get("agreements", "agr-inmq-maroc").value();
      REQUIRE(before["status"] == "signed");
      service::UpdateRequest up;
      up.patch = patch;
      auto changed = q.Update("agreements", "agr-inmq-maroc", up, {"alice"});
      REQUIRE_OK(changed);
      CHECK((*changed)["status"] == "proposed");
      // Both approve the new terms again before the next change.
      const std::string now = (*changed)["terms_hash"];
      REQUIRE_OK(q.Approve("agreements", "agr-inmq-maroc", now, {"alice"}));
      sync(q, m);
      REQUIRE_OK(m.Approve("agreements", "agr-inmq-maroc", now, {"karim"}));
      sync(m, q);
    }
    service::UpdateRequest notes;
    notes.patch = {{"notes", {"Réunion de suivi en mars"}}};
    auto kept = q.Update("agreements", "agr-inmq-maroc", notes, {"alice"});
    REQUIRE_OK(kept);
    CHECK((*kept)["status"] == "signed");
  }
  SECTION("approvals cannot be written as ordinary fields, nor signed by hand") {
    service::UpdateRequest up;
    up.patch = {{"approval.morocco", {{"terms", terms}}}};
    CHECK(q.Update("agreements", "agr-inmq-maroc", up, {"alice"}).status().field() == "approval.morocco");
    // "signed" as the status it shows: sent back as read, not a change (no op); on an
    // agreement not signed, refused (the status-echo test below).
    const uint64_t version = q.Get("agreements", "agr-inmq-maroc").value()["version"];
    up.patch = {{"status", "signed"}};
    auto echoed = q.Update("agreements", "agr-inmq-maroc", up, {"alice"});
    REQUIRE_OK(echoed);
    CHECK((*echoed)["version"] == version);
  }
}

namespace {

// A chain of ops by `origin`, hashed, numbered from 1, its last op signed with `key`;
// `edit` may change each op before it is hashed.
std::vector<std::string> SignedChain(const std::string& origin, const core::KeyPair& key,
                                     std::vector<std::tuple<core::OpType, std::string, std::string, json>> specs,
                                     const std::function<void(core::Op&)>& edit = nullptr) {
  std::vector<std::string> out;
  std::string prev;
  uint64_t seq = 0;
  for (auto& [type, kind, id, fields] : specs) {
    core::Op op;
    op.origin = op.author = origin;
    op.seq = ++seq;
    op.hlc = core::MakeHlc(1'700'000'000'000 + seq, 0);
    op.type = type;
    op.kind = kind;
    op.record_id = id;
    op.fields = fields;
    op.prev_hash = prev;
    if (edit) edit(op);
    prev = core::OpHash(op);
    if (seq == specs.size()) op.signature = core::SignHash(key, prev);
    out.push_back(core::EncodeOp(op));
  }
  return out;
}

// quebec-consortium (this node) and morocco, whose public key is `key`'s.
service::Members WithMorocco(const core::KeyPair& key, const char* morocco_acts_for) {
  return service::Members::FromJson(json::parse(
             std::string(R"({"members": [{"id": "quebec-consortium", "acts_for": ["inmq"]},
                                          {"id": "morocco", "acts_for": )") +
             morocco_acts_for + R"(, "public_key": ")" + core::ToHex(key.public_key) + R"("}]})"))
      .value();
}

constexpr char kMinistry[] = "maroc-ministere-energie-mines";

// Makes morocco (its key seeded "m") a member acting for kMinistry on f's node, reopened;
// returns morocco's key, to sign its chains with.
core::KeyPair JoinMorocco(ServiceFixture& f) {
  auto morocco = core::KeyPairFromSeed("m");
  f.members = WithMorocco(morocco, R"(["maroc-ministere-energie-mines"])");
  f.Reopen();
  return morocco;
}

// kMinistry as morocco's create names it.
json MinistryByMorocco() {
  return {{"id", kMinistry}, {"name", "Ministère"}, {"type", "ministry"}, {"owners", {"morocco"}}};
}

}  // namespace

TEST_CASE("Updates: a cross-field rule broken by merged edits blocks only edits of its fields", "[service][validation]") {
  QuebecAndMorocco nodes;
  auto& q = nodes.q;
  auto& m = nodes.m;
  REQUIRE_OK(q.Create("institutions", Institution("inmq"), {"alice"}));
  REQUIRE_OK(m.Create("institutions", Institution("maroc-ministere-energie-mines", "MA"), {"karim"}));
  nodes.Sync(q, m);
  nodes.Sync(m, q);
  json agr = Agreement("agr-joint", {"inmq", "maroc-ministere-energie-mines"});
  agr["start_date"] = "2024-01";
  agr["end_date"] = "2026";
  REQUIRE_OK(q.Create("agreements", agr, {"alice"}));
  nodes.Sync(q, m);
  // Concurrent edits, each valid where it was made; merged, start is after end.
  service::UpdateRequest start, end;
  start.patch = {{"start_date", "2025"}};
  end.patch = {{"end_date", "2024-06"}};
  REQUIRE_OK(q.Update("agreements", "agr-joint", start, {"alice"}));
  REQUIRE_OK(m.Update("agreements", "agr-joint", end, {"karim"}));
  nodes.Sync(q, m);
  nodes.Sync(m, q);
  for (auto* node : {&q, &m}) {
    auto merged = node->Get("agreements", "agr-joint");
    REQUIRE_OK(merged);
    CHECK((*merged)["start_date"] == "2025");
    CHECK((*merged)["end_date"] == "2024-06");
  }

  // An edit that leaves the dates alone goes through, on either node.
  service::UpdateRequest title;
  title.patch = {{"title", "Entente conjointe"}};
  REQUIRE_OK(q.Update("agreements", "agr-joint", title, {"alice"}));
  title.patch = {{"title", "Entente conjointe (MA)"}, {"end_date", "2024-06"}};  // same end: not a change
  REQUIRE_OK(m.Update("agreements", "agr-joint", title, {"karim"}));
  // An edit of a date the rule reads must leave the rule holding.
  for (json patch : {json{{"end_date", "2024-09"}}, json{{"start_date", "2026"}}}) {
    INFO(patch.dump());
    service::UpdateRequest up;
    up.patch = patch;
    auto refused = q.Update("agreements", "agr-joint", up, {"alice"});
    CHECK(refused.status().code() == Code::kInvalidArgument);
    CHECK(refused.status().field() == "end_date");
  }
  CHECK(q.Get("agreements", "agr-joint").value()["end_date"] == "2024-06");
  service::UpdateRequest mend;
  mend.patch = {{"end_date", "2026-06"}};
  REQUIRE_OK(q.Update("agreements", "agr-joint", mend, {"alice"}));
  // Once it holds, an edit that breaks it again is refused.
  end.patch = {{"end_date", "2024-12"}};
  CHECK(q.Update("agreements", "agr-joint", end, {"alice"}).status().field() == "end_date");
}

TEST_CASE("Peers: a signed op with values the rules refuse is refused whole and stores nothing", "[service][peer]") {
  ServiceFixture f;
  auto morocco = JoinMorocco(f);
  json inst = {{"id", "maroc-ministere-energie-mines"}, {"name", "Ministère"}, {"type", "ministry"},
               {"owners", {"morocco"}}};
  const char* kind = "institution";
  const std::string id = "maroc-ministere-energie-mines";
  for (json bad : {json{{"member_count", "many"}}, json{{"colour", "blue"}}, json{{"name", nullptr}},
                   json{{"version", 3}}}) {
    INFO(bad.dump());
    auto ops = SignedChain("morocco", morocco, {{core::OpType::kCreate, kind, id, inst},
                                                {core::OpType::kUpdate, kind, id, bad}});
    auto r = f.service->ApplyPeerBatch(ops);
    CHECK(r.refusal == core::Refusal::kMalformed);
    CHECK(f.service->VersionVector().count("morocco") == 0);
  }
  // The same chain with a valid update is accepted.
  auto good = SignedChain("morocco", morocco, {{core::OpType::kCreate, kind, id, inst},
                                               {core::OpType::kUpdate, kind, id, {{"member_count", 3}}}});
  CHECK(f.service->ApplyPeerBatch(good).refusal == core::Refusal::kNone);
  CHECK(f.service->Get("institutions", id).value()["member_count"] == 3);
}

TEST_CASE("Peers: a fake signature slipped into the middle of a batch is refused", "[service][peer]") {
  ServiceFixture f;
  auto morocco = core::KeyPairFromSeed("m");
  f.members = WithMorocco(morocco, "[]");
  f.Reopen();
  auto ops = SignedChain("morocco", morocco,
                         {{core::OpType::kCreate, "institution", "i1", Institution("i1")},
                          {core::OpType::kCreate, "institution", "i2", Institution("i2")}});
  // Re-encode op 1 with junk in its signature (not part of its hash, so the chain holds).
  auto first = core::DecodeOp(ops[0]).value();
  first.signature = std::string(64, 'x');
  ops[0] = core::EncodeOp(first);
  CHECK(f.service->ApplyPeerBatch(ops).refusal == core::Refusal::kBadSignature);
  CHECK(f.service->VersionVector().count("morocco") == 0);
}

TEST_CASE("Peers: an op on a record nobody created does not block creating it", "[service][peer]") {
  ServiceFixture f;
  auto morocco = core::KeyPairFromSeed("m");
  f.members = WithMorocco(morocco, "[]");
  f.Reopen();
  auto ops = SignedChain("morocco", morocco,
                         {{core::OpType::kUpdate, "institution", "inmq", {{"name", "Squatted"}}}});
  auto r = f.service->ApplyPeerBatch(ops);
  REQUIRE(r.refusal == core::Refusal::kNone);
  CHECK(r.no_effect == 1);
  auto created = f.service->Create("institutions", Institution("inmq"), f.caller);
  REQUIRE_OK(created);
  CHECK((*created)["name"] == "Institution inmq");
}

TEST_CASE("Peers: malformed batches are refused whole and store nothing", "[service][peer]") {
  ServiceFixture f;
  auto morocco = JoinMorocco(f);
  const std::string id = kMinistry;
  json inst = MinistryByMorocco();
  json agr = {{"id", "agr-m"}, {"title", "Entente"}, {"parties", {id}}, {"kind", "mou"},
              {"owners", {"morocco"}}};
  auto refused = [&](const std::vector<std::string>& ops, const std::string& why) {
    INFO(why);
    auto r = f.service->ApplyPeerBatch(ops);
    CHECK(r.refusal == core::Refusal::kMalformed);
    CHECK(f.service->VersionVector().count("morocco") == 0);
    return r.detail;
  };
  SECTION("a family named by its plural (its keys would be another record's)") {
    refused(SignedChain("morocco", morocco, {{core::OpType::kCreate, "institutions", id, inst}}),
            "plural kind");
  }
  SECTION("a user name longer than any account's") {
    refused(SignedChain("morocco", morocco, {{core::OpType::kCreate, "institution", id, inst}},
                        [](core::Op& op) { op.user = std::string(65, 'u'); }),
            "long user");
  }
  SECTION("more ops than any honest batch, refused before decoding") {
    std::vector<std::string> junk(service::kMaxBatchOpsReceived + 1, "not an op");
    CHECK(refused(junk, "oversized").find("at most") != std::string::npos);
  }
  SECTION("an agreement made signed by hand, by a create or an update") {
    json signed_agr = agr;
    signed_agr["status"] = "signed";
    refused(SignedChain("morocco", morocco, {{core::OpType::kCreate, "institution", id, inst},
                                             {core::OpType::kCreate, "agreement", "agr-m", signed_agr}}),
            "signed create");
    refused(SignedChain("morocco", morocco, {{core::OpType::kCreate, "institution", id, inst},
                                             {core::OpType::kCreate, "agreement", "agr-m", agr},
                                             {core::OpType::kUpdate, "agreement", "agr-m", {{"status", "signed"}}}}),
            "signed update");
  }
  SECTION("an approval with a field beyond {terms, at, user}") {
    json approved = agr;
    approved["approval.morocco"] = {{"terms", std::string(64, 'a')}, {"extra", "x"}};
    refused(SignedChain("morocco", morocco, {{core::OpType::kCreate, "institution", id, inst},
                                             {core::OpType::kCreate, "agreement", "agr-m", approved}}),
            "approval shape");
  }
  SECTION("a delete carrying fields (every version writes deletes empty)") {
    for (json fields : {json{{"name", "x"}}, json{{"owners", {"morocco"}}}}) {
      INFO(fields.dump());
      CHECK(refused(SignedChain("morocco", morocco, {{core::OpType::kCreate, "institution", id, inst},
                                                     {core::OpType::kDelete, "institution", id, fields}}),
                    "delete with fields")
                .find("a delete carries no fields") != std::string::npos);
    }
  }
  // The valid chain is accepted, and a delete as nodes write it.
  auto good = SignedChain("morocco", morocco, {{core::OpType::kCreate, "institution", id, inst},
                                               {core::OpType::kCreate, "agreement", "agr-m", agr},
                                               {core::OpType::kDelete, "agreement", "agr-m", json::object()}});
  CHECK(f.service->ApplyPeerBatch(good).refusal == core::Refusal::kNone);
  CHECK(f.service->Get("agreements", "agr-m").status().code() == Code::kNotFound);
}

TEST_CASE("Peers: a refused batch's ops this node already has are not counted refused", "[service][peer]") {
  ServiceFixture f;
  auto morocco = JoinMorocco(f);
  const std::string id = kMinistry;
  json inst = MinistryByMorocco();
  std::vector<std::tuple<core::OpType, std::string, std::string, json>> specs = {
      {core::OpType::kCreate, "institution", id, inst}};
  for (int i = 0; i < 3; ++i)
    specs.emplace_back(core::OpType::kUpdate, "institution", id, json{{"name", "v" + std::to_string(i)}});
  auto three = SignedChain("morocco", morocco, {specs.begin(), specs.begin() + 3});
  REQUIRE(f.service->ApplyPeerBatch(three).refusal == core::Refusal::kNone);
  // The same chain sent again whole, its head signed by another key: 3 held, 1 refused.
  auto forged = SignedChain("morocco", core::KeyPairFromSeed("not morocco"), specs);
  auto r = f.service->ApplyPeerBatch(forged);
  CHECK(r.refusal == core::Refusal::kBadSignature);
  CHECK(r.duplicates == 3);
  CHECK(f.service->VersionVector().at("morocco") == 3);
}

// A store that counts scans of the index column (where a record's history is read).
class IndexScanCounting : public storage::KvStore {
 public:
  explicit IndexScanCounting(storage::KvStore* kv) : kv_(kv) {}
  Status Get(storage::Column c, std::string_view key, std::string* value) const override {
    return kv_->Get(c, key, value);
  }
  Status Write(const storage::WriteBatch& batch) override { return kv_->Write(batch); }
  std::unique_ptr<storage::Iterator> Scan(storage::Column c, std::string_view prefix,
                                          std::string_view start) const override {
    if (c == storage::Column::kIndex) ++index_scans;
    return kv_->Scan(c, prefix, start);
  }
  Status Last(storage::Column c, std::string_view prefix, std::string* key, std::string* value) const override {
    return kv_->Last(c, prefix, key, value);
  }
  mutable size_t index_scans = 0;

 private:
  storage::KvStore* kv_;
};


TEST_CASE("Service: an index rebuild cut short is done again at the next open, whatever it expects",
          "[service][index]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-1", {"inmq", "cican"}), f.caller));
  f.service.reset();
  // Opened with a members file whose acting-for lists differ: the rebuild deletes the
  // entries (first write) and the node dies before writing them again.
  auto grown = service::Members::FromJson(json::parse(R"({"members": [
      {"id": "quebec-consortium", "acts_for": ["cegep-abitibi-temiscamingue", "cegep-thetford", "cegep-sept-iles", "inmq"]},
      {"id": "morocco", "acts_for": ["maroc-ministere-energie-mines"]},
      {"id": "cican-node", "acts_for": ["cican"]}]})"));
  REQUIRE_OK(grown);
  {
    FailingWrites crash(f.store.get());
    crash.fail_from = 2;
    service::RecordService cut{&crash, &grown.value(), f.member_id, [&] { return f.now_ms; }};
    CHECK_FALSE(cut.Open().ok());
    CHECK(crash.writes >= 2);
  }
  // Back on the first members file (the operator undid the change): the entries the
  // cut rebuild deleted are written again.
  f.Reopen();
  CHECK(ListIds(*f.service, "agreements", {{"party", "cican"}}) == std::vector<std::string>{"agr-1"});
  CHECK(ListIds(*f.service, "agreements", {{"kind", "cooperation"}}) == std::vector<std::string>{"agr-1"});
}

TEST_CASE("Service: a first write that fails leaves no trace of this node in the version vector",
          "[service][index]") {
  auto kv = storage::NewMemStore();
  FailingWrites disk(kv.get());
  service::Members members = TestMembers();
  service::RecordService svc{&disk, &members, "quebec-consortium", [] { return uint64_t{1'700'000'000'000}; }};
  REQUIRE_OK(svc.Open());
  disk.fail = true;
  CHECK_FALSE(svc.Create("institutions", Institution("inmq"), {"alice"}).ok());
  CHECK(svc.VersionVector().empty());
  // Nothing of it anywhere: no op, no record, no index, history or search entry.
  for (auto column : {storage::Column::kOps, storage::Column::kRecords, storage::Column::kIndex})
    CHECK_FALSE(kv->Scan(column, "")->Valid());
  CHECK(svc.Get("institutions", "inmq").status().code() == Code::kNotFound);
  CHECK(svc.Search("inmq", "", 10).value()["results"].empty());
  disk.fail = false;
  REQUIRE_OK(svc.Create("institutions", Institution("inmq"), {"alice"}));
  CHECK(svc.VersionVector().at("quebec-consortium") == 1);
}

TEST_CASE("Peers: a batch this node cannot store is its own error, not a refusal of the peer's ops",
          "[service][peer]") {
  QuebecAndMorocco nodes;
  REQUIRE_OK(nodes.q.Create("institutions", Institution("inmq"), {"alice"}));
  auto ops = nodes.q.OpsForPeer("quebec-consortium", 0, 1000);
  REQUIRE_OK(ops);
  auto kv = storage::NewMemStore();
  FailingWrites disk(kv.get());
  service::RecordService m{&disk, &nodes.members, "morocco", [&] { return nodes.now++; }};
  REQUIRE_OK(m.Open());
  disk.fail = true;
  auto r = m.ApplyPeerBatch(*ops);
  CHECK(r.refusal == core::Refusal::kNone);  // nothing wrong with the ops
  CHECK(r.local_error.code() == Code::kInternal);
  CHECK(m.VersionVector()["quebec-consortium"] == 0);  // nothing stored
  disk.fail = false;
  r = m.ApplyPeerBatch(*ops);  // fetched again once the disk has room
  CHECK(r.refusal == core::Refusal::kNone);
  CHECK(r.local_error.ok());
  CHECK(r.applied == 1);
  CHECK(m.Get("institutions", "inmq").ok());
}

TEST_CASE("Peers: many late ops on one record are folded in once, each with its effect", "[service][peer]") {
  ServiceFixture f;
  auto morocco = core::KeyPairFromSeed("m");
  f.members = WithMorocco(morocco, R"(["maroc-ministere-energie-mines"])");
  f.service.reset();
  IndexScanCounting counting(f.store.get());
  f.now_ms = 1'800'000'000'000;  // after every op of morocco's chain: each of them is late
  service::RecordService svc(&counting, &f.members, f.member_id, [&] { return f.now_ms; });
  REQUIRE_OK(svc.Open());
  REQUIRE_OK(svc.Create("institutions", Institution("inmq"), f.caller));
  std::vector<std::tuple<core::OpType, std::string, std::string, json>> specs;
  for (int i = 0; i < 200; ++i)  // each sorts before inmq's create: stored, without effect
    specs.push_back({core::OpType::kUpdate, "institution", "inmq", {{"name", "Squatted " + std::to_string(i)}}});
  counting.index_scans = 0;
  auto r = svc.ApplyPeerBatch(SignedChain("morocco", morocco, specs));
  REQUIRE(r.refusal == core::Refusal::kNone);
  CHECK(r.applied == 200);
  CHECK(r.no_effect == 200);
  CHECK(counting.index_scans == 1);  // the record's history read once, not once per late op
  CHECK(svc.Get("institutions", "inmq").value()["name"] == "Institution inmq");
  CHECK(svc.History("institutions", "inmq").value().size() == 201);
}

TEST_CASE("Service: a local change is judged as peers will judge its op", "[service][validation]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("institutions", Institution("inst-x"), f.caller));
  const auto vv = f.service->VersionVector();

  // Clearing a field the family does not have: refused here (peers refuse the op as
  // malformed, which would stop this node's chain at every one of them).
  service::UpdateRequest up;
  up.patch = {{"name", "Renamed"}, {"colour", nullptr}};
  auto cleared = f.service->Update("institutions", "inst-x", up, f.caller);
  REQUIRE_FALSE(cleared.ok());
  CHECK(cleared.status().code() == Code::kInvalidArgument);
  CHECK(cleared.status().field() == "colour");
  CHECK(f.service->VersionVector() == vv);

  // An op past the op log's size limit once encoded: refused, nothing written.
  json results = json::array();
  for (int r = 0; r < 200; ++r) {
    json breakdown = json::object();
    for (int k = 0; k < 200; ++k) breakdown["category-of-the-breakdown-" + std::to_string(k)] = 0.1;
    results.push_back({{"description", "Résultat " + std::to_string(r)}, {"disaggregation", breakdown}});
  }
  auto huge = f.service->Create("projects", {{"id", "p-huge"}, {"title", "Trop grand"}, {"results", results}}, f.caller);
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.status().code() == Code::kInvalidArgument);
  CHECK(huge.status().field() == "body");
  CHECK(f.service->VersionVector() == vv);
  CHECK(f.service->Get("projects", "p-huge").status().code() == Code::kNotFound);
  f.Reopen();  // and the store opens as before
  CHECK(f.service->VersionVector() == vv);
}

TEST_CASE("Service: an agreement sent back as read (its shown status included) updates; approve checks the hash's form",
          "[service][approval]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-echo", {"inmq"}), f.caller));
  const json read = f.service->Get("agreements", "agr-echo").value();
  auto signed_ = f.service->Approve("agreements", "agr-echo", read["terms_hash"], f.caller);
  REQUIRE_OK(signed_);
  REQUIRE((*signed_)["status"] == "signed");
  service::UpdateRequest echo;
  echo.patch = service::ContentFields(*signed_);  // as read, status "signed" included
  echo.patch["place"] = "Québec";
  auto updated = f.service->Update("agreements", "agr-echo", echo, f.caller);
  REQUIRE_OK(updated);
  CHECK((*updated)["place"] == "Québec");
  CHECK((*updated)["status"] == "proposed");  // the terms changed: approvals stale
  // Writing "signed" itself is still refused.
  service::UpdateRequest forged;
  forged.patch = {{"status", "signed"}};
  CHECK(f.service->Update("agreements", "agr-echo", forged, f.caller).status().field() == "status");

  for (std::string bad : {std::string(), std::string("abc"), std::string(64, 'Z')}) {
    auto r = f.service->Approve("agreements", "agr-echo", bad, f.caller);
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().field() == "terms_hash");
  }
}

TEST_CASE("Service: every family's indexes follow updates and deletes", "[service][index]") {
  ServiceFixture f;
  SeedParties(f);
  auto create = [&](const char* kind, json record) { REQUIRE_OK(f.service->Create(kind, std::move(record), f.caller)); };
  auto update = [&](const char* kind, const char* id, json patch) {
    service::UpdateRequest up;
    up.patch = std::move(patch);
    REQUIRE_OK(f.service->Update(kind, id, up, f.caller));
  };
  using Ids = std::vector<std::string>;
  create("projects", {{"id", "P1"}, {"title", "Projet 1"}, {"lead_partner", "inmq"}});
  create("projects", {{"id", "P2"}, {"title", "Projet 2"}, {"lead_partner", "inmq"}});
  create("deliverables", {{"id", "d1"}, {"project", "P1"}, {"title", "Guide"}, {"country", "CL"}, {"status", "late"},
                          {"due_date", "2026-03-01"}});
  create("indicators", {{"id", "i1"}, {"project", "P1"}, {"description", "Formés"}});
  create("frameworks", {{"id", "fw-a"}, {"name", "Cadre A"}, {"scope", "national"}, {"authority", "inmq"},
                        {"levels", {{{"level", 1}}, {{"level", 2}}, {{"level", 10}}}}});
  create("qualifications", {{"id", "q1"}, {"title", "Technicien"}, {"framework_id", "fw-a"}, {"level", 2}});
  create("mappings", {{"id", "m1"}, {"type", "level_mapping"}, {"status", "proposed"},
                      {"from", {{"framework_id", "fw-a"}, {"level", 1}}}, {"to", {{"framework_id", "fw-a"}, {"level", 2}}}});

  CHECK(ListIds(*f.service, "deliverables", {{"project", "P1"}}) == Ids{"d1"});
  CHECK(ListIds(*f.service, "deliverables", {{"country", "CL"}}) == Ids{"d1"});
  CHECK(ListIds(*f.service, "deliverables", {{"status", "late"}}) == Ids{"d1"});
  CHECK(ListIds(*f.service, "deliverables", {{"due_date_before", "2026-12-31"}}) == Ids{"d1"});
  CHECK(ListIds(*f.service, "indicators", {{"project", "P1"}}) == Ids{"i1"});
  CHECK(ListIds(*f.service, "qualifications", {{"level", "fw-a:2"}}) == Ids{"q1"});
  CHECK(ListIds(*f.service, "mappings", {{"source_level", "fw-a:1"}}) == Ids{"m1"});
  CHECK(ListIds(*f.service, "mappings", {{"target_level", "fw-a:2"}}) == Ids{"m1"});

  update("deliverables", "d1", {{"project", "P2"}, {"country", "PE"}, {"status", "delivered"}, {"due_date", "2027-01-01"}});
  update("indicators", "i1", {{"project", "P2"}});
  update("qualifications", "q1", {{"level", 10}});
  update("mappings", "m1", {{"to", {{"framework_id", "fw-a"}, {"level", 10}}}});
  CHECK(ListIds(*f.service, "deliverables", {{"project", "P1"}}).empty());
  CHECK(ListIds(*f.service, "deliverables", {{"project", "P2"}}) == Ids{"d1"});
  CHECK(ListIds(*f.service, "deliverables", {{"country", "CL"}}).empty());
  CHECK(ListIds(*f.service, "deliverables", {{"country", "PE"}}) == Ids{"d1"});
  CHECK(ListIds(*f.service, "deliverables", {{"status", "late"}}).empty());
  CHECK(ListIds(*f.service, "deliverables", {{"status", "delivered"}}) == Ids{"d1"});
  CHECK(ListIds(*f.service, "deliverables", {{"due_date_before", "2026-12-31"}}).empty());
  CHECK(ListIds(*f.service, "indicators", {{"project", "P1"}}).empty());
  CHECK(ListIds(*f.service, "indicators", {{"project", "P2"}}) == Ids{"i1"});
  CHECK(ListIds(*f.service, "qualifications", {{"level", "fw-a:2"}}).empty());
  CHECK(ListIds(*f.service, "qualifications", {{"level", "fw-a:10"}}) == Ids{"q1"});
  CHECK(ListIds(*f.service, "mappings", {{"target_level", "fw-a:2"}}).empty());
  CHECK(ListIds(*f.service, "mappings", {{"target_level", "fw-a:10"}}) == Ids{"m1"});

  for (auto [kind, id] : {std::pair{"mappings", "m1"}, {"qualifications", "q1"}, {"indicators", "i1"}, {"deliverables", "d1"}})
    REQUIRE_OK(f.service->Delete(kind, id, std::nullopt, f.caller));
  CHECK(ListIds(*f.service, "deliverables", {{"project", "P2"}}).empty());
  CHECK(ListIds(*f.service, "deliverables", {{"status", "delivered"}}).empty());
  CHECK(ListIds(*f.service, "indicators", {{"project", "P2"}}).empty());
  CHECK(ListIds(*f.service, "qualifications", {{"level", "fw-a:10"}}).empty());
  CHECK(ListIds(*f.service, "mappings", {{"source_level", "fw-a:1"}}).empty());
  // No index entry is left for a deleted record.
  auto it = f.store->Scan(storage::Column::kIndex, "i");
  for (; it->Valid(); it->Next())
    for (const char* gone : {"d1", "i1", "q1", "m1"}) {
      std::string key(it->key());
      CHECK_FALSE(key.ends_with(std::string(1, '\0') + gone));
    }
}

TEST_CASE("Peers: what older versions accepted still travels; this node's own writes meet the newer rules",
          "[service][peer][validation]") {
  ServiceFixture f;
  auto morocco = JoinMorocco(f);
  // Written by an older node: a tab pasted into a name, DEL in a title, a period ending
  // before it starts (institutions had no such rule), a breakdown past 1e15.
  json inst = {{"id", "maroc-ministere-energie-mines"}, {"name", "Ministère\tde l'Énergie"}, {"type", "ministry"},
               {"period", {{"start", "2020"}, {"end", "2010"}}}, {"owners", {"morocco"}}};
  // (The second, co-owned, so that this node may edit it below.)
  json shared = {{"id", "inst-shared"}, {"name", "Institut\tpartagé"}, {"type", "institute"},
                 {"short_name", "IP\x7f\xc2\x85"}, {"period", {{"start", "2020"}, {"end", "2010"}}},
                 {"owners", {"morocco", "quebec-consortium"}}};
  auto ops = SignedChain("morocco", morocco, {{core::OpType::kCreate, "institution", inst["id"], inst},
                                              {core::OpType::kCreate, "institution", "inst-shared", shared}});
  auto r = f.service->ApplyPeerBatch(ops);
  CHECK(r.refusal == core::Refusal::kNone);
  CHECK(r.applied == 2);
  CHECK(f.service->Get("institutions", "maroc-ministere-energie-mines").ok());

  // The same from this node: refused, naming the field.
  json mine = {{"id", "inst-local"}, {"name", "Collège\tlocal"}, {"type", "college"}};
  CHECK(f.service->Create("institutions", mine, f.caller).status().field() == "name");
  mine["name"] = "Collège local";
  mine["period"] = {{"start", "2020"}, {"end", "2010"}};
  CHECK(f.service->Create("institutions", mine, f.caller).status().field() == "period.end");
  mine.erase("period");
  REQUIRE_OK(f.service->Create("institutions", mine, f.caller));
  // A record holding such a value (here co-owned, so this node may edit it) stays
  // editable in its other fields; the field itself must meet the rules when changed.
  service::UpdateRequest country;
  country.patch = {{"country", "MA"}};
  REQUIRE_OK(f.service->Update("institutions", "inst-shared", country, f.caller));
  // Sent back whole, as read, with one field changed: the old values are no change.
  service::UpdateRequest whole;
  whole.patch = service::ContentFields(f.service->Get("institutions", "inst-shared").value());
  whole.patch["country"] = "CA";
  REQUIRE_OK(f.service->Update("institutions", "inst-shared", whole, f.caller));
  service::UpdateRequest name;
  name.patch = {{"name", "Institut\tencore"}};
  CHECK(f.service->Update("institutions", "inst-shared", name, f.caller).status().field() == "name");
  service::UpdateRequest period;
  period.patch = {{"period", {{"start", "2021"}, {"end", "2011"}}}};
  CHECK(f.service->Update("institutions", "inst-shared", period, f.caller).status().field() == "period.end");
  period.patch = {{"period", {{"start", "2011"}, {"end", "2021"}}}};
  REQUIRE_OK(f.service->Update("institutions", "inst-shared", period, f.caller));
}
