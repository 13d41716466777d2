// kill -9 of a node while a client writes to it: nothing it acknowledged is lost.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "tests/federation/rest_helpers.h"
#include "tests/federation/test_federation.h"

namespace passerelle::testing {
namespace {

using nlohmann::json;

// Every institution id on `node` (all pages).
std::set<std::string> InstitutionIds(TestNode& node) {
  std::set<std::string> ids;
  std::string token;
  do {
    auto res = node.http().Get("/api/v1/institutions?page_size=1000" +
                               (token.empty() ? "" : "&page_token=" + token));
    if (res.result_int() != 200)
      throw std::runtime_error("list on " + node.id() + ": " + res.body());
    json page = JsonOf(res);
    for (const auto& r : page["institutions"]) ids.insert(r.value("id", ""));
    token = page.value("next_page_token", "");
  } while (!token.empty());
  return ids;
}

size_t Missing(const std::vector<std::string>& wanted, const std::set<std::string>& have) {
  size_t n = 0;
  for (const auto& id : wanted) n += have.count(id) == 0;
  return n;
}

}  // namespace

TEST_CASE(
    "Federation: after kill -9 during writes, every acknowledged write is kept and replicated",
    "[federation]") {
  TestFederation fed(
      {{"alpha", {"inst-alpha"}}, {"bravo", {"inst-bravo"}}, {"charlie", {"inst-charlie"}}});
  for (const char* id : {"alpha", "bravo", "charlie"}) fed.node(id).Start();
  TestNode& b = fed.node("bravo");

  // A client writes to B as fast as it can and notes each write B acknowledged (201).
  std::mutex mu;
  std::vector<std::string> acknowledged;  // Guarded by mu
  std::string stopped_by;                 // Guarded by mu
  std::atomic<bool> stop{false};
  std::thread client([&, port = b.http_port()] {
    HttpClient http("127.0.0.1", port);
    try {
      b.Authorize(&http);
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      stopped_by = e.what();
      return;
    }
    for (int i = 0; !stop; ++i) {
      std::string id = "kill-" + std::to_string(i);
      try {
        if (Post(http, "institutions",
                 Institution(id, "Written before the crash " + std::to_string(i))) == 201) {
          std::lock_guard lock(mu);
          acknowledged.push_back(id);
        }
      } catch (const std::exception& e) {  // the node died under us
        std::lock_guard lock(mu);
        stopped_by = e.what();
        return;
      }
    }
  });
  auto acked = [&] {
    std::lock_guard lock(mu);
    return acknowledged.size();
  };
  bool enough = Eventually([&] { return acked() >= 300; }, 60s);
  b.Kill();  // kill -9 while the client is writing
  client.join();
  REQUIRE(enough);
  std::vector<std::string> written;
  {
    std::lock_guard lock(mu);
    written = acknowledged;
    INFO("client stopped by: " << stopped_by);
    CHECK_FALSE(stopped_by.empty());  // it was still writing when B died
  }
  Report("kill -9: B acknowledged " + std::to_string(written.size()) + " writes before it died");

  b.Start();
  size_t missing_on_b = Missing(written, InstitutionIds(b));
  CHECK(missing_on_b == 0);
  auto start = std::chrono::steady_clock::now();
  for (const char* peer : {"alpha", "charlie"}) {
    TestNode& n = fed.node(peer);
    size_t missing = written.size();
    bool all = Eventually([&] { return (missing = Missing(written, InstitutionIds(n))) == 0; }, 60s,
                          200ms);
    INFO(missing << " acknowledged writes missing on " << peer);
    CHECK(all);
  }
  Report("kill -9: all acknowledged writes on A and C " + std::to_string(MsSince(start)) +
         " ms after B restarted");
  fed.RequireConverged({"alpha", "bravo", "charlie"});
}

}  // namespace passerelle::testing
