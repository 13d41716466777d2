// Search, dashboard and change feed of the RecordService, over real RocksDB stores;
// peer ops travel between two services with ApplyPeerBatch.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>

#include "node/core/coding.h"
#include "node/core/signing.h"
#include "node/records/family.h"
#include "node/service/change_feed.h"
#include "node/service/seed_io.h"
#include "tests/service/fixture.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;

namespace {

json Inst(const std::string& id, const std::string& name, const std::string& country = "CA") {
  return {{"id", id}, {"name", name}, {"type", "college"}, {"country", country}};
}
json Agreement(const std::string& id, const std::string& title, std::vector<std::string> parties) {
  return {{"id", id}, {"title", title}, {"parties", parties}, {"kind", "cooperation"}};
}

// The ids of a search's results, in order.
std::vector<std::string> Ids(const service::RecordService& s, const std::string& q,
                             const std::string& kind = "", size_t limit = 20) {
  auto r = s.Search(q, kind, limit);
  REQUIRE_OK(r);
  std::vector<std::string> ids;
  for (const auto& hit : (*r)["results"]) ids.push_back(hit["id"]);
  return ids;
}
bool Finds(const service::RecordService& s, const std::string& q, const std::string& id) {
  auto ids = Ids(s, q, "", 100);
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Two nodes on RocksDB, each its own member, with signing keys; Sync carries ops.
struct TwoNodes {
  TwoNodes()
      : members(service::Members::FromJson(json::parse(R"({"members": [
          {"id": "quebec-consortium", "acts_for": ["inmq"], "public_key": ")" +
                                                       core::ToHex(core::KeyPairFromSeed("q").public_key) + R"("},
          {"id": "morocco", "acts_for": ["maroc-ministere-energie-mines"], "public_key": ")" +
                                                       core::ToHex(core::KeyPairFromSeed("m").public_key) + R"("}]})"))
                    .value()) {
    kv_q = storage::OpenRocksStore(dir_q.str()).value();
    kv_m = storage::OpenRocksStore(dir_m.str()).value();
    q = std::make_unique<service::RecordService>(kv_q.get(), &members, "quebec-consortium", [&] { return now_q++; });
    m = std::make_unique<service::RecordService>(kv_m.get(), &members, "morocco", [&] { return now_m++; });
    REQUIRE_OK(q->Open());
    REQUIRE_OK(m->Open());
    q->SetSigningKey(core::KeyPairFromSeed("q"));
    m->SetSigningKey(core::KeyPairFromSeed("m"));
    m->SetMaxClockSkewMs(uint64_t{4000} * 86'400'000);  // Quebec's clock is far ahead
  }
  void Sync(service::RecordService& from, service::RecordService& to) { SyncPeers(from, to); }
  TempDir dir_q, dir_m;
  service::Members members;
  uint64_t now_q = 2'000'000'000'000, now_m = 1'700'000'000'000;
  std::unique_ptr<storage::KvStore> kv_q, kv_m;
  std::unique_ptr<service::RecordService> q, m;
};

}  // namespace

