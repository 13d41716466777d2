// What the HTTP server reports about each request: a counter by method, route pattern
// (route_pattern.h) and status, a latency histogram by method and route, and a debug
// log line with the same fields. Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "node/http/route_pattern.h"
#include "node/http/types.h"

namespace passerelle::http {

// "GET", "POST", …; "OTHER" for methods Beast does not know (bounded label values).
std::string MethodLabel(const Request& request);
void RecordRequest(const Request& request, unsigned status, std::chrono::microseconds elapsed);

}  // namespace passerelle::http
