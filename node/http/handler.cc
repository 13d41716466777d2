#include "node/http/handler.h"

#include <nlohmann/json.hpp>

#include "node/http/account_routes.h"
#include "node/http/auth.h"
#include "node/http/errors.h"
#include "node/http/rest_routes.h"
#include "node/http/static_files.h"
#include "node/http/target.h"

namespace passerelle::http {
namespace {

// /api/v1/...: the login is public; every other route is behind the session gate
// (deny by default), so a route added to HandleApi needs a session without asking.
Response Api(const Request& request, const Target& target, const Deps& deps,
             std::string_view client_address) {
  const auto& seg = target.segments;
  if (!NeedsSession(target)) return HandleSession(request, deps, client_address);
  auto auth = Authenticate(request, deps);
  if (!auth.ok()) return ErrorResponse(auth.status(), request.version(), request.keep_alive());
  if (seg.size() >= 3 && seg[2] == "users") return HandleUsers(request, target, deps, *auth);
  return HandleApi(request, target, deps, auth->caller);
}

Response Route(const Request& request, const Deps& deps, std::string_view client_address) {
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  auto target = ParseTarget(std::string_view(request.target().data(), request.target().size()));
  if (!target.ok()) return ErrorResponse(target.status(), version, keep_alive);
  const auto& seg = target->segments;
  const auto method = request.method();

  const bool ops_route =
      target->path == "/healthz" || target->path == "/readyz" || target->path == "/metrics";
  if (ops_route && method != beast_http::verb::get) {
    auto res = ErrorResponse(Status(Code::kUnimplemented, "only GET on " + target->path), version,
                             keep_alive, 405);
    res.set(beast_http::field::allow, "GET");
    return res;
  }
  if (target->path == "/healthz") return JsonResponse(200, {{"status", "ok"}}, version, keep_alive);
  if (target->path == "/readyz") {
    nlohmann::json r = deps.readiness ? deps.readiness()
                                      : nlohmann::json{{"ready", deps.service != nullptr},
                                                       {"reasons", nlohmann::json::array()}};
    const bool ready = r.value("ready", false);
    return JsonResponse(ready ? 200 : 503, r, version, keep_alive);
  }
  if (target->path == "/metrics") {
    if (!deps.metrics_text)
      return ErrorResponse(Status::NotFound("metrics are not enabled"), version, keep_alive);
    Response res(beast_http::status::ok, version);
    res.set(beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.set(beast_http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = deps.metrics_text();
    res.prepare_payload();
    return res;
  }
  if (!seg.empty() && seg[0] == "api") {
    if (seg.size() >= 2 && seg[1] == "v1") return Api(request, *target, deps, client_address);
    return ErrorResponse(Status::NotFound("no such API: " + target->path), version, keep_alive);
  }
  if (method != beast_http::verb::get && method != beast_http::verb::head) {
    auto res = ErrorResponse(Status(Code::kUnimplemented, "static files are read-only"), version,
                             keep_alive, 405);
    res.set(beast_http::field::allow, "GET, HEAD");
    return res;
  }
  return ServeStatic(request, *target, deps.web_root);
}

}  // namespace

Response HandleRequest(const Request& request, const Deps& deps, std::string_view socket_address) {
  Response res = Route(request, deps, ClientAddress(request, socket_address, deps.trusted_proxies));
  if (request.method() == beast_http::verb::head && !res.body().empty()) {
    // A HEAD response announces the body it would have sent, without sending it.
    size_t size = res.body().size();
    res.body().clear();
    res.content_length(size);
  }
  return res;
}

}  // namespace passerelle::http