TEST_CASE("Search: accents and case ignored, last word a prefix, kind filter", "[feeds][search]") {
  ServiceFixture f;
  auto& s = *f.service;
  REQUIRE_OK(s.Create("institutions", Inst("cegep-sept-iles", "Cégep de Sept-Îles"), f.caller));
  json inmq = Inst("inmq", "Institut national des mines du Québec");
  inmq["short_name"] = "INMQ";
  REQUIRE_OK(s.Create("institutions", inmq, f.caller));
  REQUIRE_OK(s.Create("institutions", Inst("cegep-thetford", "Minestrone Thetford"), f.caller));
  REQUIRE_OK(s.Create("agreements", Agreement("agr-tele", "Programa de Telemática industrial", {"inmq"}), f.caller));

  struct Row {
    const char* q;
    const char* kind;
    std::vector<std::string> ids;
  };
  const Row rows[] = {
      {"Telematica", "", {"agr-tele"}},
      {"TELEMÁTICA industrial", "", {"agr-tele"}},
      {"cegep", "", {"cegep-sept-iles"}},         // see below: cegep-thetford by its id
      {"cég", "", {"cegep-sept-iles", "cegep-thetford"}},  // prefix of both; in the title first
      {"sept cegep", "", {"cegep-sept-iles"}},    // every word must match
      {"sept-îles", "", {"cegep-sept-iles"}},
      {"quebec", "", {"inmq"}},
      {"inmq", "", {"agr-tele", "inmq"}},         // neither in a title: shorter title first
      {"inmq", "agreement", {"agr-tele"}},
      {"inmq", "agreements", {"agr-tele"}},
      {"inmq", "institution", {"inmq"}},
      {"mines", "", {"inmq", "cegep-thetford"}},  // exact word before a prefix of "minestrone"
      {"nothing here", "", {}},
      {"telematica zzz", "", {}},
  };
  for (const auto& row : rows) {
    INFO("q=" << row.q << " kind=" << row.kind);
    auto ids = Ids(s, row.q, row.kind);
    if (std::string(row.q) == "cegep") {
      REQUIRE(ids.size() == 2);
      CHECK(ids[0] == "cegep-sept-iles");  // "cegep" in its title, before a match in the id
      CHECK(ids[1] == "cegep-thetford");
    } else {
      CHECK(ids == row.ids);
    }
  }
  auto r = s.Search("Telematica", "", 20);
  REQUIRE_OK(r);
  CHECK((*r)["query"] == "Telematica");
  CHECK((*r)["results"][0] == json{{"kind", "agreement"}, {"id", "agr-tele"},
                                   {"title", "Programa de Telemática industrial"}, {"snippet", ""}});
  // A match outside the title says where.
  auto by_party = s.Search("inmq", "agreement", 20);
  CHECK((*by_party)["results"][0]["snippet"] == "parties: inmq");
  CHECK(Ids(s, "c", "", 1).size() == 1);  // limit

  SECTION("bad queries are refused naming the field") {
    auto field = [&](const std::string& q, const std::string& kind, size_t limit) {
      auto r = s.Search(q, kind, limit);
      REQUIRE(!r.ok());
      CHECK(r.status().code() == Code::kInvalidArgument);
      return r.status().field();
    };
    CHECK(field("", "", 20) == "q");
    CHECK(field(std::string(201, 'a'), "", 20) == "q");
    CHECK(field("!!! ...", "", 20) == "q");
    CHECK(field("a", "widgets", 20) == "kind");
    CHECK(field("a", "", 0) == "limit");
    CHECK(field("a", "", 101) == "limit");
    CHECK(s.Search(std::string(200, 'a'), "", 20).ok());
    CHECK(s.Search("\xff\xfe abc", "", 20).ok());  // invalid UTF-8 is not a crash
  }
}

