// A small equivalence world written through a RecordService whose member acts for
// `institution`: frameworks fw-ca (CA), fw-pe (PE) and the regional fw-ap (still being
// built), the qualifications q-ca (fw-ca 2) and q-pe (fw-pe 4), and level mappings
// fw-ca 2 -> fw-ap 3 (approved, exact), fw-pe 4 -> fw-ap 3 (approved, best fit) and
// fw-pe 5 -> fw-ap 4 (proposed). For the adapter tests (REST, gRPC).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "node/service/record_service.h"
#include "tests/test_util.h"

namespace passerelle::testing {

inline void SeedEquivalenceWorld(service::RecordService& svc, const std::string& institution) {
  using nlohmann::json;
  service::Caller caller;
  REQUIRE_OK(svc.Create("institutions", {{"id", institution}, {"name", "Authority"}, {"type", "ministry"}}, caller));
  auto fw = [&](const std::string& id, const std::string& country, const std::string& status) {
    json levels = json::array();
    for (int l = 1; l <= 8; ++l) levels.push_back({{"level", l}});
    levels[2] = {{"level", 3}, {"title", "Niveau 3"}, {"descriptors", {{"Connaissances", "Exemple"}}}};
    json f = {{"id", id}, {"name", "Cadre " + id}, {"levels_count", 8}, {"authority", institution},
              {"status", status}, {"scope", country.empty() ? "regional" : "national"}, {"levels", levels}};
    if (!country.empty()) f["country"] = country;
    REQUIRE_OK(svc.Create("frameworks", f, caller));
  };
  fw("fw-ca", "CA", "published");
  fw("fw-pe", "PE", "in_development");
  fw("fw-ap", "", "base_structure_defined");
  REQUIRE_OK(svc.Create("qualifications", {{"id", "q-ca"}, {"title", "AEC"}, {"country", "CA"}, {"sector", "Mines"},
                                           {"framework_id", "fw-ca"}, {"level", 2}}, caller));
  REQUIRE_OK(svc.Create("qualifications", {{"id", "q-pe"}, {"title", "Técnico"}, {"country", "PE"}, {"sector", "Mines"},
                                           {"framework_id", "fw-pe"}, {"level", 4}}, caller));
  auto map = [&](const std::string& id, const std::string& from, int fl, int tl, const std::string& status,
                 const std::string& strength) {
    REQUIRE_OK(svc.Create("mappings", {{"id", id}, {"type", "level_mapping"}, {"status", status},
                                       {"strength", strength}, {"basis", "example for demonstration"},
                                       {"from", {{"framework_id", from}, {"level", fl}}},
                                       {"to", {{"framework_id", "fw-ap"}, {"level", tl}}}}, caller));
  };
  map("map-ca2-ap3", "fw-ca", 2, 3, "approved", "exact");
  map("map-pe4-ap3", "fw-pe", 4, 3, "approved", "best_fit");
  map("map-pe5-ap4", "fw-pe", 5, 4, "proposed", "best_fit");
}

}  // namespace passerelle::testing
