#include "node/http/rest_routes.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "node/http/equivalence_routes.h"
#include "node/http/errors.h"
#include "node/http/feed_routes.h"
#include "node/http/request_decoding.h"
#include "node/records/family.h"
#include "node/service/federation_status.h"
#include "node/service/record_service.h"

namespace passerelle::http {
namespace {

using beast_http::verb;
using nlohmann::json;

// What every route needs: the request, its parsed target, the service and the caller.
struct Call {
  const Request& req;
  const Target& target;
  service::RecordService& service;
  const service::Caller& caller;

  Response Error(const Status& s, std::optional<unsigned> http = std::nullopt) const {
    return ErrorResponse(s, req.version(), req.keep_alive(), http);
  }
  Response Json(unsigned status, const json& body) const {
    return JsonResponse(status, body, req.version(), req.keep_alive());
  }
  Response NotAllowed(const char* allow) const {
    auto res = Error(Status(Code::kUnimplemented,
                            std::string(req.method_string()) + " is not allowed on " + target.path),
                     405);
    res.set(beast_http::field::allow, allow);
    return res;
  }
};

// A single record with its version as ETag, so a client can send it back in If-Match.
Response RecordResponse(const Call& c, unsigned status, const json& record) {
  Response res = c.Json(status, record);
  if (auto v = record.find("version"); v != record.end() && v->is_number_unsigned())
    res.set(beast_http::field::etag, "\"" + std::to_string(v->get<uint64_t>()) + "\"");
  return res;
}

// Query parameters other than `allowed` are refused on writes, so a misspelt
// expected_version is never silently ignored.
Status OnlyParams(const Target& target, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : target.query)
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Status::Invalid(key, "unknown query parameter");
  return Status::Ok();
}

// Decodes the JSON object body of a POST/PATCH into *out, or returns the refusal:
// 415 for a content type other than JSON, 400 (field "body") for anything but an object.
std::optional<Response> DecodeWriteBody(const Call& c, json* out) {
  if (!HasJsonContentType(c.req))
    return c.Error(Status::Invalid("Content-Type", "expected application/json"), 415);
  auto body = DecodeObjectBody(c.req);
  if (!body.ok()) return c.Error(body.status());
  *out = std::move(body).value();
  return std::nullopt;
}

Response List(const Call& c, const records::Family& family,
              const std::optional<std::pair<std::string, std::string>>& parent_filter) {
  service::ListQuery query;
  std::set<std::string_view> seen;
  for (const auto& [key, value] : c.target.query) {
    if (!seen.insert(key).second)
      return c.Error(Status::Invalid(key, "query parameter given twice"));
    if (key == "page_size") {
      auto n = DecodeUnsigned(value, "page_size");
      if (!n.ok()) return c.Error(n.status());
      query.page_size = static_cast<size_t>(*n);
    } else if (key == "page_token") {
      query.page_token = value;
    } else {
      query.filters.emplace(key, value);
    }
  }
  if (parent_filter) {
    auto [it, inserted] = query.filters.emplace(parent_filter->first, parent_filter->second);
    if (!inserted && it->second != parent_filter->second)
      return c.Error(Status::Invalid(parent_filter->first, "differs from the path"));
  }
  auto page = c.service.List(family.kind, query);
  if (!page.ok()) return c.Error(page.status());
  json body = json::object();
  body[family.plural] = std::move(page->records);
  body["next_page_token"] = page->next_page_token;
  return c.Json(200, body);
}

Response Create(const Call& c, const records::Family& family,
                const std::optional<std::pair<std::string, std::string>>& parent) {
  if (Status s = OnlyParams(c.target, {}); !s.ok()) return c.Error(s);
  json body;
  if (auto refusal = DecodeWriteBody(c, &body)) return std::move(*refusal);
  if (parent) {
    const auto& [field, id] = *parent;
    auto it = body.find(field);
    if (it == body.end())
      body[field] = id;
    else if (!it->is_string() || it->get_ref<const std::string&>() != id)
      return c.Error(Status::Invalid(field, "must be '" + id + "' as in the path, or absent"));
  }
  auto created = c.service.Create(family.kind, std::move(body), c.caller);
  if (!created.ok()) return c.Error(created.status());
  Response res = RecordResponse(c, 201, *created);
  if (auto id = created->find("id"); id != created->end() && id->is_string())
    res.set(beast_http::field::location, "/api/v1/" + family.plural + "/" + id->get<std::string>());
  return res;
}

Response Update(const Call& c, const records::Family& family, const std::string& id) {
  if (Status s = OnlyParams(c.target, {"update_mask", "expected_version"}); !s.ok())
    return c.Error(s);
  service::UpdateRequest update;
  if (auto refusal = DecodeWriteBody(c, &update.patch)) return std::move(*refusal);
  auto mask = QueryParam(c.target, "update_mask");
  if (!mask.ok()) return c.Error(mask.status());
  if (mask.value()) {
    auto fields = DecodeFieldMask(**mask);
    if (!fields.ok()) return c.Error(fields.status());
    update.mask = std::move(fields).value();
  }
  auto expected = DecodeExpectedVersion(c.req, c.target);
  if (!expected.ok()) return c.Error(expected.status());
  update.expected_version = *expected;
  auto updated = c.service.Update(family.kind, id, update, c.caller);
  if (!updated.ok()) return c.Error(updated.status());
  return RecordResponse(c, 200, *updated);
}

Response Delete(const Call& c, const records::Family& family, const std::string& id) {
  if (Status s = OnlyParams(c.target, {"expected_version"}); !s.ok()) return c.Error(s);
  auto expected = DecodeExpectedVersion(c.req, c.target);
  if (!expected.ok()) return c.Error(expected.status());
  Status s = c.service.Delete(family.kind, id, *expected, c.caller);
  if (!s.ok()) return c.Error(s);
  Response res;
  res.version(c.req.version());
  res.result(204);
  res.keep_alive(c.req.keep_alive());
  res.prepare_payload();
  return res;
}

// /api/v1/{plural}
Response Collection(const Call& c, const records::Family& family) {
  switch (c.req.method()) {
    case verb::get:
      return List(c, family, std::nullopt);
    case verb::post:
      return Create(c, family, std::nullopt);
    default:
      return c.NotAllowed("GET, POST");
  }
}

// /api/v1/{plural}/{id}
Response Item(const Call& c, const records::Family& family, const std::string& id) {
  switch (c.req.method()) {
    case verb::get: {
      auto record = c.service.Get(family.kind, id);
      if (!record.ok()) return c.Error(record.status());
      return RecordResponse(c, 200, *record);
    }
    case verb::patch:
      return Update(c, family, id);
    case verb::delete_:
      return Delete(c, family, id);
    default:
      return c.NotAllowed("GET, PATCH, DELETE");
  }
}

// /api/v1/{plural}/{id}/history
Response History(const Call& c, const records::Family& family, const std::string& id) {
  if (c.req.method() != verb::get) return c.NotAllowed("GET");
  auto ops = c.service.History(family.kind, id);
  if (!ops.ok()) return c.Error(ops.status());
  return c.Json(200, {{"history", std::move(ops).value()}});
}

// /api/v1/{parent_plural}/{parent_id}/{child_plural}: the children of an existing parent.
Response Nested(const Call& c, const records::Family& parent, const std::string& parent_id,
                const records::Family& child) {
  if (c.req.method() != verb::get && c.req.method() != verb::post) return c.NotAllowed("GET, POST");
  auto exists = c.service.Get(parent.kind, parent_id);
  if (!exists.ok()) return c.Error(exists.status());
  std::pair<std::string, std::string> link{child.parent_field, parent_id};
  return c.req.method() == verb::get ? List(c, child, link) : Create(c, child, link);
}

// /api/v1/{plural}/{id}/approve  {"terms_hash": "..."}: this member approves the terms.
Response Approve(const Call& c, const records::Family& family, const std::string& id) {
  if (c.req.method() != verb::post) return c.NotAllowed("POST");
  json body;
  if (auto refused = DecodeWriteBody(c, &body)) return *refused;
  auto hash = body.find("terms_hash");
  if (hash == body.end() || !hash->is_string())
    return c.Error(Status::Invalid("terms_hash", "is required: the terms_hash of the agreement as read"));
  auto record = c.service.Approve(family.kind, id, hash->get<std::string>(), c.caller);
  if (!record.ok()) return c.Error(record.status());
  return RecordResponse(c, 200, *record);
}

// /api/v1/federation/status: version vector, digest, peers, refused ops.
Response FederationStatus(const Call& c, const Deps& deps) {
  if (c.req.method() != verb::get) return c.NotAllowed("GET");
  return c.Json(200, deps.federation_status ? deps.federation_status()
                                            : service::LoneNodeStatus(c.service));
}

// /api/v1/node: who this node is and how far its op log goes.
Response NodeInfo(const Call& c) {
  if (c.req.method() != verb::get) return c.NotAllowed("GET");
  json vv = json::object();
  for (const auto& [origin, seq] : c.service.VersionVector()) vv[origin] = seq;
  return c.Json(200, {{"member_id", c.service.member_id()}, {"version_vector", vv}});
}

Response UnknownPath(const Call& c) {
  return c.Error(Status::NotFound("no such resource: " + c.target.path));
}

}  // namespace