TEST_CASE("Search: the index follows updates and deletes, and is rebuilt when missing", "[feeds][search]") {
  ServiceFixture f;
  auto& s = *f.service;
  REQUIRE_OK(s.Create("institutions", Inst("inmq", "Institut des mines"), f.caller));
  CHECK(Finds(s, "mines", "inmq"));
  service::UpdateRequest up;
  up.patch = {{"name", "École nationale de géologie"}};
  REQUIRE_OK(s.Update("institutions", "inmq", up, f.caller));
  CHECK_FALSE(Finds(s, "mines", "inmq"));
  CHECK(Finds(s, "geologie", "inmq"));
  CHECK(Finds(s, "ecole nationale", "inmq"));
  up.patch = {{"city_or_region", "Thetford"}};  // not a search field: the entry is kept
  REQUIRE_OK(s.Update("institutions", "inmq", up, f.caller));
  CHECK(Finds(s, "geologie", "inmq"));

  SECTION("delete removes it") {
    REQUIRE_OK(s.Delete("institutions", "inmq", std::nullopt, f.caller));
    CHECK(Ids(s, "geologie").empty());
    CHECK(Ids(s, "inmq").empty());
  }
  SECTION("a data directory without the index (or an older one) is indexed at open") {
    storage::WriteBatch wipe;
    wipe.Delete(storage::Column::kMeta, "search_index");
    for (const char* prefix : {"s", "w"})
      for (auto it = f.store->Scan(storage::Column::kIndex, prefix); it->Valid(); it->Next())
        wipe.Delete(storage::Column::kIndex, std::string(it->key()));
    // Version 2 kept one 's' key per word: an open removes them.
    wipe.Put(storage::Column::kIndex, std::string("sgeologie\0institution\0inmq", 26), "1");
    REQUIRE_OK(f.store->Write(wipe));
    f.Reopen();
    CHECK(Ids(*f.service, "geologie") == std::vector<std::string>{"inmq"});
    CHECK(Ids(*f.service, "mines").empty());
    CHECK_FALSE(f.store->Scan(storage::Column::kIndex, "s")->Valid());
    size_t entries = 0;
    for (auto it = f.store->Scan(storage::Column::kIndex, "w"); it->Valid(); it->Next()) ++entries;
    CHECK(entries == 1);
  }
}

TEST_CASE("Search: records from peers are indexed, also when a late op re-folds", "[feeds][search][peer]") {
  TwoNodes n;
  REQUIRE_OK(n.q->Create("institutions", Inst("inmq", "Institut national des mines"), {"alice"}));
  REQUIRE_OK(n.m->Create("institutions", Inst("maroc-ministere-energie-mines", "Ministère de l'Énergie", "MA"), {"karim"}));
  n.Sync(*n.q, *n.m);
  n.Sync(*n.m, *n.q);
  CHECK(Finds(*n.q, "de l'energie", "maroc-ministere-energie-mines"));
  CHECK(Finds(*n.m, "national", "inmq"));

  service::UpdateRequest up;
  up.patch = {{"name", "Ministère de la Transition énergétique"}};
  REQUIRE_OK(n.m->Update("institutions", "maroc-ministere-energie-mines", up, {"karim"}));
  n.Sync(*n.m, *n.q);
  CHECK(Finds(*n.q, "transition energetique", "maroc-ministere-energie-mines"));
  CHECK_FALSE(Finds(*n.q, "de l'energie", "maroc-ministere-energie-mines"));  // the old name

  // A joint agreement both may change. Quebec's clock is ahead: Morocco's later update
  // sorts BEFORE Quebec's, so Quebec re-folds the record when it arrives.
  REQUIRE_OK(n.q->Create("agreements", Agreement("agr-joint", "Accord minier", {"inmq", "maroc-ministere-energie-mines"}), {"alice"}));
  n.Sync(*n.q, *n.m);
  n.now_q += 60'000;
  up.patch = {{"title", "Accord sur la formation numérique"}};
  REQUIRE_OK(n.q->Update("agreements", "agr-joint", up, {"alice"}));
  up.patch = {{"title", "Accord sur la géologie appliquée"}};
  REQUIRE_OK(n.m->Update("agreements", "agr-joint", up, {"karim"}));
  n.Sync(*n.m, *n.q);  // Morocco's op is older than Quebec's: re-fold on Quebec
  n.Sync(*n.q, *n.m);
  for (auto* node : {n.q.get(), n.m.get()}) {
    CHECK(node->Get("agreements", "agr-joint").value()["title"] == "Accord sur la formation numérique");
    CHECK(Finds(*node, "numerique", "agr-joint"));
    CHECK_FALSE(Finds(*node, "geologie", "agr-joint"));
    CHECK_FALSE(Finds(*node, "minier", "agr-joint"));
  }

  REQUIRE_OK(n.m->Delete("institutions", "maroc-ministere-energie-mines", std::nullopt, {"karim"}));
  n.Sync(*n.m, *n.q);
  CHECK_FALSE(Finds(*n.q, "transition", "maroc-ministere-energie-mines"));

  SECTION("remote changes are in the feed, marked remote, newest first") {
    auto recent = n.q->changes().Recent(200);
    REQUIRE(!recent.empty());
    CHECK(recent[0].kind == "institution");
    CHECK(recent[0].id == "maroc-ministere-energie-mines");
    CHECK(recent[0].type == "delete");
    CHECK(recent[0].remote);
    CHECK(recent[0].origin == "morocco");
    CHECK(recent[0].user == "karim");
    size_t local = 0;
    for (const auto& c : recent) local += !c.remote;
    CHECK(local == 3);  // Quebec's own: inmq, agr-joint create and update
    auto dash = n.q->Dashboard("2026-11-24");
    REQUIRE_OK(dash);
    const auto& remote = (*dash)["recent_remote_changes"];
    REQUIRE(remote.size() == recent.size() - local);
    CHECK(remote[0]["id"] == "maroc-ministere-energie-mines");
    CHECK(remote[0]["origin"] == "morocco");
    for (const auto& c : remote) CHECK(c["origin"] == "morocco");
  }
}

