// Server-Sent Events for the change feed. A route answers with EventStreamResponse
// (200, text/event-stream, no body); the session (session_events.cc) sees it, writes
// those headers, subscribes to the service's ChangeFeed and streams, on its own strand
// and never blocking an io thread: `event: change` per committed op, `: keep-alive`
// every 15 s (Deps::event_keep_alive). The body ends when the connection closes (client,
// server Stop, the session it was opened with ending, or a client too slow to read:
// more than kMaxPendingEventBytes queued).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "node/http/types.h"

namespace passerelle::service {
struct Change;
}

namespace passerelle::http {

constexpr char kEventStreamType[] = "text/event-stream";
constexpr size_t kMaxPendingEventBytes = 1 << 20;

// Whether the request's Accept names text/event-stream (what EventSource sends).
bool AcceptsEventStream(const Request& request);
// The response that starts a stream (also what HandleRequest returns for it).
Response EventStreamResponse(const Request& request);
bool IsEventStream(const Response& response);
// The header block of `response` as sent on the wire, body delimited by the close.
std::string EventStreamHead(const Response& response);
// `id: G` `event: change` `data: {"kind","id","origin","generation"}` per change.
std::string FormatChangeEvents(const std::vector<service::Change>& changes);

}  // namespace passerelle::http
