// Errors as HTTP responses: the one mapping from a Status code to an HTTP status, and
// the error body {"error": {"code", "message", "field"}}. Every error the HTTP layer
// returns goes through ErrorResponse, so codes and bodies agree everywhere.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "node/http/types.h"
#include "storage/status.h"

namespace passerelle::http {

// INVALID_ARGUMENT 400, NOT_FOUND 404, ALREADY_EXISTS 409, ABORTED 412,
// FAILED_PRECONDITION 409, PERMISSION_DENIED 403, UNAUTHENTICATED 401,
// RESOURCE_EXHAUSTED 429, UNIMPLEMENTED 501, INTERNAL and the rest 500.
unsigned HttpStatusFor(Code code);

// A JSON error response for `status` (must not be OK). `http_status` overrides the
// mapped HTTP status for transport-level refusals (405, 413, 415, 431) that share a code.
Response ErrorResponse(const Status& status, unsigned version, bool keep_alive,
                       std::optional<unsigned> http_status = std::nullopt);

// A JSON response with the given HTTP status.
Response JsonResponse(unsigned http_status, const nlohmann::json& body, unsigned version,
                      bool keep_alive);

}  // namespace passerelle::http
