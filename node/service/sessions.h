// SessionManager: logged-in users of this node, in memory only (a restart logs everyone
// out). Login checks the throttle and the password, then issues a random session token
// and a CSRF token. A session ends on logout, after `idle_timeout_ms` without use, or
// `lifetime_ms` after login. Time is passed in by the caller. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "node/service/accounts.h"
#include "node/service/login_throttle.h"

namespace passerelle::service {

struct SessionOptions {
  uint64_t idle_timeout_ms = 30 * 60 * 1000;   // unused this long: expired
  uint64_t lifetime_ms = 12 * 60 * 60 * 1000;  // since login, however used
  size_t max_sessions = 10000;                 // beyond, the oldest session ends
  size_t max_sessions_per_user = 32;           // beyond, that user's oldest session ends
  ThrottleOptions throttle;
};

struct SessionView {
  std::string token;       // the cookie value
  std::string csrf_token;  // to be echoed in X-CSRF-Token on every change
  std::string username;
  Role role = Role::kViewer;
  uint64_t expires_at_ms = 0;  // when it expires if unused (idle or lifetime, sooner)
};

class SessionManager {
 public:
  // `accounts` must outlive the manager.
  explicit SessionManager(Accounts* accounts, SessionOptions options = {});

  // A new session for the user. UNAUTHENTICATED for bad credentials (one message,
  // whether the user exists or not); RESOURCE_EXHAUSTED when the username or the client
  // address failed too often, with *retry_after_s set to the seconds to wait. An account
  // change (EndSessionsOf, SetRole) during the password check makes it check again, so
  // no session outlives the change with the old role or password.
  Result<SessionView> Login(std::string_view username, std::string_view password,
                            std::string_view client, uint64_t now_ms, uint64_t* retry_after_s);
  // Whether a request shows a user at work (restarts the idle time) or is the client's
  // own background refresh (polling, a live re-render), which must not keep an
  // unattended browser logged in.
  enum class Activity { kUser, kBackground };
  // The live session of `token`, its idle time restarted for kUser. UNAUTHENTICATED
  // when unknown or expired (an expired session is forgotten).
  Result<SessionView> Lookup(std::string_view token, uint64_t now_ms, Activity activity = Activity::kUser);
  // The user of `token`'s live session, its idle time left as it is (an open event
  // stream is no sign of a user); nullopt when unknown or expired.
  std::optional<std::string> LiveUser(std::string_view token, uint64_t now_ms) const;
  void Logout(std::string_view token);
  // After an account change: ends every session of the user (removed, new password) or
  // gives them the new role.
  void EndSessionsOf(std::string_view username);
  void SetRole(std::string_view username, Role role);
  size_t size() const;

  Accounts* accounts() const { return accounts_; }

  // Tests only: runs after a login's password check, before its session is recorded.
  void TEST_SetAfterVerify(std::function<void()> hook) { after_verify_ = std::move(hook); }

 private:
  struct Entry {
    std::string csrf_token;
    std::string username;
    Role role;
    uint64_t created_ms, last_used_ms;
  };
  uint64_t ExpiresAt(const Entry& e) const;
  SessionView InsertLocked(const Account& account, uint64_t now_ms);
  void SweepLocked(uint64_t now_ms);

  Accounts* accounts_;
  SessionOptions options_;
  LoginThrottle throttle_;
  mutable std::mutex mu_;
  // Keyed by a hash of the token, so lookups do not compare secrets byte by byte.
  std::unordered_map<std::string, Entry> sessions_;  // Guarded by mu_
  // Per username, how many account changes reached the sessions (a login started before
  // one checks again). Bounded by the number of accounts changed. Guarded by mu_.
  std::unordered_map<std::string, uint64_t> account_changes_;
  std::function<void()> after_verify_;
};

// Constant-time comparison of the session's CSRF token with a header's value.
bool CsrfMatches(const SessionView& session, std::string_view header_value);

}  // namespace passerelle::service
