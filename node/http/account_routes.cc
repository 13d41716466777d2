#include "node/http/account_routes.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "node/core/hlc.h"
#include "node/http/errors.h"
#include "node/http/request_decoding.h"

namespace passerelle::http {
namespace {

using beast_http::verb;
using nlohmann::json;

std::string Iso(uint64_t ms) { return core::HlcToIso(core::MakeHlc(ms, 0)); }

Response Error(const Request& req, const Status& s, std::optional<unsigned> http = std::nullopt) {
  return ErrorResponse(s, req.version(), req.keep_alive(), http);
}

Response NotAllowed(const Request& req, const char* allow) {
  auto res = Error(
      req, Status(Code::kUnimplemented, std::string(req.method_string()) + " is not allowed here"),
      405);
  res.set(beast_http::field::allow, allow);
  return res;
}

Response NoContent(const Request& req) {
  Response res;
  res.version(req.version());
  res.result(204);
  res.keep_alive(req.keep_alive());
  res.set(beast_http::field::cache_control, "no-store");
  res.prepare_payload();
  return res;
}

std::string Cookie(const Deps& deps, std::string_view value, bool clear) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) +
                  "; HttpOnly; SameSite=Strict; Path=/";
  if (clear) c += "; Max-Age=0";
  if (deps.secure_cookies) c += "; Secure";
  return c;
}

json SessionBody(const service::SessionView& s) {
  return {{"user", {{"username", s.username}, {"role", service::RoleName(s.role)}}},
          {"csrf_token", s.csrf_token},
          {"expires_at", Iso(s.expires_at_ms)}};
}

json UserBody(const service::Account& a) {
  return {{"username", a.username},
          {"role", service::RoleName(a.role)},
          {"created_at", Iso(a.created_at_ms)}};
}

// Decodes a JSON object body; the refusal (415 / 400) otherwise.
Result<json> WriteBody(const Request& req) {
  if (!HasJsonContentType(req))
    return Status(Code::kInvalidArgument, "expected application/json", "Content-Type");
  return DecodeObjectBody(req);
}

Response BodyError(const Request& req, const Status& s) {
  return Error(req, s, s.field() == "Content-Type" ? std::optional<unsigned>(415) : std::nullopt);
}

// An optional string member of `body`; INVALID_ARGUMENT naming it when not a string.
Result<std::optional<std::string>> StringField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return Status::Invalid(name, "must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<service::Role>> RoleField(const json& body) {
  auto name = StringField(body, "role");
  if (!name.ok()) return name.status();
  if (!*name) return std::optional<service::Role>();
  auto role = service::ParseRole(**name);
  if (!role) return Status::Invalid("role", std::string("must be one of ") + service::RoleNames());
  return std::optional<service::Role>(*role);
}

Response Login(const Request& req, const Deps& deps, std::string_view client) {
  auto body = WriteBody(req);
  if (!body.ok()) return BodyError(req, body.status());
  auto username = StringField(*body, "username");
  if (!username.ok()) return Error(req, username.status());
  auto password = StringField(*body, "password");
  if (!password.ok()) return Error(req, password.status());
  if (!*username) return Error(req, Status::Invalid("username", "is required"));
  if (!*password) return Error(req, Status::Invalid("password", "is required"));
  uint64_t retry_after = 0;
  auto session = deps.sessions->Login(**username, **password, client, NowMs(deps), &retry_after);
  if (!session.ok()) {
    Response res = Error(req, session.status());
    if (session.status().code() == Code::kResourceExhausted)
      res.set(beast_http::field::retry_after, std::to_string(retry_after));
    return res;
  }
  Response res = JsonResponse(200, SessionBody(*session), req.version(), req.keep_alive());
  res.set(beast_http::field::set_cookie, Cookie(deps, session->token, false));
  return res;
}

}  // namespace

Response HandleSession(const Request& req, const Deps& deps, std::string_view client) {
  if (deps.sessions == nullptr)
    return Error(req, Status(Code::kUnauthenticated, "this node has no user accounts configured"));
  switch (req.method()) {
    case verb::post:
      return Login(req, deps, client);
    case verb::get: {
      auto session = deps.sessions->Lookup(SessionCookieOf(req), NowMs(deps));
      if (!session.ok()) return Error(req, session.status());
      return JsonResponse(200, SessionBody(*session), req.version(), req.keep_alive());
    }
    case verb::delete_: {
      auto auth = Authenticate(req, deps);
      if (!auth.ok()) return Error(req, auth.status());
      deps.sessions->Logout(auth->session.token);
      Response res = NoContent(req);
      res.set(beast_http::field::set_cookie, Cookie(deps, "", true));
      return res;
    }
    default:
      return NotAllowed(req, "GET, POST, DELETE");
  }
}

