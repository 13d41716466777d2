#include "node/http/errors.h"

#include <nlohmann/json.hpp>

#include "node/core/json_text.h"

namespace passerelle::http {

unsigned HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kOutOfRange:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kAborted:
      return 412;
    case Code::kPermissionDenied:
      return 403;
    case Code::kUnauthenticated:
      return 401;
    case Code::kResourceExhausted:
      return 429;
    case Code::kUnimplemented:
      return 501;
    case Code::kUnavailable:
      return 503;
    case Code::kDeadlineExceeded:
      return 504;
    case Code::kCancelled:
      return 499;  // as grpc-gateway: client closed request
    case Code::kUnknown:
    case Code::kInternal:
    case Code::kDataLoss:
      return 500;
  }
  return 500;
}

Response JsonResponse(unsigned http_status, const nlohmann::json& body, unsigned version,
                      bool keep_alive) {
  Response res;
  res.version(version);
  res.result(http_status);
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.keep_alive(keep_alive);
  res.body() = core::DumpJson(body);
  res.prepare_payload();
  return res;
}

Response ErrorResponse(const Status& status, unsigned version, bool keep_alive,
                       std::optional<unsigned> http_status) {
  nlohmann::json err = {{"code", CodeName(status.code())}, {"message", status.message()}};
  if (!status.field().empty()) err["field"] = status.field();
  return JsonResponse(http_status.value_or(HttpStatusFor(status.code())), {{"error", err}}, version,
                      keep_alive);
}

}  // namespace passerelle::http
