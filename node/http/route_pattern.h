// The route pattern of a request target, for metrics and logs: "/api/v1/{plural}/{id}"
// style labels with a bounded set of values, never the raw path (ids and query strings
// stay out of metrics and logs). Pure.
#pragma once

#include <string>
#include <string_view>

namespace passerelle::http {

// "/healthz", "/readyz", "/metrics", "/api/v1/agreements/{id}/history",
// "/api/v1/{unknown}", "/static" (everything else). Family plurals and a fixed list of
// API words are kept; any other segment becomes {id} (odd positions) or {unknown}.
std::string RoutePattern(std::string_view target);

}  // namespace passerelle::http
