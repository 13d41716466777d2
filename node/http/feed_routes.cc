#include "node/http/feed_routes.h"

#include <nlohmann/json.hpp>

#include "node/http/errors.h"
#include "node/http/event_stream.h"
#include "node/http/request_decoding.h"
#include "node/service/change_feed.h"
#include "node/service/record_service.h"

namespace passerelle::http {
namespace {

using nlohmann::json;

constexpr size_t kDefaultSearchLimit = 20;
constexpr size_t kDefaultChanges = 50;

struct Params {
  std::map<std::string, std::string> values;
};

// The query parameters, each at most once and each one of `allowed`.
Result<Params> ReadParams(const Target& target, std::initializer_list<std::string_view> allowed) {
  Params p;
  for (const auto& [key, value] : target.query) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Status::Invalid(key, "unknown query parameter");
    if (!p.values.emplace(key, value).second) return Status::Invalid(key, "query parameter given twice");
  }
  return p;
}

Result<size_t> Limit(const Params& p, size_t fallback) {
  auto it = p.values.find("limit");
  if (it == p.values.end()) return fallback;
  auto n = DecodeUnsigned(it->second, "limit");
  if (!n.ok()) return n.status();
  return static_cast<size_t>(*n);
}

Response Search(const Request& req, const Target& target, service::RecordService& service) {
  auto p = ReadParams(target, {"q", "kind", "limit"});
  if (!p.ok()) return ErrorResponse(p.status(), req.version(), req.keep_alive());
  auto limit = Limit(*p, kDefaultSearchLimit);
  if (!limit.ok()) return ErrorResponse(limit.status(), req.version(), req.keep_alive());
  auto body = service.Search(p->values["q"], p->values["kind"], *limit);
  if (!body.ok()) return ErrorResponse(body.status(), req.version(), req.keep_alive());
  return JsonResponse(200, *body, req.version(), req.keep_alive());
}

Response Dashboard(const Request& req, const Target& target, service::RecordService& service) {
  auto p = ReadParams(target, {"today"});
  if (!p.ok()) return ErrorResponse(p.status(), req.version(), req.keep_alive());
  auto today = p->values.find("today");
  if (today != p->values.end() && today->second.empty())
    return ErrorResponse(Status::Invalid("today", "must be a date YYYY-MM-DD"), req.version(),
                         req.keep_alive());
  auto body = service.Dashboard(today == p->values.end() ? "" : today->second);
  if (!body.ok()) return ErrorResponse(body.status(), req.version(), req.keep_alive());
  return JsonResponse(200, *body, req.version(), req.keep_alive());
}

Response Changes(const Request& req, const Target& target, service::RecordService& service) {
  auto p = ReadParams(target, {"limit"});
  if (!p.ok()) return ErrorResponse(p.status(), req.version(), req.keep_alive());
  auto limit = Limit(*p, kDefaultChanges);
  if (limit.ok() && (*limit == 0 || *limit > service::kChangeRingSize))
    limit = Status::Invalid("limit", "must be between 1 and " + std::to_string(service::kChangeRingSize));
  if (!limit.ok()) return ErrorResponse(limit.status(), req.version(), req.keep_alive());
  uint64_t generation = service.Generation();
  json changes = json::array();
  for (const auto& c : service.changes().Recent(*limit)) changes.push_back(service::ChangeToJson(c));
  return JsonResponse(200, {{"generation", generation}, {"changes", std::move(changes)}},
                      req.version(), req.keep_alive());
}


Response NotAllowed(const Request& req, const Target& target) {
  auto res = ErrorResponse(Status(Code::kUnimplemented, std::string(req.method_string()) +
                                                            " is not allowed on " + target.path),
                           req.version(), req.keep_alive(), 405);
  res.set(beast_http::field::allow, "GET");
  return res;
}

}  // namespace

std::optional<Response> HandleFeedApi(const Request& req, const Target& target,
                                      service::RecordService& service) {
  const auto& seg = target.segments;
  const bool get = req.method() == beast_http::verb::get;
  if (seg.size() == 3 && seg[2] == "events" && get && AcceptsEventStream(req)) {
    if (!target.query.empty())
      return ErrorResponse(Status::Invalid(target.query.front().first, "unknown query parameter"),
                           req.version(), req.keep_alive());
    return EventStreamResponse(req);
  }
  if (seg.size() == 4 && seg[2] == "changes" && seg[3] == "stream") {
    if (!get) return NotAllowed(req, target);
    if (!target.query.empty())
      return ErrorResponse(Status::Invalid(target.query.front().first, "unknown query parameter"),
                           req.version(), req.keep_alive());
    return EventStreamResponse(req);
  }
  if (seg.size() != 3) return std::nullopt;
  Response (*route)(const Request&, const Target&, service::RecordService&) = nullptr;
  if (seg[2] == "search") route = Search;
  else if (seg[2] == "dashboard") route = Dashboard;
  else if (seg[2] == "changes") route = Changes;
  else return std::nullopt;
  if (!get) return NotAllowed(req, target);
  return route(req, target, service);
}

}  // namespace passerelle::http