Response HandleApi(const Request& request, const Target& target, const Deps& deps,
                   const service::Caller& caller) {
  if (deps.service == nullptr)
    return ErrorResponse(Status(Code::kUnavailable, "the record service is not running"),
                         request.version(), request.keep_alive());
  if (auto feed = HandleFeedApi(request, target, *deps.service)) return std::move(*feed);
  const Call c{request, target, *deps.service, caller};
  const auto& seg = target.segments;  // "api", "v1", ...
  if (seg.size() == 3 && seg[2] == "node") return NodeInfo(c);
  if (seg.size() == 4 && seg[2] == "federation" && seg[3] == "status") return FederationStatus(c, deps);
  if (seg.size() == 3 && seg[2] == "equivalences") return HandleEquivalences(request, target, deps);
  if (seg.size() < 3 || seg.size() > 5) return UnknownPath(c);
  const records::Family* family = records::FindFamily(seg[2]);
  if (family == nullptr || family->plural != seg[2])
    return c.Error(Status::NotFound("unknown collection '" + seg[2] + "'"));
  if (seg.size() == 3) return Collection(c, *family);
  if (seg.size() == 4) return Item(c, *family, seg[3]);
  if (seg.size() == 5 && seg[4] == "history") return History(c, *family, seg[3]);
  if (seg.size() == 5 && seg[4] == "approve" && !family->terms_fields.empty())
    return Approve(c, *family, seg[3]);
  if (seg.size() == 5) {
    const records::Family* child = records::FindFamily(seg[4]);
    if (child != nullptr && child->plural == seg[4] && child->parent_kind == family->kind)
      return Nested(c, *family, seg[3], *child);
  }
  return UnknownPath(c);
}

}  // namespace passerelle::http
