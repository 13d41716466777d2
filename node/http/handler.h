// HTTP handling as a function: HandleRequest(request, deps) -> response, with no
// sockets, threads or clocks of its own (the clock is deps.now_ms), so it can be
// unit-tested and fuzzed. Routes /healthz, /readyz, /metrics, /api/v1/... (REST over the
// RecordService, behind the session gate of auth.h) and static files from deps.web_root.
// May throw only on a bug; the session turns any exception into a 500 JSON error.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <string_view>

#include "node/http/types.h"
#include "node/service/federation_status.h"

namespace passerelle::service {
class RecordService;
class SessionManager;
class EquivalenceService;
}

namespace passerelle::http {

struct Deps {
  service::RecordService* service = nullptr;  // /api/v1 answers 503 without it
  std::string web_root;                       // static files; empty = none served
  service::FederationStatusFn federation_status;  // empty: a lone node's status
  // Logins and sessions (and, through it, the accounts). Without it every /api/v1 route
  // but the login answers 401: there is no one to log in as.
  service::SessionManager* sessions = nullptr;
  std::function<uint64_t()> now_ms;  // wall-clock ms for session expiry; empty = system clock
  bool secure_cookies = false;       // add "Secure" to the session cookie (HTTPS in front)
  // Reverse proxies (IP addresses) whose X-Forwarded-For names the client: the address
  // logins are throttled by (ClientAddress in auth.h). Empty: the socket's peer.
  std::vector<std::string> trusted_proxies;
  // GET /readyz: {"ready": bool, "reasons": [..]} (200 when ready, else 503). Empty:
  // ready whenever a service is set.
  std::function<nlohmann::json()> readiness;
  // GET /metrics: Prometheus text exposition. Empty: 404.
  std::function<std::string()> metrics_text;
  // GET /api/v1/equivalences; null: a graph is built per request (tests, tools).
  service::EquivalenceService* equivalences = nullptr;
  // How often an event stream sends a keep-alive comment and checks that the session it
  // was opened with is still live (logged out, expired: the stream ends).
  std::chrono::milliseconds event_keep_alive{15000};
};

// Thread-safe as long as the service is (it is). `client_address` is the peer's IP as
// text (for login throttling); "" when unknown.
Response HandleRequest(const Request& request, const Deps& deps,
                       std::string_view client_address = {});

}  // namespace passerelle::http
