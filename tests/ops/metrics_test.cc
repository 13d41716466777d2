// The metrics registry renders valid Prometheus text whose counters move; HTTP route
// labels are patterns with bounded values; /metrics and /readyz answer through the
// request handler.
#include <thread>

#include "node/http/handler.h"
#include "node/http/route_pattern.h"
#include "node/metrics/registry.h"
#include "tests/ops/prometheus_text.h"
#include "tests/test_util.h"

using namespace passerelle;
using passerelle::testing::ParsePrometheusText;

TEST_CASE("Metrics: the registry renders parseable Prometheus text and counters move", "[ops][metrics]") {
  metrics::Registry r;
  auto& c = r.GetCounter("t_requests_total", "Requests", {{"route", "/a"}, {"status", "200"}});
  auto& g = r.GetGauge("t_lag", "Lag", {{"peer", "we\"ird\\name\n"}});
  auto& h = r.GetHistogram("t_latency_seconds", "Latency", {{"route", "/a"}});
  r.AddCollector([](std::string* out) {
    metrics::AppendFamily(out, "t_store_bytes", "Bytes", "gauge", {{{}, 42}});
  });
  auto before = ParsePrometheusText(r.Render());
  REQUIRE_OK(before);
  CHECK(before->Sum("t_requests_total") == 0);

  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) c.Inc();
    });
  for (auto& t : threads) t.join();
  g.Set(7);
  h.ObserveMicros(500);       // 0.0005 s: first bucket
  h.ObserveMicros(200000);    // 0.2 s
  h.ObserveMicros(60000000);  // 60 s: only +Inf
  const std::string text = r.Render();
  auto after = ParsePrometheusText(text);
  INFO(text);
  REQUIRE_OK(after);
  CHECK(after->types.at("t_requests_total") == "counter");
  CHECK(after->types.at("t_latency_seconds") == "histogram");
  CHECK(after->Sum("t_requests_total", {{"status", "200"}}) == 4000);
  CHECK(after->Sum("t_lag") == 7);
  CHECK(after->Sum("t_store_bytes") == 42);
  CHECK(after->Sum("t_latency_seconds_count") == 3);
  CHECK(after->Sum("t_latency_seconds_bucket", {{"le", "0.001"}}) == 1);
  CHECK(after->Sum("t_latency_seconds_bucket", {{"le", "0.25"}}) == 2);
  CHECK(after->Sum("t_latency_seconds_bucket", {{"le", "10"}}) == 2);
  CHECK(after->Sum("t_latency_seconds_bucket", {{"le", "+Inf"}}) == 3);
  CHECK(text.find(R"(peer="we\"ird\\name\n")") != std::string::npos);
  // The same series is one object: looking it up again does not reset it.
  CHECK(&r.GetCounter("t_requests_total", "Requests", {{"route", "/a"}, {"status", "200"}}) == &c);
}

TEST_CASE("Metrics: the parser used by the tests refuses malformed text", "[ops][metrics]") {
  CHECK_FALSE(ParsePrometheusText("x_total 1\n").ok());  // no HELP/TYPE
  CHECK_FALSE(ParsePrometheusText("# HELP x h\n# TYPE x counter\nx{a=b} 1\n").ok());
  CHECK_FALSE(ParsePrometheusText("# HELP x h\n# TYPE x counter\nx one\n").ok());
  CHECK(ParsePrometheusText("# HELP x h\n# TYPE x counter\nx{a=\"b\"} 1\n").ok());
}

TEST_CASE("Metrics: HTTP route labels are patterns, never raw paths", "[ops][metrics]") {
  struct Case { const char* target; const char* pattern; };
  const Case cases[] = {
      {"/healthz", "/healthz"},
      {"/metrics?x=1", "/metrics"},
      {"/api/v1/agreements", "/api/v1/agreements"},
      {"/api/v1/agreements/A-123?expected_version=2", "/api/v1/agreements/{id}"},
      {"/api/v1/agreements/A-123/history", "/api/v1/agreements/{id}/history"},
      {"/api/v1/projects/B02/deliverables", "/api/v1/projects/{id}/deliverables"},
      {"/api/v1/federation/status", "/api/v1/federation/status"},
      {"/api/v1/changes/stream", "/api/v1/changes/stream"},
      {"/api/v1/users/alice", "/api/v1/users/{id}"},
      {"/api/v1/agreements/A-1/approve", "/api/v1/agreements/{id}/approve"},
      // Anything the API does not route is one label, whatever its words: a closed set.
      {"/api/v1/secret-token-abc", "/api/v1/{unmatched}"},
      {"/api/v1/forums/x/y/z/w/v/u/t/s", "/api/v1/{unmatched}"},
      {"/api/v1/agreements/history/agreements/history", "/api/v1/{unmatched}"},
      {"/api/v1/node/users", "/api/v1/{unmatched}"},
      {"/api/v1/forums/f-1/deliverables", "/api/v1/{unmatched}"},  // not a forum's child
      {"/index.html", "/static"},
      {"/app/some/deep/path.js", "/static"},
  };
  for (const auto& c : cases) {
    INFO(c.target);
    CHECK(http::RoutePattern(c.target) == c.pattern);
  }
}

namespace {
http::Request Get(const std::string& target) {
  http::Request req{http::beast_http::verb::get, target, 11};
  return req;
}
}  // namespace

TEST_CASE("Metrics: /metrics and /readyz answer through the handler", "[ops][metrics]") {
  http::Deps deps;
  CHECK(http::HandleRequest(Get("/metrics"), deps).result_int() == 404);  // not enabled
  CHECK(http::HandleRequest(Get("/readyz"), deps).result_int() == 503);   // no service
  deps.metrics_text = [] { return std::string("# HELP a b\n# TYPE a gauge\na 1\n"); };
  bool ready = false;
  deps.readiness = [&] { return nlohmann::json{{"ready", ready}, {"reasons", {"no peer reachable"}}}; };
  auto m = http::HandleRequest(Get("/metrics"), deps);
  CHECK(m.result_int() == 200);
  CHECK(std::string(m[http::beast_http::field::content_type]).rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(m.body() == "# HELP a b\n# TYPE a gauge\na 1\n");
  auto r = http::HandleRequest(Get("/readyz"), deps);
  CHECK(r.result_int() == 503);
  CHECK(r.body().find("no peer reachable") != std::string::npos);
  ready = true;
  CHECK(http::HandleRequest(Get("/readyz"), deps).result_int() == 200);
  http::Request post{http::beast_http::verb::post, "/metrics", 11};
  CHECK(http::HandleRequest(post, deps).result_int() == 405);
}
