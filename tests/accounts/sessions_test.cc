// SessionManager and LoginThrottle on their own, with time passed in: the throttle's
// window and cap, the session cap, and role changes reaching live sessions.
#include "node/service/sessions.h"

#include <catch2/catch.hpp>

#include "node/service/login_throttle.h"
#include "tests/accounts/auth_fixture.h"

namespace passerelle::service {
namespace {

TEST_CASE("Throttle: quiet keys start afresh after the window; delays are capped", "[accounts]") {
  ThrottleOptions options;
  LoginThrottle throttle(options);
  const uint64_t t0 = 1'000'000;
  for (int i = 0; i < 4; ++i) throttle.Failure("user:a", t0);
  REQUIRE(throttle.RetryAfterSeconds("user:a", t0) == 0);  // four are free
  throttle.Failure("user:a", t0);
  REQUIRE(throttle.RetryAfterSeconds("user:a", t0) == options.base_delay_ms / 1000);
  REQUIRE(throttle.RetryAfterSeconds("user:b", t0) == 0);  // keys are separate
  // After a quiet window the count starts again: one failure does not block.
  const uint64_t later = t0 + options.window_ms + 1;
  throttle.Failure("user:a", later);
  REQUIRE(throttle.RetryAfterSeconds("user:a", later) == 0);
  // Many failures: the block never exceeds the cap.
  for (int i = 0; i < 60; ++i) throttle.Failure("user:c", t0);
  REQUIRE(throttle.RetryAfterSeconds("user:c", t0) == options.max_delay_ms / 1000);
  throttle.Success("user:c");
  REQUIRE(throttle.RetryAfterSeconds("user:c", t0) == 0);
}

TEST_CASE("Throttle: a flood of distinct keys stays bounded and lifts no block", "[accounts]") {
  ThrottleOptions options;
  options.max_keys = 1000;
  LoginThrottle throttle(options);
  const uint64_t t0 = 1'000'000;
  for (int i = 0; i < 5; ++i) throttle.Failure("user:target", t0);
  REQUIRE(throttle.RetryAfterSeconds("user:target", t0) > 0);
  for (int i = 0; i < 20000; ++i) {  // all within the window and the block: none is quiet
    throttle.Failure("addr:" + std::to_string(i), t0 + 1);
    REQUIRE(throttle.size() <= options.max_keys);
  }
  CHECK(throttle.RetryAfterSeconds("user:target", t0 + 1) > 0);  // still blocked
}

TEST_CASE("Sessions: the oldest session ends beyond the cap; roles follow account changes",
          "[accounts]") {
  SessionOptions options;
  options.max_sessions = 3;
  testing::AuthNode node(options);
  std::vector<SessionView> views;
  for (int i = 0; i < 4; ++i) {
    views.push_back(node.LoginAs("user" + std::to_string(i), Role::kCoordinator));
    node.clock_ms += 1000;
  }
  REQUIRE(node.sessions().size() == 3);
  REQUIRE(node.sessions().Lookup(views[0].token, node.clock_ms).status().code() ==
          Code::kUnauthenticated);
  REQUIRE_OK(node.sessions().Lookup(views[3].token, node.clock_ms));
  node.sessions().SetRole("user3", Role::kViewer);
  REQUIRE(node.sessions().Lookup(views[3].token, node.clock_ms)->role == Role::kViewer);
  node.sessions().EndSessionsOf("user3");
  REQUIRE(node.sessions().Lookup(views[3].token, node.clock_ms).status().code() ==
          Code::kUnauthenticated);
  // Tokens are distinct and long; the CSRF token is not the session token.
  REQUIRE(views[1].token != views[2].token);
  REQUIRE(views[1].token.size() == 64);
  REQUIRE(views[1].csrf_token != views[1].token);
  REQUIRE_FALSE(CsrfMatches(views[1], views[2].csrf_token));
  REQUIRE(CsrfMatches(views[1], views[1].csrf_token));
}

}  // namespace
}  // namespace passerelle::service
