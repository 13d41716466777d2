#include "node/service/record_service.h"
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

}  // namespace

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
  up.patch = {{"status", "signed"}};
  REQUIRE_OK(f.service->Update("agreements", "agr-1", up, f.caller));
  REQUIRE_OK(f.service->Delete("institutions", "cican", std::nullopt, f.caller));
  auto vv = f.service->VersionVector();
  f.Reopen();
  CHECK(f.service->VersionVector() == vv);
  CHECK(vv.at("quebec-consortium") == 7);
  auto agr = f.service->Get("agreements", "agr-1");
  REQUIRE_OK(agr);
  CHECK((*agr)["status"] == "signed");
  CHECK((*agr)["version"] == 2);
  CHECK(f.service->Get("institutions", "cican").status().code() == Code::kNotFound);
  // The clock continues above what was stored: a new write sorts after the old ones.
  f.now_ms -= 60'000;
  REQUIRE_OK(f.service->Update("agreements", "agr-1", {{{"status", "active"}}, {}, 2}, f.caller));
  auto history = f.service->History("agreements", "agr-1");
  REQUIRE_OK(history);
  REQUIRE(history->size() == 3);
  CHECK((*history)[2]["hlc"].get<uint64_t>() > (*history)[1]["hlc"].get<uint64_t>());
}

TEST_CASE("Service: indexes follow updates and deletes", "[service][index]") {
  ServiceFixture f;
  SeedParties(f);
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-1", {"inmq", "cican"}), f.caller));
  REQUIRE_OK(f.service->Create("agreements", Agreement("agr-2", {"cegep-thetford", "inmq"}), f.caller));
  CHECK(ListIds(*f.service, "agreements", {{"party", "inmq"}}) == std::vector<std::string>{"agr-1", "agr-2"});
  CHECK(ListIds(*f.service, "agreements", {{"party", "cican"}}) == std::vector<std::string>{"agr-1"});

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
}
