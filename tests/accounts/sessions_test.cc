// SessionManager and LoginThrottle on their own, with time passed in: the throttle's
// window and cap, the session cap, and role changes reaching live sessions.
#include "node/service/sessions.h"

#include <catch2/catch.hpp>
#include <utility>

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
  // Quiet for a window after its block ended, the count starts again: one failure does
  // not block.
  const uint64_t later = t0 + options.base_delay_ms + options.window_ms + 1;
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

TEST_CASE("Sessions: an account change during a login's password check is not outlived", "[accounts]") {
  testing::AuthNode node;
  node.LoginAs("keeper", Role::kAdmin);  // the node keeps an admin whatever happens below
  node.LoginAs("mallory", Role::kAdmin);
  SessionManager& sessions = node.sessions();
  Accounts& accounts = node.accounts();

  SECTION("demoted meanwhile: the new session has the new role") {
    bool once = false;
    sessions.TEST_SetAfterVerify([&] {
      if (std::exchange(once, true)) return;
      REQUIRE_OK(accounts.Change(Caller{}, "mallory", Role::kViewer, std::nullopt));
      sessions.SetRole("mallory", Role::kViewer);
    });
    auto s = sessions.Login("mallory", testing::kTestPassword, "test", node.clock_ms, nullptr);
    REQUIRE_OK(s);
    CHECK(s->role == Role::kViewer);
    CHECK(sessions.Lookup(s->token, node.clock_ms)->role == Role::kViewer);
  }
  SECTION("removed meanwhile: no session") {
    bool once = false;
    sessions.TEST_SetAfterVerify([&] {
      if (std::exchange(once, true)) return;
      REQUIRE_OK(accounts.Remove(Caller{}, "mallory"));
      sessions.EndSessionsOf("mallory");
    });
    auto s = sessions.Login("mallory", testing::kTestPassword, "test", node.clock_ms, nullptr);
    CHECK(s.status().code() == Code::kUnauthenticated);
    CHECK(sessions.size() == 1);  // keeper's; the removal ended mallory's first session
  }
  SECTION("new password meanwhile: the old one opens no session") {
    bool once = false;
    sessions.TEST_SetAfterVerify([&] {
      if (std::exchange(once, true)) return;
      REQUIRE_OK(accounts.Change(Caller{}, "mallory", std::nullopt, std::string_view("a-new-password")));
      sessions.EndSessionsOf("mallory");
    });
    auto s = sessions.Login("mallory", testing::kTestPassword, "test", node.clock_ms, nullptr);
    CHECK(s.status().code() == Code::kUnauthenticated);
  }
}

TEST_CASE("Sessions: one user's logins end its own oldest sessions, not other users'", "[accounts]") {
  SessionOptions options;
  options.max_sessions = 100;
  options.max_sessions_per_user = 4;
  testing::AuthNode node(options);
  SessionView admin = node.LoginAs("admin", Role::kAdmin);
  std::vector<SessionView> bobs;
  for (int i = 0; i < 200; ++i) {
    node.clock_ms += 10;
    bobs.push_back(node.LoginAs("bob", Role::kViewer));
  }
  CHECK(node.sessions().size() == 5);
  REQUIRE_OK(node.sessions().Lookup(admin.token, node.clock_ms));  // still logged in
  REQUIRE_OK(node.sessions().Lookup(bobs.back().token, node.clock_ms));
  CHECK(node.sessions().Lookup(bobs[195].token, node.clock_ms).status().code() == Code::kUnauthenticated);
}

TEST_CASE("Throttle: a key blocked for the longest delay gets no fresh free failures when it ends",
          "[accounts]") {
  ThrottleOptions options;  // max_delay_ms == window_ms: the case that reset the count
  LoginThrottle throttle(options);
  uint64_t t = 1'000'000;
  for (int i = 0; i < 20; ++i) throttle.Failure("user:a", t);
  REQUIRE(throttle.RetryAfterSeconds("user:a", t) == options.max_delay_ms / 1000);
  t += options.max_delay_ms + 1;  // the block just ended, the window since the failure too
  REQUIRE(throttle.RetryAfterSeconds("user:a", t) == 0);
  throttle.Failure("user:a", t);
  CHECK(throttle.RetryAfterSeconds("user:a", t) > 0);  // blocked again at once
  // Quiet for a whole window after its block: a fresh start.
  t += 2 * options.max_delay_ms + 1;
  throttle.Failure("user:a", t);
  CHECK(throttle.RetryAfterSeconds("user:a", t) == 0);
}

}  // namespace
}  // namespace passerelle::service
