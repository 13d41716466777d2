// REST routes for the web client's read models: GET /api/v1/search, /api/v1/dashboard,
// /api/v1/changes, and the Server-Sent Events stream (/api/v1/changes/stream, or
// /api/v1/events with "Accept: text/event-stream"; without it /api/v1/events stays the
// events collection). Thin: decode the query, call the RecordService, map the Status.
#pragma once

#include <optional>

#include "node/http/target.h"
#include "node/http/types.h"

namespace passerelle::service {
class RecordService;
}

namespace passerelle::http {

// The response when `target` (segments "api", "v1", ...) is one of these routes;
// nullopt otherwise (the caller routes it on).
std::optional<Response> HandleFeedApi(const Request& request, const Target& target,
                                      service::RecordService& service);

}  // namespace passerelle::http