TEST_CASE("Changes: a bounded ring, newest first, refilled from the op log at open", "[feeds][changes]") {
  ServiceFixture f;
  auto& s = *f.service;
  REQUIRE_OK(s.Create("institutions", Inst("inmq", "Institut"), f.caller));
  service::UpdateRequest up;
  for (int i = 0; i < 250; ++i) {
    up.patch = {{"name", "Institut " + std::to_string(i)}};
    REQUIRE_OK(s.Update("institutions", "inmq", up, f.caller));
  }
  auto recent = s.changes().Recent(1000);
  REQUIRE(recent.size() == service::kChangeRingSize);
  CHECK(recent[0].type == "update");
  CHECK(recent[0].title == "Institut 249");
  CHECK(recent[0].user == "alice");
  CHECK_FALSE(recent[0].remote);
  CHECK(recent[0].generation == s.Generation());
  CHECK(recent[1].generation == s.Generation() - 1);
  CHECK(s.changes().Recent(5).size() == 5);
  f.Reopen();
  auto reloaded = f.service->changes().Recent(1000);
  REQUIRE(reloaded.size() == service::kChangeRingSize);
  CHECK(reloaded[0].id == "inmq");
  CHECK(reloaded[0].at == recent[0].at);
  CHECK(reloaded.back().at == recent.back().at);
}

