// A RecordService over an in-memory store for the HTTP tests, with the one-member
// federation "test" (quebec-consortium acts for cegep-abitibi-temiscamingue), accounts
// and sessions on a clock the test moves (session_clock_ms), plus helpers to build
// requests for HandleRequest (with a session) and seed a few records.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "node/http/handler.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"
#include "tests/http/test_sessions.h"
#include "tests/test_util.h"

namespace passerelle::testing {

inline const char* const kMember = "quebec-consortium";
inline const char* const kInstitution = "cegep-abitibi-temiscamingue";

inline service::Members TestMembers() {
  auto members = service::Members::FromJson(nlohmann::json::parse(R"({
    "federation": "test",
    "members": [{"id": "quebec-consortium", "name": "Q",
                 "acts_for": ["cegep-abitibi-temiscamingue"],
                 "node_address": "127.0.0.1:1"}]})"));
  REQUIRE_OK(members);
  return std::move(members).value();
}

class TestNode {
 public:
  TestNode()
      : kv_(storage::NewMemStore()),
        members_(TestMembers()),
        service_(kv_.get(), &members_, kMember, [this] { return now_ms_ += 1000; }),
        sessions_(kv_.get()) {
    REQUIRE_OK(service_.Open());
  }
  service::RecordService* service() { return &service_; }
  TestSessions& sessions() { return sessions_; }
  // The handler's clock for sessions (wall-clock ms at construction); tests advance it.
  uint64_t session_clock_ms = WallClockNowMs();
  http::Deps deps(std::string web_root = {}) {
    http::Deps d;
    d.service = &service_;
    d.web_root = std::move(web_root);
    d.sessions = &sessions_.sessions;
    d.now_ms = [this] { return session_clock_ms; };
    return d;
  }
  // Adds `name` with `role` if absent and logs it in on the session clock.
  service::SessionView LoginAs(const std::string& name, service::Role role) {
    return sessions_.LoginAs(name, role, session_clock_ms);
  }

 private:
  std::unique_ptr<storage::KvStore> kv_;
  service::Members members_;
  uint64_t now_ms_ = 1'700'000'000'000;
  service::RecordService service_;
  TestSessions sessions_;
};

// Sets the session's cookie and CSRF token on a request.
inline void Authorize(http::Request* req, const service::SessionView& session) {
  req->set(http::beast_http::field::cookie, "passerelle_session=" + session.token);
  req->set("X-CSRF-Token", session.csrf_token);
}

inline http::Request MakeRequest(http::beast_http::verb method, std::string target,
                                 std::string body = {},
                                 std::string content_type = "application/json") {
  http::Request req{method, target, 11};
  req.set(http::beast_http::field::host, "localhost");
  if (!body.empty() || method == http::beast_http::verb::post ||
      method == http::beast_http::verb::patch)
    if (!content_type.empty()) req.set(http::beast_http::field::content_type, content_type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

inline nlohmann::json Institution(const std::string& id = kInstitution) {
  return {{"id", id},
          {"name", "Cégep de l'Abitibi-Témiscamingue"},
          {"type", "cegep"},
          {"country", "CA"}};
}

inline nlohmann::json Forum(const std::string& id, int number = 1) {
  return {{"id", id},
          {"number", number},
          {"title", "Forum sur l'égalité des genres dans le secteur extractif"},
          {"start_date", "2019-03-21"},
          {"end_date", "2019-03-22"},
          {"location", "Santiago"},
          {"country", "CL"},
          {"format", "in_person"},
          {"organizers", {kInstitution}},
          {"participants_total", 132},
          {"participants_women", 108},
          {"participants_men", 24}};
}

inline nlohmann::json Project(const std::string& id) {
  return {{"id", id},
          {"title", "Formation minière"},
          {"lead_partner", kInstitution},
          {"countries", {"CL", "PE"}}};
}

}  // namespace passerelle::testing
