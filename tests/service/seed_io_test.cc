#include <filesystem>
#include <fstream>

#include "node/core/json_text.h"
#include "node/service/seed_io.h"
#include "tests/service/fixture.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;

namespace {

json ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = core::ParseJson(ss.str());
  REQUIRE(j.ok());
  return *j;
}

std::map<std::string, json> ById(const json& arr) {
  std::map<std::string, json> m;
  for (const auto& r : arr) m[r["id"].get<std::string>()] = r;
  return m;
}

}  // namespace

TEST_CASE("Import: the seed data loads completely on a one-member federation", "[service][import]") {
  ServiceFixture f;
  // A federation of one member: every record goes to it.
  auto one = service::Members::FromJson(json::parse(
      R"({"members":[{"id":"quebec-consortium","acts_for":["cegep-abitibi-temiscamingue"]}]})"));
  REQUIRE(one.ok());
  f.members = std::move(one).value();
  f.Reopen();
  size_t progress_calls = 0;
  auto summary = service::ImportSeed(f.service.get(), SeedDir(), f.caller,
                                     [&](const std::string&, size_t, size_t) { progress_calls++; });
  REQUIRE_OK(summary);
  for (const auto& r : summary->refusals) UNSCOPED_INFO(r.file << " " << r.id << ": " << r.reason);
  CHECK(summary->refused == 0);
  CHECK(summary->updated == 0);
  CHECK(summary->unchanged == 0);
  CHECK(summary->created > 300);
  CHECK(progress_calls == summary->created);

  SECTION("a second import changes nothing") {
    auto vv_before = f.service->VersionVector();
    auto again = service::ImportSeed(f.service.get(), SeedDir(), f.caller);
    REQUIRE_OK(again);
    CHECK(again->created == 0);
    CHECK(again->updated == 0);
    CHECK(again->unchanged == summary->created);
    CHECK(f.service->VersionVector() == vv_before);
  }

  SECTION("the forums are there as in the dataset") {
    auto forum = f.service->Get("forums", "forum-1-egalite-genres-2019");
    REQUIRE_OK(forum);
    CHECK((*forum)["participants_total"] == 132);
    CHECK((*forum)["participants_women"] == 108);
    CHECK((*forum)["location"] == "Santiago");
    auto page = f.service->List("forums", {});
    REQUIRE_OK(page);
    CHECK(page->records.size() == 5);
  }

  SECTION("export gives the same records back (lossless round trip)") {
    TempDir out;
    REQUIRE_OK(service::ExportSeed(*f.service, out.str()));
    for (const char* file : {"institutions.json", "agreements.json", "projects.json", "forums.json",
                             "other_events.json", "program_indicators.json"}) {
      INFO(file);
      auto original = ById(ReadFile(std::filesystem::path(SeedDir()) / file));
      auto exported = ById(ReadFile(out.path() / file));
      REQUIRE(original.size() == exported.size());
      for (const auto& [id, rec] : original) {
        INFO(id);
        CHECK(exported[id] == rec);
      }
    }
    json a = ReadFile(std::filesystem::path(SeedDir()) / "qualification_frameworks.json");
    json b = ReadFile(out.path() / "qualification_frameworks.json");
    for (const char* part : {"frameworks", "qualifications", "mappings"}) {
      INFO(part);
      CHECK(ById(a[part]) == ById(b[part]));
    }
    CHECK(a["levels"] == b["levels"]);

    SECTION("and importing the export into a fresh node gives the same records") {
      ServiceFixture g;
      g.members = f.members;
      g.Reopen();
      auto s2 = service::ImportSeed(g.service.get(), out.str(), g.caller);
      REQUIRE_OK(s2);
      CHECK(s2->created == summary->created);
      CHECK(s2->refused == 0);
      for (const char* kind : {"institutions", "agreements", "projects", "deliverables", "indicators", "forums",
                               "frameworks", "qualifications", "mappings"}) {
        INFO(kind);
        service::ListQuery all;
        all.page_size = service::kMaxPageSize;
        auto a = f.service->List(kind, all), b = g.service->List(kind, all);
        REQUIRE_OK(a);
        REQUIRE_OK(b);
        REQUIRE(a->records.size() == b->records.size());
        for (size_t i = 0; i < a->records.size(); ++i)
          CHECK(service::ContentFields(a->records[i]) == service::ContentFields(b->records[i]));
      }
    }
  }

  SECTION("an approved agreement goes out with its stored status and comes back") {
    auto page = f.service->List("agreements", {});
    REQUIRE_OK(page);
    json first;  // one that approval turns "signed" (an active or ended one keeps its status)
    for (const auto& r : page->records)
      if (r.value("status", "") != "active" && r.value("status", "") != "expired" &&
          r.value("status", "") != "terminated")
        first = r;
    REQUIRE(first.is_object());
    const std::string id = first["id"];
    REQUIRE_OK(f.service->Approve("agreements", id, first["terms_hash"], f.caller));
    const json approved = f.service->Get("agreements", id).value();
    CHECK(approved["status"] == "signed");
    TempDir out;
    REQUIRE_OK(service::ExportSeed(*f.service, out.str()));
    auto exported = ById(ReadFile(out.path() / "agreements.json"));
    CHECK(exported[id].value("status", "") == first.value("status", ""));  // as stored
    auto again = service::ImportSeed(f.service.get(), out.str(), f.caller);
    REQUIRE_OK(again);
    for (const auto& r : again->refusals) UNSCOPED_INFO(r.file << " " << r.id << ": " << r.reason);
    CHECK(again->refused == 0);
    CHECK(again->updated == 0);
    CHECK(f.service->Get("agreements", id).value()["status"] == approved["status"]);  // approval kept
  }
}