TEST_CASE("Dashboard: counts, expiring agreements, late deliverables, indicators behind", "[feeds][dashboard]") {
  ServiceFixture f;
  auto& s = *f.service;
  auto imported = service::ImportSeed(&s, SeedDir(), f.caller);
  REQUIRE_OK(imported);
  REQUIRE(imported->created > 0);
  const std::string today = "2026-11-24";  // horizon: 2027-02-22

  // Records with dates around today (the seed data has no end or due dates).
  REQUIRE(s.Get("institutions", "cegep-sept-iles").ok());  // from the seed
  auto agreement = [&](const std::string& id, const std::string& end, const std::string& status = "") {
    json a = Agreement(id, "Entente " + id, {"cegep-sept-iles"});
    a["end_date"] = end;
    if (!status.empty()) a["status"] = status;
    REQUIRE_OK(s.Create("agreements", a, f.caller));
  };
  agreement("agr-in-10-days", "2026-12-04");
  agreement("agr-end-of-december", "2026-12");       // stands for 2026-12-31
  agreement("agr-today", "2026-11-24");
  agreement("agr-horizon", "2027-02-22");
  agreement("agr-past-horizon", "2027-02-23");
  agreement("agr-year-2027", "2027");                // may end 2027-01-01: listed, last
  agreement("agr-ended", "2026-11-23");
  agreement("agr-terminated", "2026-12-01", "terminated");
  REQUIRE_OK(s.Create("projects", {{"id", "P-test"}, {"title", "Projet test"}, {"lead_partner", "cegep-sept-iles"}}, f.caller));
  auto deliverable = [&](const std::string& id, const std::string& due, const std::string& status) {
    json d = {{"id", id}, {"project", "P-test"}, {"title", "Livrable " + id}, {"country", "CA"}};
    if (!due.empty()) d["due_date"] = due;
    if (!status.empty()) d["status"] = status;
    REQUIRE_OK(s.Create("deliverables", d, f.caller));
  };
  deliverable("d-overdue", "2026-11-01", "in_progress");
  deliverable("d-october", "2026-10", "planned");     // ended 2026-10-31
  deliverable("d-due-today", "2026-11-24", "planned");
  deliverable("d-this-month", "2026-11", "planned");  // until 2026-11-30
  deliverable("d-delivered", "2026-01-01", "delivered");
  deliverable("d-cancelled", "2025", "cancelled");
  deliverable("d-marked-late", "", "late");
  deliverable("d-no-status", "2026-06-30", "");
  json ind = {{"id", "ind-behind"}, {"project", "P-test"}, {"description", "Personnes formées"}, {"target", 100},
              {"measurements", {{{"period", "2024"}, {"value", 90}}, {{"period", "2025"}, {"value", 80}}}}};
  REQUIRE_OK(s.Create("indicators", ind, f.caller));
  ind = {{"id", "ind-reached"}, {"project", "P-test"}, {"description", "Modules"}, {"target", 10},
         {"measurements", {{{"period", "2025"}, {"value", 12}}}}};
  REQUIRE_OK(s.Create("indicators", ind, f.caller));

  auto dash = s.Dashboard(today);
  REQUIRE_OK(dash);
  CHECK((*dash)["today"] == today);

  // Counts: one per family, equal to what listing each family returns.
  for (const auto& family : records::Families()) {
    size_t listed = 0;
    service::ListQuery q;
    q.page_size = 1000;
    for (;;) {
      auto page = s.List(family.kind, q);
      REQUIRE_OK(page);
      listed += page->records.size();
      if (page->next_page_token.empty()) break;
      q.page_token = page->next_page_token;
    }
    INFO(family.plural);
    CHECK((*dash)["counts"][family.plural] == listed);
  }
  CHECK((*dash)["counts"]["deliverables"] > 8);  // the seed's and the 8 above

  std::vector<std::string> expiring;
  for (const auto& a : (*dash)["expiring_agreements"]) expiring.push_back(a["id"]);
  CHECK(expiring == std::vector<std::string>{"agr-today", "agr-in-10-days", "agr-end-of-december", "agr-horizon",
                                              "agr-year-2027"});
  CHECK((*dash)["expiring_agreements"][1] == json{{"id", "agr-in-10-days"}, {"title", "Entente agr-in-10-days"},
                                                   {"end_date", "2026-12-04"}, {"end_date_imprecise", false},
                                                   {"parties", {"cegep-sept-iles"}}});

  std::vector<std::string> late;
  for (const auto& d : (*dash)["late_deliverables"]) late.push_back(d["id"]);
  CHECK(late == std::vector<std::string>{"d-no-status", "d-october", "d-overdue", "d-marked-late"});
  CHECK((*dash)["late_deliverables"][2] == json{{"id", "d-overdue"}, {"project_id", "P-test"},
                                                 {"title", "Livrable d-overdue"}, {"due_date", "2026-11-01"},
                                                 {"country", "CA"}, {"status", "in_progress"}});

  // Indicators behind: the one above, plus any seed indicator this node imported whose
  // value is below its target (computed from the file).
  std::set<std::string> expected_behind = {"ind-behind"};
  std::ifstream file(SeedDir() + "/program_indicators.json");
  for (const auto& i : json::parse(file))
    if (i.contains("target") && i.contains("value") && i["value"].get<double>() < i["target"].get<double>() &&
        s.Get("indicators", i["id"].get<std::string>()).ok())
      expected_behind.insert(i["id"].get<std::string>());
  std::set<std::string> behind;
  for (const auto& i : (*dash)["indicators_behind"]) behind.insert(i["id"]);
  CHECK(behind == expected_behind);
  for (const auto& i : (*dash)["indicators_behind"])
    if (i["id"] == "ind-behind")
      CHECK(i == json{{"id", "ind-behind"}, {"project_id", "P-test"}, {"name", "Personnes formées"},
                      {"target", 100}, {"latest", 80}, {"period", "2025"}});

  SECTION("marking a deliverable delivered takes it off the late list") {
    service::UpdateRequest up;
    up.patch = {{"status", "delivered"}};
    REQUIRE_OK(s.Update("deliverables", "d-overdue", up, f.caller));
    auto after = s.Dashboard(today);
    REQUIRE_OK(after);
    CHECK((*after)["late_deliverables"].size() == late.size() - 1);
  }
  SECTION("today must be a calendar date") {
    for (const char* bad : {"2026-02-30", "2026-1-1", "tomorrow", "2026-11-24T00:00"}) {
      auto r = s.Dashboard(bad);
      REQUIRE(!r.ok());
      CHECK(r.status().field() == "today");
    }
    auto leap = s.Dashboard("2028-02-29");
    CHECK(leap.ok());
    auto by_default = s.Dashboard("");
    REQUIRE_OK(by_default);
    CHECK((*by_default)["today"] == "2023-11-14");  // the fixture's clock, 1.7e12 ms
  }
}

