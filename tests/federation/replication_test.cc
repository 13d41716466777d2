// Relaying and partitions with real nodes: A–B–C where A and C never dial each other.
#include <catch2/catch.hpp>
#include <thread>

#include "tests/federation/rest_helpers.h"
#include "tests/federation/test_federation.h"

namespace passerelle::testing {
namespace {

using nlohmann::json;

// alpha, bravo and charlie, each acting for one institution; A and C dial only B.
std::vector<MemberSpec> Chain() {
  return {{"alpha", {"inst-alpha"}}, {"bravo", {"inst-bravo"}}, {"charlie", {"inst-charlie"}}};
}

void MakeChain(TestFederation& fed) {
  fed.SetDials("alpha", {"bravo"});
  fed.SetDials("charlie", {"bravo"});
  for (const char* id : {"alpha", "bravo", "charlie"}) fed.node(id).Start();
}

std::set<std::string> PeersOf(TestNode& node) {
  std::set<std::string> out;
  auto status = node.FederationStatus();
  if (status)
    for (const auto& p : (*status)["peers"]) out.insert(p.value("member_id", ""));
  return out;
}

bool HasName(TestNode& node, const std::string& id, const std::string& name) {
  auto r = node.GetRecord("institutions", id);
  return r && r->value("name", "") == name;
}

}  // namespace

TEST_CASE("Federation: a write on A is readable on C through B when A and C never talk",
          "[federation]") {
  TestFederation fed(Chain());
  MakeChain(fed);
  TestNode& a = fed.node("alpha");
  TestNode& c = fed.node("charlie");
  // A and C have no address for each other: whatever C learns of A came through B.
  REQUIRE(PeersOf(a) == std::set<std::string>{"bravo"});
  REQUIRE(PeersOf(c) == std::set<std::string>{"bravo"});

  std::string error;
  auto start = std::chrono::steady_clock::now();
  REQUIRE(Post(a.http(), "institutions", Institution("inst-alpha", "Collège Alpha"), &error) ==
          201);
  INFO(error);
  REQUIRE(Eventually([&] { return HasName(c, "inst-alpha", "Collège Alpha"); }, 30s));
  Report("chain: write on A visible on C through B after " + std::to_string(MsSince(start)) +
         " ms");
  auto on_c = c.GetRecord("institutions", "inst-alpha");
  CHECK((*on_c)["owners"] == json::array({"alpha"}));

  // And the other way.
  REQUIRE(Post(c.http(), "institutions", Institution("inst-charlie", "Instituto Charlie")) == 201);
  REQUIRE(Eventually([&] { return HasName(a, "inst-charlie", "Instituto Charlie"); }, 30s));
  fed.RequireConverged({"alpha", "bravo", "charlie"});
}

TEST_CASE("Federation: A and C write concurrently while B is down; once B is back all converge",
          "[federation]") {
  TestFederation fed(Chain());
  MakeChain(fed);
  TestNode& a = fed.node("alpha");
  TestNode& b = fed.node("bravo");
  TestNode& c = fed.node("charlie");
  REQUIRE(Post(a.http(), "institutions", Institution("inst-alpha", "Collège Alpha")) == 201);
  REQUIRE(Post(c.http(), "institutions", Institution("inst-charlie", "Instituto Charlie")) == 201);
  REQUIRE(Eventually([&] { return a.GetRecord("institutions", "inst-charlie").has_value(); }, 30s));
  // A shared agreement: its parties belong to alpha and charlie, so both own it.
  json agreement = {{"id", "agr-ac"},
                    {"title", "Entente Alpha-Charlie"},
                    {"kind", "cooperation"},
                    {"parties", {"inst-alpha", "inst-charlie"}}};
  std::string error;
  REQUIRE(Post(a.http(), "agreements", agreement, &error) == 201);
  INFO(error);
  fed.RequireConverged({"alpha", "bravo", "charlie"});
  auto agr = c.GetRecord("agreements", "agr-ac");
  REQUIRE(agr);
  REQUIRE((*agr)["owners"] == json::array({"alpha", "charlie"}));

  REQUIRE(b.Stop() == 0);
  constexpr int kRounds = 40;
  // Each side: its own institution, the shared agreement, and new records, interleaved.
  auto writer = [&](TestNode* node, std::string side, std::string institution,
                    std::vector<std::string>* failures) {
    HttpClient http("127.0.0.1", node->http_port());
    try {
      node->Authorize(&http);
    } catch (const std::exception& e) {
      failures->push_back(side + ": " + e.what());
      return;
    }
    for (int i = 0; i < kRounds; ++i) {
      std::string err;
      if (Patch(http, "institutions", institution,
                {{"city_or_region", side + " " + std::to_string(i)}}, &err) != 200 ||
          Patch(http, "agreements", "agr-ac",
                {{"purpose", side + "'s purpose " + std::to_string(i)}}, &err) != 200 ||
          Post(http, "institutions",
               Institution(side + "-new-" + std::to_string(i), side + " new " + std::to_string(i)),
               &err) != 201)
        failures->push_back(side + " round " + std::to_string(i) + ": " + err);
    }
  };
  std::vector<std::string> failures_a, failures_c;
  std::thread ta(writer, &a, "alpha", "inst-alpha", &failures_a);
  std::thread tc(writer, &c, "charlie", "inst-charlie", &failures_c);
  ta.join();
  tc.join();
  CHECK(failures_a.empty());
  CHECK(failures_c.empty());
  // Really apart: neither side has seen the other's new records.
  CHECK_FALSE(a.GetRecord("institutions", "charlie-new-0").has_value());
  CHECK_FALSE(c.GetRecord("institutions", "alpha-new-0").has_value());

  auto start = std::chrono::steady_clock::now();
  b.Start();
  fed.RequireConverged({"alpha", "bravo", "charlie"});
  Report("partition: after B restarted, equal digests on A, B, C in " +
         std::to_string(MsSince(start)) + " ms (" + std::to_string(6 * kRounds) +
         " concurrent writes)");
  std::string last = "'s purpose " + std::to_string(kRounds - 1);
  std::string purpose;
  for (TestNode* n : {&a, &b, &c}) {
    auto r = n->GetRecord("agreements", "agr-ac");
    REQUIRE(r);
    if (purpose.empty()) purpose = r->value("purpose", "");
    CHECK(r->value("purpose", "") == purpose);  // one winner everywhere (last writer wins)
    CHECK(n->GetRecord("institutions", "alpha-new-" + std::to_string(kRounds - 1)).has_value());
    CHECK(n->GetRecord("institutions", "charlie-new-" + std::to_string(kRounds - 1)).has_value());
  }
  CHECK((purpose == "alpha" + last || purpose == "charlie" + last));
}

}  // namespace passerelle::testing