namespace {

Response UserJson(const Request& req, unsigned status, const json& body) {
  return JsonResponse(status, body, req.version(), req.keep_alive());
}

// /api/v1/users: GET lists, POST {"username","password","role"} adds.
Response UsersCollection(const Request& req, const Deps& deps, const Authenticated& auth) {
  service::Accounts& accounts = *deps.sessions->accounts();
  if (req.method() == verb::get) {
    auto list = accounts.List(auth.caller);
    if (!list.ok()) return Error(req, list.status());
    json users = json::array();
    for (const auto& a : *list) users.push_back(UserBody(a));
    return UserJson(req, 200, {{"users", users}});
  }
  if (req.method() != verb::post) return NotAllowed(req, "GET, POST");
  auto body = WriteBody(req);
  if (!body.ok()) return BodyError(req, body.status());
  auto username = StringField(*body, "username");
  auto password = StringField(*body, "password");
  auto role = RoleField(*body);
  for (const Status* s : {&username.status(), &password.status(), &role.status()})
    if (!s->ok()) return Error(req, *s);
  if (!*username) return Error(req, Status::Invalid("username", "is required"));
  if (!*password) return Error(req, Status::Invalid("password", "is required"));
  if (!*role) return Error(req, Status::Invalid("role", "is required"));
  auto added = accounts.Add(auth.caller, **username, **role, **password);
  if (!added.ok()) return Error(req, added.status());
  Response res = UserJson(req, 201, UserBody(*added));
  res.set(beast_http::field::location, "/api/v1/users/" + added->username);
  return res;
}

// /api/v1/users/{name}: GET, PATCH {"role"?, "password"?}, DELETE. Live sessions follow:
// a new role applies to them, a new password or a removal ends them.
Response UserItem(const Request& req, const std::string& name, const Deps& deps,
                  const Authenticated& auth) {
  service::Accounts& accounts = *deps.sessions->accounts();
  switch (req.method()) {
    case verb::get: {
      auto list = accounts.List(auth.caller);  // the same admin check as the list
      if (!list.ok()) return Error(req, list.status());
      for (const auto& a : *list)
        if (a.username == name) return UserJson(req, 200, UserBody(a));
      return Error(req, Status::NotFound("no user '" + name + "'", "username"));
    }
    case verb::patch: {
      auto body = WriteBody(req);
      if (!body.ok()) return BodyError(req, body.status());
      for (const auto& [key, value] : body->items())
        if (key != "role" && key != "password")
          return Error(req, Status::Invalid(key, "unknown field"));
      auto password = StringField(*body, "password");
      auto role = RoleField(*body);
      if (!password.ok()) return Error(req, password.status());
      if (!role.ok()) return Error(req, role.status());
      std::optional<std::string_view> pw;
      if (*password) pw = **password;
      auto changed = accounts.Change(auth.caller, name, *role, pw);
      if (!changed.ok()) return Error(req, changed.status());
      if (pw)
        deps.sessions->EndSessionsOf(name);
      else
        deps.sessions->SetRole(name, changed->role);
      return UserJson(req, 200, UserBody(*changed));
    }
    case verb::delete_: {
      Status s = accounts.Remove(auth.caller, name);
      if (!s.ok()) return Error(req, s);
      deps.sessions->EndSessionsOf(name);
      return NoContent(req);
    }
    default:
      return NotAllowed(req, "GET, PATCH, DELETE");
  }
}

}  // namespace

Response HandleUsers(const Request& req, const Target& target, const Deps& deps,
                     const Authenticated& auth) {
  const auto& seg = target.segments;  // "api", "v1", "users", [name]
  if (seg.size() == 3) return UsersCollection(req, deps, auth);
  if (seg.size() == 4) return UserItem(req, seg[3], deps, auth);
  return Error(req, Status::NotFound("no such resource: " + target.path));
}

}  // namespace passerelle::http
