// A member that signs two ops with the same hlc once made two nodes diverge (the second
// op vanished from the record's history, and a later re-fold dropped its effect on one
// node only). Now an origin's ops must be dated strictly after one another: such an op is
// refused (clock_order) and counted, and the nodes still converge. (History keys also
// carry the seq, so two ops can never share one.)
#include <catch2/catch.hpp>

#include "tests/federation/fake_peer.h"
#include "tests/federation/rest_helpers.h"
#include "tests/federation/test_federation.h"

namespace passerelle::testing {

using core::Op;
using core::OpType;
using nlohmann::json;

TEST_CASE("Federation: an op dated no later than its predecessor is refused; nodes converge",
          "[federation]") {
  TestFederation fed({{"alpha", {"inst-alpha"}},
                      {"bravo", {"inst-bravo"}},
                      {"mallory", {"inst-mallory"}, /*runs_node=*/false},
                      {"eve", {"inst-eve"}, /*runs_node=*/false}});
  fed.SetDials("alpha", {"mallory", "eve"});
  fed.SetDials("bravo", {"alpha"});
  FakePeer mallory(fed.peer_address("mallory"), fed.tls_ca(), fed.tls_cert("mallory"),
                   fed.tls_key("mallory"));
  FakePeer eve(fed.peer_address("eve"), fed.tls_ca(), fed.tls_cert("eve"), fed.tls_key("eve"));
  auto vv = [](TestNode& n, const std::string& origin) {
    auto s = n.FederationStatus();
    return s ? (*s)["version_vector"].value(origin, uint64_t{0}) : uint64_t{0};
  };

  // Mallory's own record: create, then two updates signed with the same hlc.
  json created = Institution("inst-mallory", "Mallory");
  created["owners"] = {"mallory"};
  std::vector<Op> ops = {
      MakeOp("mallory", 1, OpType::kCreate, "institution", "inst-mallory", created),
      MakeOp("mallory", 2, OpType::kUpdate, "institution", "inst-mallory", {{"name", "N2"}}),
      MakeOp("mallory", 3, OpType::kUpdate, "institution", "inst-mallory",
             {{"city_or_region", "C3"}})};
  ops[1].hlc = ops[0].hlc + 1;
  ops[2].hlc = ops[1].hlc;  // the same hlc as seq 2
  core::KeyPair key = LoadKeyFile(fed.signing_key("mallory"));
  ChainAndSign(&ops, key);
  ops[1].signature = core::SignHash(key, core::OpHash(ops[1]));  // seq 2 is a chain head too

  // Alpha gets seq 1-2, then seq 3, then eve's older op on the record (a re-fold).
  TestNode& a = fed.node("alpha");
  TestNode& b = fed.node("bravo");
  mallory.SetScript({std::vector<Op>(ops.begin(), ops.begin() + 2)});
  a.Start();
  REQUIRE(Eventually([&] { return vv(a, "mallory") == 2; }, 30s));
  mallory.SetScript({ops});
  REQUIRE(Eventually([&] {
    auto st = a.FederationStatus();
    return st && (*st)["refused"].value("clock_order", uint64_t{0}) > 0;
  }, 30s));
  CHECK(vv(a, "mallory") == 2);
  std::vector<Op> late = {
      MakeOp("eve", 1, OpType::kUpdate, "institution", "inst-mallory", {{"short_name", "E"}})};
  late[0].hlc = ops[0].hlc - core::MakeHlc(1000, 0);
  ChainAndSign(&late, LoadKeyFile(fed.signing_key("eve")));
  eve.SetScript({late});
  REQUIRE(Eventually([&] { return vv(a, "eve") == 1; }, 30s));
  // Bravo gets everything from alpha, eve's op first.
  b.Start();
  REQUIRE(Eventually([&] { return vv(b, "eve") == 1 && vv(b, "mallory") == 2; }, 30s));

  for (TestNode* n : {&a, &b}) {
    INFO("on " << n->id());
    auto history = JsonOf(n->http().Get("/api/v1/institutions/inst-mallory/history"))["history"];
    CHECK(history.size() == 3);  // mallory's first 2 ops + eve's (not an owner)
    CHECK(n->GetRecord("institutions", "inst-mallory")->value("name", "") == "N2");
  }
  std::string why;
  bool converged = fed.Converged({"alpha", "bravo"}, &why);
  INFO(why);
  CHECK(converged);
}

}  // namespace passerelle::testing