TEST_CASE("Dashboard: an agreement ending in a month or year that overlaps the 90 days is listed, marked imprecise",
          "[feeds][dashboard]") {
  ServiceFixture f;
  auto& s = *f.service;
  REQUIRE_OK(s.Create("institutions", Inst("cegep-sept-iles", "Cégep de Sept-Îles"), f.caller));
  for (auto [id, end] : {std::pair{"agr-feb-2027", "2027-02"},   // may end Feb 1, before the horizon
                         {"agr-year-2027", "2027"},               // may end Jan 1
                         {"agr-nov-2026", "2026-11"},             // ends by Nov 30, after today
                         {"agr-mar-2027", "2027-03"},             // starts after the horizon
                         {"agr-oct-2026", "2026-10"},             // ended before today
                         {"agr-year-2026", "2026"},               // ends by Dec 31
                         {"agr-horizon", "2027-02-22"},
                         {"agr-past-horizon", "2027-02-23"},
                         {"agr-yesterday", "2026-11-23"}}) {
    json a = Agreement(id, std::string("Entente ") + id, {"cegep-sept-iles"});
    a["end_date"] = end;
    REQUIRE_OK(s.Create("agreements", a, f.caller));
  }
  auto dash = s.Dashboard("2026-11-24");  // horizon: 2027-02-22
  REQUIRE_OK(dash);
  std::vector<std::pair<std::string, bool>> listed;
  for (const auto& a : (*dash)["expiring_agreements"]) listed.push_back({a["id"], a.value("end_date_imprecise", false)});
  // Soonest last possible day first.
  CHECK(listed == std::vector<std::pair<std::string, bool>>{{"agr-nov-2026", true},
                                                           {"agr-year-2026", true},
                                                           {"agr-horizon", false},
                                                           {"agr-feb-2027", true},
                                                           {"agr-year-2027", true}});
}

