// Accounts and sessions for tests and benches that call REST: an Accounts over the
// node's store (cheap test hash cost) and a SessionManager, with helpers that add an
// account and log it in, directly (no HTTP) or into an HttpClient.
#pragma once

#include <chrono>
#include <string>

#include "node/service/accounts.h"
#include "node/service/sessions.h"
#include "tests/http/http_client.h"

namespace passerelle::testing {

inline const char* const kTestPassword = "correct horse battery";

inline uint64_t WallClockNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct TestSessions {
  explicit TestSessions(storage::KvStore* kv, service::SessionOptions options = {})
      : accounts(kv, service::kTestHashCost), sessions(&accounts, options) {}

  // Adds `name` with `role` (password kTestPassword) unless it exists, and logs it in
  // at `now_ms` (wall-clock time by default, as a real HttpServer reads it).
  service::SessionView LoginAs(const std::string& name, service::Role role = service::Role::kAdmin,
                               uint64_t now_ms = WallClockNowMs()) {
    if (!accounts.Find(name).ok()) {
      auto added = accounts.Add(service::Caller{}, name, role, kTestPassword);
      if (!added.ok()) throw std::runtime_error(added.status().ToString());
    }
    auto s = sessions.Login(name, kTestPassword, "test", now_ms, nullptr);
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    return std::move(s).value();
  }
  // The same session for an HttpClient's later requests.
  void Authorize(HttpClient* client, const std::string& name = "admin",
                 service::Role role = service::Role::kAdmin) {
    auto s = LoginAs(name, role);
    client->UseSession(s.token, s.csrf_token);
  }

  service::Accounts accounts;
  service::SessionManager sessions;
};

}  // namespace passerelle::testing
