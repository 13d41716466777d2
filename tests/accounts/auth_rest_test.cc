// Sessions and roles over REST, through HandleRequest (no sockets) on a real RocksDB
// store: login/logout, the session gate and its public routes, CSRF, expiry on an
// injected clock, login throttling, each role's allowed and refused calls, the users
// routes, history naming the user and node, and passwords never in an answer.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "node/http/handler.h"
#include "node/http/auth.h"
#include "tests/accounts/auth_fixture.h"

namespace passerelle::testing {
namespace {

using nlohmann::json;
using service::Role;
using verb = http::beast_http::verb;

void RequireError(const http::Response& res, unsigned status, const std::string& code,
                  const std::string& field = {}) {
  INFO(res.result_int() << " " << res.body());
  REQUIRE(res.result_int() == status);
  json body = BodyOf(res);
  REQUIRE(body["error"]["code"] == code);
  if (!field.empty()) REQUIRE(body["error"]["field"] == field);
}

std::string CookieValue(const http::Response& res) {
  std::string c(res[http::beast_http::field::set_cookie]);
  std::string pair = c.substr(0, c.find(';'));
  return pair.substr(pair.find('=') + 1);
}

TEST_CASE("Session: login sets a strict HttpOnly cookie and answers the CSRF token",
          "[accounts][http]") {
  AuthNode node;
  REQUIRE_OK(node.accounts().Add({}, "amina", Role::kCoordinator, kTestPassword));
  auto res = node.Login("amina", kTestPassword);
  INFO(res.body());
  REQUIRE(res.result_int() == 200);
  std::string cookie(res[http::beast_http::field::set_cookie]);
  REQUIRE(cookie.rfind("passerelle_session=", 0) == 0);
  REQUIRE(cookie.find("; HttpOnly") != std::string::npos);
  REQUIRE(cookie.find("; SameSite=Strict") != std::string::npos);
  REQUIRE(cookie.find("; Path=/") != std::string::npos);
  REQUIRE(cookie.find("Secure") == std::string::npos);  // plain HTTP by default
  json body = BodyOf(res);
  REQUIRE(body["user"] == json{{"username", "amina"}, {"role", "coordinator"}});
  REQUIRE(body["csrf_token"].get<std::string>().size() == 64);
  REQUIRE(body["expires_at"].get<std::string>().back() == 'Z');
  REQUIRE(res.body().find(kTestPassword) == std::string::npos);

  // GET /api/v1/session recovers the same CSRF token with the cookie alone.
  auto req = MakeRequest(verb::get, "/api/v1/session");
  req.set(http::beast_http::field::cookie, "theme=dark; passerelle_session=" + CookieValue(res));
  auto again = node.Send(req);
  REQUIRE(again.result_int() == 200);
  REQUIRE(BodyOf(again)["csrf_token"] == body["csrf_token"]);

  // Secure when the node says it is served over TLS.
  http::Deps secure = node.deps();
  secure.secure_cookies = true;
  auto login = MakeRequest(verb::post, "/api/v1/session",
                           json{{"username", "amina"}, {"password", kTestPassword}}.dump());
  auto tls = http::HandleRequest(login, secure, "192.0.2.1");
  REQUIRE(std::string(tls[http::beast_http::field::set_cookie]).find("; Secure") !=
          std::string::npos);
}

TEST_CASE("Session: wrong password and unknown user get the same answer", "[accounts][http]") {
  AuthNode node;
  REQUIRE_OK(node.accounts().Add({}, "amina", Role::kViewer, kTestPassword));
  auto wrong = node.Login("amina", "not the password");
  auto unknown = node.Login("nobody", "not the password");
  auto invalid = node.Login("NOT VALID", "not the password");
  for (const auto* res : {&wrong, &unknown, &invalid}) {
    RequireError(*res, 401, "unauthenticated");
    REQUIRE(res->body() == wrong.body());
    REQUIRE((*res)[http::beast_http::field::set_cookie].empty());
    REQUIRE(res->body().find("not the password") == std::string::npos);
  }
  RequireError(node.Login("", ""), 401, "unauthenticated");
  // Malformed bodies are refused naming the field, without a session.
  RequireError(node.Send(verb::post, "/api/v1/session", nullptr, R"({"username": "amina"})"), 400,
               "invalid_argument", "password");
  RequireError(
      node.Send(verb::post, "/api/v1/session", nullptr, R"({"username": 3, "password": "x"})"), 400,
      "invalid_argument", "username");
  RequireError(node.Send(verb::post, "/api/v1/session", nullptr, "[1]"), 400, "invalid_argument",
               "body");
  RequireError(node.Send(verb::put, "/api/v1/session", nullptr, "{}"), 405, "unimplemented");
}

TEST_CASE("Session gate: every API route needs a session; public routes do not",
          "[accounts][http]") {
  AuthNode node;
  for (const char* target : {"/api/v1/forums", "/api/v1/node", "/api/v1/federation/status",
                             "/api/v1/users", "/api/v1/forums/x/history", "/api/v1/search?q=a",
                             "/api/v1/dashboard", "/api/v1/no-such-route"}) {
    INFO(target);
    RequireError(node.Send(verb::get, target, nullptr), 401, "unauthenticated");
  }
  RequireError(node.Send(verb::post, "/api/v1/institutions", nullptr, Institution().dump()), 401,
               "unauthenticated");
  RequireError(node.Send(verb::get, "/api/v1/session", nullptr), 401, "unauthenticated");
  // A made-up cookie is no session either.
  service::SessionView fake{"00ff", "00ff", "admin", Role::kAdmin, 0};
  RequireError(node.Send(verb::get, "/api/v1/forums", &fake), 401, "unauthenticated");
  REQUIRE(node.Send(verb::get, "/healthz", nullptr).result_int() == 200);
  REQUIRE(node.service().List("institution", {})->records.empty());  // nothing was written
}

TEST_CASE("CSRF: a change without the session's token is refused and changes nothing",
          "[accounts][http]") {
  AuthNode node;
  auto admin = node.LoginAs("admin", Role::kAdmin);
  auto post = [&](const std::optional<std::string>& token) {
    auto req = MakeRequest(verb::post, "/api/v1/institutions", Institution().dump());
    req.set(http::beast_http::field::cookie, "passerelle_session=" + admin.token);
    if (token) req.set("X-CSRF-Token", *token);
    return node.Send(req);
  };
  RequireError(post(std::nullopt), 403, "permission_denied", "X-CSRF-Token");
  RequireError(post(""), 403, "permission_denied", "X-CSRF-Token");
  std::string wrong = admin.csrf_token;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  RequireError(post(wrong), 403, "permission_denied", "X-CSRF-Token");
  RequireError(post(admin.csrf_token + "0"), 403, "permission_denied", "X-CSRF-Token");
  auto other = node.LoginAs("admin", Role::kAdmin);  // another session's token
  RequireError(post(other.csrf_token), 403, "permission_denied", "X-CSRF-Token");
  REQUIRE(node.service().List("institution", {})->records.empty());
  // Reads need no token; logout needs it too.
  auto get = MakeRequest(verb::get, "/api/v1/institutions");
  get.set(http::beast_http::field::cookie, "passerelle_session=" + admin.token);
  REQUIRE(node.Send(get).result_int() == 200);
  auto logout = MakeRequest(verb::delete_, "/api/v1/session");
  logout.set(http::beast_http::field::cookie, "passerelle_session=" + admin.token);
  RequireError(node.Send(logout), 403, "permission_denied", "X-CSRF-Token");
  REQUIRE(post(admin.csrf_token).result_int() == 201);
}

TEST_CASE("Session: logout ends the session", "[accounts][http]") {
  AuthNode node;
  auto admin = node.LoginAs("admin", Role::kAdmin);
  auto out = node.Send(verb::delete_, "/api/v1/session", &admin);
  REQUIRE(out.result_int() == 204);
  REQUIRE(std::string(out[http::beast_http::field::set_cookie]).find("Max-Age=0") !=
          std::string::npos);
  RequireError(node.Send(verb::get, "/api/v1/forums", &admin), 401, "unauthenticated");
}

TEST_CASE("Session: expires when idle and at its lifetime, on the injected clock",
          "[accounts][http]") {
  service::SessionOptions options;
  options.idle_timeout_ms = 30 * 60 * 1000;
  options.lifetime_ms = 2 * 60 * 60 * 1000;
  AuthNode node(options);
  auto idle = node.LoginAs("admin", Role::kAdmin);
  node.clock_ms += 29 * 60 * 1000;
  REQUIRE(node.Send(verb::get, "/api/v1/forums", &idle).result_int() == 200);  // restarts idle time
  node.clock_ms += 29 * 60 * 1000;
  REQUIRE(node.Send(verb::get, "/api/v1/forums", &idle).result_int() == 200);
  node.clock_ms += 30 * 60 * 1000;
  RequireError(node.Send(verb::get, "/api/v1/forums", &idle), 401, "unauthenticated");
  RequireError(node.Send(verb::get, "/api/v1/session", &idle), 401, "unauthenticated");

  // The web client's background refreshes answer but do not keep the session alive.
  auto unattended = node.LoginAs("admin", Role::kAdmin);
  auto background = [&] {
    auto req = MakeRequest(verb::get, "/api/v1/node", "");
    Authorize(&req, unattended);
    req.set("X-Passerelle-Background", "1");
    return node.Send(req);
  };
  for (int i = 0; i < 29; ++i) {
    node.clock_ms += 60 * 1000;
    REQUIRE(background().result_int() == 200);
  }
  node.clock_ms += 60 * 1000;  // 30 min after the login, polled every minute
  RequireError(background(), 401, "unauthenticated");

  // Nor do event streams: browsers (re)open them by themselves, and EventSource cannot
  // send the header.
  auto watching = node.LoginAs("admin", Role::kAdmin);
  auto open_stream = [&] {
    auto req = MakeRequest(verb::get, "/api/v1/events", "");
    Authorize(&req, watching);
    req.set(http::beast_http::field::accept, "text/event-stream");
    return node.Send(req);
  };
  for (int i = 0; i < 29; ++i) {
    node.clock_ms += 60 * 1000;
    REQUIRE(open_stream().result_int() == 200);
  }
  node.clock_ms += 60 * 1000;  // 30 min after the login, a stream reopened every minute
  RequireError(open_stream(), 401, "unauthenticated");

  auto busy = node.LoginAs("admin", Role::kAdmin);
  uint64_t start = node.clock_ms;
  while (node.clock_ms + 20 * 60 * 1000 < start + options.lifetime_ms) {
    node.clock_ms += 20 * 60 * 1000;
    REQUIRE(node.Send(verb::get, "/api/v1/forums", &busy).result_int() == 200);
  }
  node.clock_ms = start + options.lifetime_ms;
  RequireError(node.Send(verb::get, "/api/v1/forums", &busy), 401, "unauthenticated");
  REQUIRE(node.sessions().size() == 0);  // expired sessions are forgotten
}

TEST_CASE("Throttle: repeated failures get 429 with a growing Retry-After", "[accounts][http]") {
  AuthNode node;
  REQUIRE_OK(node.accounts().Add({}, "amina", Role::kViewer, kTestPassword));
  for (int i = 0; i < 5; ++i)
    RequireError(node.Login("amina", "guess " + std::to_string(i)), 401, "unauthenticated");
  // Blocked now, even with the right password; no thread slept.
  auto blocked = node.Login("amina", kTestPassword);
  RequireError(blocked, 429, "resource_exhausted");
  int first_wait = std::stoi(std::string(blocked[http::beast_http::field::retry_after]));
  REQUIRE(first_wait >= 1);
  node.clock_ms += first_wait * 1000;
  RequireError(node.Login("amina", "guess 5"), 401, "unauthenticated");
  auto again = node.Login("amina", kTestPassword);
  RequireError(again, 429, "resource_exhausted");
  int second_wait = std::stoi(std::string(again[http::beast_http::field::retry_after]));
  REQUIRE(second_wait >= 2 * first_wait);  // exponential
  node.clock_ms += second_wait * 1000;
  REQUIRE(node.Login("amina", kTestPassword).result_int() == 200);
  // The success reset the username's count: one failure does not block again.
  node.client_address = "198.51.100.7";  // another client, to see the username alone
  RequireError(node.Login("amina", "guess"), 401, "unauthenticated");
  REQUIRE(node.Login("amina", kTestPassword).result_int() == 200);
}

TEST_CASE("Throttle: one client address guessing many usernames is slowed down too",
          "[accounts][http]") {
  AuthNode node;
  REQUIRE_OK(node.accounts().Add({}, "amina", Role::kViewer, kTestPassword));
  for (int i = 0; i < 5; ++i)
    RequireError(node.Login("user" + std::to_string(i), "guess"), 401, "unauthenticated");
  RequireError(node.Login("amina", kTestPassword), 429, "resource_exhausted");
  node.client_address = "203.0.113.5";  // another address is not blocked
  REQUIRE(node.Login("amina", kTestPassword).result_int() == 200);
}

// POST /api/v1/session to `node` with an X-Forwarded-For header.
http::Response LoginForwardedFor(AuthNode& node, const std::string& forwarded_for, const std::string& user,
                                 const std::string& password) {
  auto req = MakeRequest(verb::post, "/api/v1/session", json{{"username", user}, {"password", password}}.dump());
  req.set("X-Forwarded-For", forwarded_for);
  return node.Send(std::move(req));
}

TEST_CASE("Throttle: behind a trusted proxy, clients are told apart by X-Forwarded-For",
          "[accounts][http]") {
  AuthNode node;  // every request comes from the proxy's address, 192.0.2.10
  REQUIRE_OK(node.accounts().Add({}, "amina", Role::kViewer, kTestPassword));
  auto login = [&](const std::string& forwarded_for, const std::string& user, const std::string& password) {
    return LoginForwardedFor(node, forwarded_for, user, password);
  };
  // Five clients' failures from one untrusted address: the address is blocked, whatever
  // the header says (anyone can send it).
  for (int i = 0; i < 5; ++i)
    RequireError(login("203.0.113." + std::to_string(i), "user" + std::to_string(i), "guess"), 401, "unauthenticated");
  RequireError(login("203.0.113.99", "amina", kTestPassword), 429, "resource_exhausted");

  AuthNode proxied;
  auto proxies = http::ParseTrustedProxies(" 192.0.2.10 , 2001:db8::1");
  REQUIRE_OK(proxies);
  CHECK(*proxies == std::vector<std::string>{"192.0.2.10", "2001:db8::1"});
  proxied.mutable_deps().trusted_proxies = *proxies;
  REQUIRE_OK(proxied.accounts().Add({}, "amina", Role::kViewer, kTestPassword));
  auto via_proxy = [&](const std::string& forwarded_for, const std::string& user, const std::string& password) {
    return LoginForwardedFor(proxied, forwarded_for, user, password);
  };
  // One guessing client behind the proxy is blocked; another user behind it is not. The
  // proxy appended the last entry: what the client put before it does not count.
  for (int i = 0; i < 5; ++i)
    RequireError(via_proxy("198.51.100.1, 203.0.113.7", "user" + std::to_string(i), "guess"), 401, "unauthenticated");
  RequireError(via_proxy("203.0.113.7", "amina", kTestPassword), 429, "resource_exhausted");
  CHECK(via_proxy("203.0.113.7, 203.0.113.8", "amina", kTestPassword).result_int() == 200);
  CHECK_FALSE(http::ParseTrustedProxies("10.0.0.1, proxy.example").ok());
  CHECK(http::ParseTrustedProxies("10.0.0.1, proxy.example").status().field() == "trusted_proxies");
}

// One row of the role table: a call and the roles that may make it.
struct RoleCase {
  verb method;
  std::string target;
  std::string body;
  std::set<Role> allowed;
};

TEST_CASE("Roles: each role's allowed and refused calls over REST", "[accounts][http][roles]") {
  const std::set<Role> all = {Role::kAdmin, Role::kCoordinator, Role::kProjectLead,
                              Role::kMobilityOfficer, Role::kViewer};
  const std::set<Role> admin = {Role::kAdmin};
  const std::set<Role> coord = {Role::kAdmin, Role::kCoordinator};
  const std::set<Role> projects = {Role::kAdmin, Role::kCoordinator, Role::kProjectLead};
  const std::set<Role> mobility = {Role::kAdmin, Role::kMobilityOfficer};
  // Writes with an empty body: a refused role gets 403 before validation; an allowed one
  // gets past the role check (to 400 for the empty record, 404 for a missing one).
  const std::vector<RoleCase> table = {
      {verb::get, "/api/v1/institutions", "", all},
      {verb::get, "/api/v1/agreements", "", all},
      {verb::get, "/api/v1/qualifications", "", all},
      {verb::get, "/api/v1/node", "", all},
      {verb::get, "/api/v1/federation/status", "", all},
      {verb::post, "/api/v1/institutions", "{}", coord},
      {verb::post, "/api/v1/agreements", "{}", coord},
      {verb::post, "/api/v1/agreements/agr-x/approve", R"({"terms_hash": "h"})", coord},
      {verb::patch, "/api/v1/agreements/agr-x", "{}", coord},
      {verb::delete_, "/api/v1/agreements/agr-x", "", coord},
      {verb::post, "/api/v1/forums", "{}", coord},
      {verb::post, "/api/v1/events", "{}", coord},
      {verb::post, "/api/v1/projects", "{}", projects},
      {verb::post, "/api/v1/deliverables", "{}", projects},
      {verb::patch, "/api/v1/indicators/ind-x", "{}", projects},
      {verb::post, "/api/v1/frameworks", "{}", mobility},
      {verb::post, "/api/v1/qualifications", "{}", mobility},
      {verb::delete_, "/api/v1/mappings/map-x", "", mobility},
      {verb::get, "/api/v1/users", "", admin},
      {verb::post, "/api/v1/users",
       R"({"username": "new.user", "password": "long enough", "role": "viewer"})", admin},
      {verb::delete_, "/api/v1/users/nobody", "", admin},
  };
  AuthNode node;
  std::map<Role, service::SessionView> sessions;
  for (Role r : all) sessions[r] = node.LoginAs(std::string(service::RoleName(r)) + "-user", r);
  for (const auto& row : table) {
    for (Role r : all) {
      auto res = node.Send(row.method, row.target, &sessions[r], row.body);
      INFO(service::RoleName(r) << " " << row.target << " -> " << res.result_int() << " "
                                << res.body());
      if (row.allowed.count(r)) {
        REQUIRE(res.result_int() != 403);
        REQUIRE(res.result_int() != 401);
      } else {
        RequireError(res, 403, "permission_denied");
        REQUIRE(BodyOf(res)["error"]["message"].get<std::string>().find(service::RoleName(r)) !=
                std::string::npos);
      }
    }
    if (row.target == "/api/v1/users" && row.method == verb::post) {
      REQUIRE_OK(node.accounts().Remove({}, "new.user"));  // for the next role to add again
    }
  }
}

TEST_CASE("Roles: real writes by role; history names the user and the node",
          "[accounts][http][roles]") {
  AuthNode node;
  auto coord = node.LoginAs("coord", Role::kCoordinator);
  auto lead = node.LoginAs("lead", Role::kProjectLead);
  auto officer = node.LoginAs("officer", Role::kMobilityOfficer);
  auto viewer = node.LoginAs("viewer", Role::kViewer);
  REQUIRE(
      node.Send(verb::post, "/api/v1/institutions", &coord, Institution().dump()).result_int() ==
      201);
  auto refused = node.Send(verb::post, "/api/v1/forums", &officer, Forum("forum-1").dump());
  RequireError(refused, 403, "permission_denied");
  REQUIRE(BodyOf(refused)["error"]["message"].get<std::string>().find("forum") !=
          std::string::npos);
  REQUIRE(node.Send(verb::post, "/api/v1/projects", &lead, Project("proj-1").dump()).result_int() ==
          201);
  RequireError(node.Send(verb::patch, "/api/v1/institutions/" + std::string(kInstitution), &viewer,
                         R"({"city_or_region": "Rouyn"})"),
               403, "permission_denied");
  RequireError(node.Send(verb::delete_, "/api/v1/projects/proj-1", &viewer), 403,
               "permission_denied");
  REQUIRE(node.Send(verb::get, "/api/v1/projects/proj-1", &viewer).result_int() == 200);

  auto history = node.Send(verb::get, "/api/v1/projects/proj-1/history", &viewer);
  REQUIRE(history.result_int() == 200);
  json entries = BodyOf(history)["history"];
  REQUIRE(entries.size() == 1);
  REQUIRE(entries[0]["user"] == "lead");
  REQUIRE(entries[0]["origin"] == kMember);
}

TEST_CASE("Users over REST: an admin adds, changes and removes accounts", "[accounts][http]") {
  AuthNode node;
  auto admin = node.LoginAs("admin", Role::kAdmin);
  const std::string pw = "a fine password";
  auto added =
      node.Send(verb::post, "/api/v1/users", &admin,
                json{{"username", "nadia"}, {"password", pw}, {"role", "project_lead"}}.dump());
  REQUIRE(added.result_int() == 201);
  REQUIRE(BodyOf(added)["username"] == "nadia");
  REQUIRE(BodyOf(added)["role"] == "project_lead");
  RequireError(node.Send(verb::post, "/api/v1/users", &admin,
                         json{{"username", "nadia"}, {"password", pw}, {"role", "viewer"}}.dump()),
               409, "already_exists", "username");
  RequireError(node.Send(verb::post, "/api/v1/users", &admin,
                         json{{"username", "x"}, {"password", pw}, {"role", "king"}}.dump()),
               400, "invalid_argument", "role");
  RequireError(node.Send(verb::post, "/api/v1/users", &admin,
                         json{{"username", "x"}, {"password", "short"}, {"role", "viewer"}}.dump()),
               400, "invalid_argument", "password");

  auto list = node.Send(verb::get, "/api/v1/users", &admin);
  REQUIRE(list.result_int() == 200);
  REQUIRE(BodyOf(list)["users"].size() == 2);
  REQUIRE(list.body().find("argon2") == std::string::npos);
  REQUIRE(list.body().find("hash") == std::string::npos);

  // nadia logs in; a role change applies to her live session at once.
  auto login = node.Login("nadia", pw);
  REQUIRE(login.result_int() == 200);
  service::SessionView nadia{CookieValue(login), BodyOf(login)["csrf_token"], "nadia",
                             Role::kProjectLead, 0};
  REQUIRE(
      node.Send(verb::patch, "/api/v1/users/nadia", &admin, R"({"role": "viewer"})").result_int() ==
      200);
  RequireError(node.Send(verb::post, "/api/v1/projects", &nadia, Project("p").dump()), 403,
               "permission_denied");
  RequireError(node.Send(verb::patch, "/api/v1/users/nadia", &admin, R"({"colour": "blue"})"), 400,
               "invalid_argument", "colour");
  // A new password ends her sessions; the old password no longer works.
  REQUIRE(
      node.Send(verb::patch, "/api/v1/users/nadia", &admin, R"({"password": "another password"})")
          .result_int() == 200);
  RequireError(node.Send(verb::get, "/api/v1/forums", &nadia), 401, "unauthenticated");
  RequireError(node.Login("nadia", pw), 401, "unauthenticated");
  REQUIRE(node.Login("nadia", "another password").result_int() == 200);
  // Removing her ends her sessions too; the last admin cannot be removed.
  REQUIRE(node.Send(verb::delete_, "/api/v1/users/nadia", &admin).result_int() == 204);
  RequireError(node.Send(verb::delete_, "/api/v1/users/nadia", &admin), 404, "not_found");
  RequireError(node.Send(verb::delete_, "/api/v1/users/admin", &admin), 409, "failed_precondition");
  REQUIRE(node.sessions().size() == 1);  // only the admin's
}

}  // namespace
}  // namespace passerelle::testing
