// The route pattern of a request target, for metrics and logs: "/api/v1/{plural}/{id}"
// style labels with a bounded set of values, never the raw path (ids and query strings
// stay out of metrics and logs). Pure.
#pragma once

#include <string>
#include <string_view>

namespace passerelle::http {

// "/healthz", "/readyz", "/metrics", "/static" (everything outside /api/v1), or one of
// the routes the API has ("/api/v1/agreements/{id}/history", "/api/v1/users/{id}",
// "/api/v1/changes/stream"…); any other /api/v1 path is "/api/v1/{unmatched}". A closed
// set: no request adds a label value.
std::string RoutePattern(std::string_view target);

}  // namespace passerelle::http