TEST_CASE("Dashboard: an indicator's latest measurement is the one whose period ends last", "[feeds][dashboard]") {
  ServiceFixture f;
  auto& s = *f.service;
  REQUIRE_OK(s.Create("institutions", Inst("cegep-sept-iles", "Cégep de Sept-Îles"), f.caller));
  REQUIRE_OK(s.Create("projects", {{"id", "P-test"}, {"title", "Projet test"}, {"lead_partner", "cegep-sept-iles"}}, f.caller));
  auto indicator = [&](const std::string& id, json measurements) {
    REQUIRE_OK(s.Create("indicators", {{"id", id}, {"project", "P-test"}, {"description", "Personnes formées"},
                                       {"target", 100}, {"measurements", std::move(measurements)}}, f.caller));
  };
  // The full year 2024 (to Dec 31) is later than June 2024: 120 reached the target.
  indicator("ind-year-after-month", {{{"period", "2024-06"}, {"value", 40}}, {{"period", "2024"}, {"value", 120}}});
  // March 2025 is later than the year 2024: 50 is behind.
  indicator("ind-month-after-year", {{{"period", "2024"}, {"value", 120}}, {{"period", "2025-03"}, {"value", 50}}});
  indicator("ind-day-after-month", {{{"period", "2024-06-30"}, {"value", 60}}, {{"period", "2024-06"}, {"value", 110}},
                                    {{"period", "2024-05-31"}, {"value", 130}}});
  // A period that is not an ISO date comes before every dated one.
  indicator("ind-undated", {{{"period", "2025-2026"}, {"value", 10}}, {{"period", "2023"}, {"value", 150}}});
  indicator("ind-only-undated", {{{"period", "S1 2025"}, {"value", 150}}, {{"period", "S2 2025"}, {"value", 90}}});
  auto dash = s.Dashboard("2026-11-24");
  REQUIRE_OK(dash);
  std::map<std::string, json> behind;
  for (const auto& i : (*dash)["indicators_behind"]) behind[i["id"]] = i;
  CHECK(behind.size() == 3);
  CHECK(behind.count("ind-year-after-month") == 0);
  CHECK(behind.count("ind-undated") == 0);
  REQUIRE(behind.count("ind-month-after-year") == 1);
  CHECK(behind["ind-month-after-year"]["latest"] == 50);
  CHECK(behind["ind-month-after-year"]["period"] == "2025-03");
  REQUIRE(behind.count("ind-day-after-month") == 1);  // equal last days: the finer period is the later
  CHECK(behind["ind-day-after-month"]["latest"] == 60);
  REQUIRE(behind.count("ind-only-undated") == 1);     // undated periods among themselves: by their text
  CHECK(behind["ind-only-undated"]["period"] == "S2 2025");
}

// Not run by default (hidden tag): `test_feeds "[perf]"` prints search times over
// 100,000 institutions whose names draw on 2,000 words (a few hundred records per word).
TEST_CASE("Search: query times with 100,000 records", "[.][perf]") {
  ServiceFixture f;
  std::mt19937 rng(42);
  std::vector<std::string> vocab;
  const char* stems[] = {"télé", "coop", "mine", "énergie", "forma", "techn", "régio", "cégep", "ingé", "numé"};
  for (int i = 0; i < 2000; ++i) vocab.push_back(std::string(stems[i % 10]) + std::to_string(i));
  auto start = std::chrono::steady_clock::now();
  const int kRecords = std::getenv("SEARCH_PERF_RECORDS") ? std::atoi(std::getenv("SEARCH_PERF_RECORDS")) : 100000;
  for (int i = 0; i < kRecords; ++i) {
    std::string name = "Institut";
    for (int w = 0; w < 5; ++w) name += " " + vocab[rng() % vocab.size()];
    REQUIRE_OK(f.service->Create("institutions", Inst("inst-" + std::to_string(i), name), f.caller));
  }
  auto wrote = std::chrono::steady_clock::now() - start;
  std::printf("created %d institutions in %.1f s\n", kRecords, std::chrono::duration<double>(wrote).count());
  for (const char* q : {"cegep17", "cegep17 coop11", "numé1999", "institut cege", "mine", "i", "institut"}) {
    const int reps = 20;
    size_t n = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) n = f.service->Search(q, "", 20).value()["results"].size();
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
    std::printf("q=%-16s %3zu results  %8.2f ms\n", q, n, ms);
  }
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE_OK(f.service->Dashboard("2026-11-24"));
  std::printf("dashboard %.2f ms\n",
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
}
