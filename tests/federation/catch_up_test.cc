// A node offline while 10,000 ops are written catches up when it comes back.
#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/federation/rest_helpers.h"
#include "tests/federation/test_federation.h"

namespace passerelle::testing {

TEST_CASE("Federation: a node offline while 10,000 ops are written catches up", "[federation]") {
  TestFederation fed(
      {{"alpha", {"inst-alpha"}}, {"bravo", {"inst-bravo"}}, {"charlie", {"inst-charlie"}}});
  TestNode& a = fed.node("alpha");
  TestNode& c = fed.node("charlie");
  a.Start();
  fed.node("bravo").Start();  // charlie stays offline

  // 10,000 ops on A over one keep-alive connection: 100 records, then 9,900 updates.
  constexpr int kRecords = 100, kOps = 10000;
  auto start = std::chrono::steady_clock::now();
  int failed = 0;
  std::string error;
  for (int i = 0; i < kRecords; ++i)
    failed +=
        Post(a.http(), "institutions",
             Institution("bulk-" + std::to_string(i), "Bulk " + std::to_string(i)), &error) != 201;
  for (int i = kRecords; i < kOps; ++i)
    failed += Patch(a.http(), "institutions", "bulk-" + std::to_string(i % kRecords),
                    {{"city_or_region", "update " + std::to_string(i)}}, &error) != 200;
  INFO("last error: " << error);
  REQUIRE(failed == 0);
  auto write_ms = MsSince(start);
  Report("catch-up: wrote " + std::to_string(kOps) + " ops on A over REST in " +
         std::to_string(write_ms) + " ms (" +
         std::to_string(kOps * 1000LL / std::max(1LL, write_ms)) + " ops/s)");

  start = std::chrono::steady_clock::now();
  c.Start();
  fed.RequireConverged({"alpha", "bravo", "charlie"}, 120s);
  auto catch_up_ms = MsSince(start);
  auto status = c.FederationStatus();
  REQUIRE(status);
  CHECK((*status)["version_vector"].value("alpha", uint64_t{0}) >= static_cast<uint64_t>(kOps));
  auto last = c.GetRecord("institutions", "bulk-" + std::to_string((kOps - 1) % kRecords));
  REQUIRE(last);
  CHECK(last->value("city_or_region", "") == "update " + std::to_string(kOps - 1));
  Report("catch-up: C started and reached A's and B's digest in " + std::to_string(catch_up_ms) +
         " ms (" + std::to_string(kOps * 1000LL / std::max(1LL, catch_up_ms)) +
         " ops/s including start-up)");
}

}  // namespace passerelle::testing
