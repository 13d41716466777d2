// The session gate of /api/v1: every route except the login needs a live session
// (cookie `passerelle_session`), and every change (any method but GET and HEAD) also the
// session's CSRF token in `X-CSRF-Token`. Deny by default: the handler calls the gate
// before any route other than /api/v1/session, so new routes are behind it unasked.
#pragma once

#include <optional>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "node/http/handler.h"
#include "node/http/target.h"
#include "node/service/caller.h"
#include "node/service/sessions.h"

namespace passerelle::http {

inline constexpr std::string_view kSessionCookie = "passerelle_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
// Sent by the web client on its background requests (polling, live re-renders): they do
// not restart the session's idle time (service::SessionManager::Activity).
inline constexpr std::string_view kBackgroundHeader = "X-Passerelle-Background";

struct Authenticated {
  service::Caller caller;  // the session's user and role
  service::SessionView session;
};

// The caller of `request`, or UNAUTHENTICATED (no, unknown or expired session) or
// PERMISSION_DENIED with field X-CSRF-Token (a change without the right token).
Result<Authenticated> Authenticate(const Request& request, const Deps& deps);

// Whether `target` is behind the gate: every /api/v1 route but the login.
bool NeedsSession(const Target& target);
// The most a login's body may hold: a username (64 bytes) and a password (1024) as JSON.
constexpr uint64_t kMaxLoginBodyBytes = 8 * 1024;

// What may be read of a request's body, decided from its header alone, so that nobody
// without a session gets more than a login's worth buffered: a route behind the gate
// with a live session takes up to `max_body_bytes`; the login up to kMaxLoginBodyBytes;
// any other path (static files, /healthz, /readyz, /metrics) no body at all (413).
// Without a live session, a gated route is refused (401). (Authenticate still decides,
// body read, for the requests this lets through.)
struct BodyGate {
  Status refusal;                       // not OK: answer it, the body unread
  std::optional<unsigned> http_status;  // the answer's status when not the code's own
  uint64_t body_limit = 0;              // when OK: the most the body may hold
};
BodyGate GateBody(const Request& request, const Deps& deps, uint64_t max_body_bytes);

// The address a request comes from, for throttling logins: the socket's peer, or, when
// that peer is one of `trusted_proxies`, the last address in X-Forwarded-For (the one
// that proxy appended). A client cannot choose it by sending the header itself.
std::string ClientAddress(const Request& request, std::string_view socket_address,
                          const std::vector<std::string>& trusted_proxies);
// "10.0.0.5, ::1" -> the addresses, written as ClientAddress compares them;
// INVALID_ARGUMENT naming trusted_proxies for an entry that is not an IP address.
Result<std::vector<std::string>> ParseTrustedProxies(std::string_view list);

// The value of the session cookie in the request's Cookie headers; "" when absent.
std::string SessionCookieOf(const Request& request);
// deps.now_ms(), or the system clock.
uint64_t NowMs(const Deps& deps);

}  // namespace passerelle::http
