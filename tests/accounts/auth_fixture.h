// A node for the accounts tests on a real RocksDB store in a temporary directory: the
// record service of the one-member federation "test" (tests/http/fixture.h), accounts
// and sessions over the same store, and HandleRequest deps whose session clock and
// client address the test controls. Requests are sent without sockets.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "node/http/handler.h"
#include "storage/kv_store.h"
#include "tests/http/fixture.h"
#include "tests/test_util.h"

namespace passerelle::testing {

class AuthNode {
 public:
  explicit AuthNode(service::SessionOptions options = {})
      : kv_(Open(dir_)),
        members_(TestMembers()),
        service_(kv_.get(), &members_, kMember, [this] { return record_ms_ += 1000; }),
        sessions_(kv_.get(), options) {
    REQUIRE_OK(service_.Open());
    deps_.service = &service_;
    deps_.sessions = &sessions_.sessions;
    deps_.now_ms = [this] { return clock_ms; };
  }

  uint64_t clock_ms = 1'800'000'000'000;  // the sessions' clock; tests move it
  std::string client_address = "192.0.2.10";

  service::RecordService& service() { return service_; }
  service::Accounts& accounts() { return sessions_.accounts; }
  service::SessionManager& sessions() { return sessions_.sessions; }
  storage::KvStore* kv() { return kv_.get(); }
  const http::Deps& deps() const { return deps_; }
  http::Deps& mutable_deps() { return deps_; }

  // Adds the account (password kTestPassword) if absent and logs it in now.
  service::SessionView LoginAs(const std::string& name, service::Role role) {
    return sessions_.LoginAs(name, role, clock_ms);
  }
  // A request with `session`'s cookie and CSRF token (none when session is null).
  http::Response Send(http::beast_http::verb method, const std::string& target,
                      const service::SessionView* session, const std::string& body = {}) {
    auto req = MakeRequest(method, target, body);
    if (session) Authorize(&req, *session);
    return http::HandleRequest(req, deps_, client_address);
  }
  http::Response Send(http::Request req) { return http::HandleRequest(req, deps_, client_address); }
  // POST /api/v1/session.
  http::Response Login(const std::string& user, const std::string& password) {
    return Send(http::beast_http::verb::post, "/api/v1/session", nullptr,
                nlohmann::json{{"username", user}, {"password", password}}.dump());
  }

 private:
  static std::unique_ptr<storage::KvStore> Open(const TempDir& dir) {
    auto kv = storage::OpenRocksStore(dir.str());
    REQUIRE_OK(kv);
    return std::move(kv).value();
  }

  TempDir dir_;
  std::unique_ptr<storage::KvStore> kv_;
  service::Members members_;
  uint64_t record_ms_ = 1'700'000'000'000;
  service::RecordService service_;
  TestSessions sessions_;
  http::Deps deps_;
};

inline nlohmann::json BodyOf(const http::Response& res) {
  return nlohmann::json::parse(res.body(), nullptr, false);
}

}  // namespace passerelle::testing