TEST_CASE("Import: records owned by another member are refused with the reason", "[service][import]") {
  ServiceFixture f;  // quebec-consortium; morocco acts for the Moroccan ministry
  auto summary = service::ImportSeed(f.service.get(), SeedDir(), f.caller);
  REQUIRE_OK(summary);
  bool found = false;
  for (const auto& r : summary->refusals)
    if (r.id == "maroc-ministere-energie-mines") {
      found = true;
      CHECK(r.reason.find("morocco") != std::string::npos);
    }
  CHECK(found);
  CHECK(summary->created > 250);
}

TEST_CASE("Import: a missing directory or a malformed file is a clear error", "[service][import]") {
  ServiceFixture f;
  auto missing = service::ImportSeed(f.service.get(), "/nonexistent/dir", f.caller);
  CHECK(missing.status().code() == Code::kNotFound);
  TempDir bad;
  std::ofstream(bad.path() / "forums.json") << "[{\"id\": ";
  auto malformed = service::ImportSeed(f.service.get(), bad.str(), f.caller);
  CHECK(malformed.status().code() == Code::kInvalidArgument);
  CHECK(malformed.status().field() == "forums.json");
  CHECK(f.service->VersionVector().empty());
}

TEST_CASE("Export: deleted deliverables, missing positions, co-owners and orphans survive a round trip",
          "[service][import]") {
  auto members = [] {
    return service::Members::FromJson(json::parse(
               R"({"members":[{"id":"quebec-consortium","acts_for":["cegep-abitibi-temiscamingue"]},
                              {"id":"morocco","acts_for":[]}]})"))
        .value();
  };
  ServiceFixture f;
  f.members = members();
  f.Reopen();
  REQUIRE_OK(service::ImportSeed(f.service.get(), SeedDir(), f.caller));
  const std::string d2_title = f.service->Get("deliverables", "A07.1-d2").value()["title"];
  REQUIRE_OK(f.service->Delete("deliverables", "A07.1-d1", std::nullopt, f.caller));
  REQUIRE_OK(f.service->Create("deliverables", {{"id", "zz-del"}, {"project", "A07.1"}, {"title", "Sans rang"}}, f.caller));
  REQUIRE_OK(f.service->Create("projects", {{"id", "zz-proj"}, {"title", "Projet supprimé"}}, f.caller));
  REQUIRE_OK(f.service->Create("deliverables", {{"id", "zz-proj-x"}, {"project", "zz-proj"}, {"title", "Orphelin"}}, f.caller));
  REQUIRE_OK(f.service->Delete("projects", "zz-proj", std::nullopt, f.caller));
  service::UpdateRequest share;
  share.patch = {{"owners", {"quebec-consortium", "morocco"}}};
  REQUIRE_OK(f.service->Update("projects", "B01", share, f.caller));

  TempDir out;
  REQUIRE_OK(service::ExportSeed(*f.service, out.str()));
  CHECK(ById(ReadFile(out.path() / service::kOrphanDeliverablesFile)).count("zz-proj-x") == 1);

  // Exported and imported again where it came from: nothing changes.
  auto vv = f.service->VersionVector();
  auto again = service::ImportSeed(f.service.get(), out.str(), f.caller);
  REQUIRE_OK(again);
  CHECK(again->created == 0);
  CHECK(again->updated == 0);
  CHECK(f.service->VersionVector() == vv);

  // Imported into a fresh node: the same ids, positions and owners.
  ServiceFixture g;
  g.members = members();
  g.Reopen();
  auto fresh = service::ImportSeed(g.service.get(), out.str(), g.caller);
  REQUIRE_OK(fresh);
  CHECK(g.service->Get("deliverables", "A07.1-d1").status().code() == Code::kNotFound);
  auto d2 = g.service->Get("deliverables", "A07.1-d2");
  REQUIRE_OK(d2);
  CHECK((*d2)["title"] == d2_title);
  CHECK((*d2)["position"] == 2);
  auto unranked = g.service->Get("deliverables", "zz-del");
  REQUIRE_OK(unranked);
  CHECK_FALSE(unranked->contains("position"));
  CHECK(g.service->Get("projects", "B01").value()["owners"] == json::array({"morocco", "quebec-consortium"}));
  // The orphan is reported (its project is gone), not silently lost.
  for (const auto& r : fresh->refusals) UNSCOPED_INFO(r.file << " " << r.id << ": " << r.reason);
  REQUIRE(fresh->refusals.size() == 1);
  CHECK(fresh->missing_references == 0);  // no replication will bring a deleted project
  CHECK(fresh->refusals[0].id == "zz-proj-x");
}

