// The session gate of /api/v1: every route except the login needs a live session
// (cookie `passerelle_session`), and every change (any method but GET and HEAD) also the
// session's CSRF token in `X-CSRF-Token`. Deny by default: the handler calls the gate
// before any route other than /api/v1/session, so new routes are behind it unasked.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
// Before a request's body is read: UNAUTHENTICATED when its route needs a session and
// the cookie names no live one, so nobody unauthenticated gets a body buffered.
// (Authenticate still decides, body read, for the requests this lets through.)
Status CheckSessionBeforeBody(const Request& request, const Deps& deps);

// The value of the session cookie in the request's Cookie headers; "" when absent.
std::string SessionCookieOf(const Request& request);
// deps.now_ms(), or the system clock.
uint64_t NowMs(const Deps& deps);

}  // namespace passerelle::http