TEST_CASE("Import: a node that cannot write stops the import with the error, not N refusals",
          "[service][import]") {
  auto kv = storage::NewMemStore();
  FailingWrites disk(kv.get());
  auto one = service::Members::FromJson(json::parse(
      R"({"members":[{"id":"quebec-consortium","acts_for":["cegep-abitibi-temiscamingue"]}]})"));
  REQUIRE_OK(one);
  service::RecordService svc{&disk, &one.value(), "quebec-consortium", [] { return uint64_t{1'700'000'000'000}; }};
  REQUIRE_OK(svc.Open());
  disk.fail_from = disk.writes + 11;  // the disk fills up after 10 records
  auto summary = service::ImportSeed(&svc, SeedDir(), {"import"});
  REQUIRE_FALSE(summary.ok());
  CHECK(summary.status().code() == Code::kInternal);
  CHECK(summary.status().message().find("No space left") != std::string::npos);
  CHECK(summary.status().message().find("10 records written") != std::string::npos);
  CHECK(svc.VersionVector().at("quebec-consortium") == 10);  // what was written stays
}

TEST_CASE("Import: a level naming no framework is refused; a framework without levels round-trips",
          "[service][import]") {
  ServiceFixture f;
  auto one = service::Members::FromJson(json::parse(
      R"({"members":[{"id":"quebec-consortium","acts_for":["cegep-abitibi-temiscamingue"]}]})"));
  REQUIRE_OK(one);
  f.members = std::move(one).value();
  f.Reopen();
  TempDir in;
  json qf = ReadFile(std::filesystem::path(SeedDir()) / "qualification_frameworks.json");
  qf["frameworks"][1]["levels"] = json::array();  // "cite": written with no levels
  qf["levels"].push_back({{"framework_id", "nope"}, {"level", 3}, {"title", "Orphan"}});
  std::ofstream(in.path() / "qualification_frameworks.json") << qf.dump();
  std::filesystem::copy_file(std::filesystem::path(SeedDir()) / "institutions.json", in.path() / "institutions.json");
  auto s1 = service::ImportSeed(f.service.get(), in.str(), f.caller);
  REQUIRE_OK(s1);
  for (const auto& r : s1->refusals) UNSCOPED_INFO(r.file << " " << r.id << ": " << r.reason);
  REQUIRE(s1->refused == 1);
  CHECK(s1->refusals[0].reason.find("\"nope\" names no framework") != std::string::npos);
  const std::string fw_id = qf["frameworks"][1]["id"];
  CHECK(f.service->Get("frameworks", fw_id).value()["levels"] == json::array());

  TempDir out;
  REQUIRE_OK(service::ExportSeed(*f.service, out.str()));
  auto exported = ById(ReadFile(out.path() / "qualification_frameworks.json")["frameworks"]);
  CHECK(exported[fw_id]["levels"] == json::array());
  auto s2 = service::ImportSeed(f.service.get(), out.str(), f.caller);
  REQUIRE_OK(s2);
  CHECK(s2->updated == 0);
  CHECK(s2->refused == 0);

  // A directory that already holds seed files is not written over, unless asked.
  std::ofstream(out.path() / "forums.json") << "[\"kept\"]";
  Status again = service::ExportSeed(*f.service, out.str());
  CHECK(again.code() == Code::kFailedPrecondition);
  CHECK(again.field() == "dir");
  CHECK(ReadFile(out.path() / "forums.json") == json::array({"kept"}));
  REQUIRE_OK(service::ExportSeed(*f.service, out.str(), /*overwrite=*/true));
  CHECK(ReadFile(out.path() / "forums.json") != json::array({"kept"}));
}
