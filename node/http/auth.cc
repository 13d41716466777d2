#include "node/http/auth.h"

#include "node/http/event_stream.h"
#include "node/http/request_decoding.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>
#include <chrono>

namespace passerelle::http {

uint64_t NowMs(const Deps& deps) {
  if (deps.now_ms) return deps.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string SessionCookieOf(const Request& request) {
  // Cookie: a=b; passerelle_session=TOKEN; c=d  (possibly in several Cookie headers)
  for (auto it = request.find(beast_http::field::cookie);
       it != request.end() && it->name() == beast_http::field::cookie; ++it) {
    std::string_view rest(it->value().data(), it->value().size());
    while (!rest.empty()) {
      size_t end = rest.find(';');
      std::string_view pair = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      if (pair.size() > kSessionCookie.size() &&
          pair.substr(0, kSessionCookie.size()) == kSessionCookie &&
          pair[kSessionCookie.size()] == '=')
        return std::string(pair.substr(kSessionCookie.size() + 1));
    }
  }
  return {};
}

namespace {

// The address in its canonical text form; "" when `text` is not an IP address.
std::string CanonicalAddress(std::string_view text) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(TrimOws(text)), ec);
  return ec ? std::string() : address.to_string();
}

}  // namespace

std::string ClientAddress(const Request& request, std::string_view socket_address,
                          const std::vector<std::string>& trusted_proxies) {
  if (trusted_proxies.empty() ||
      std::find(trusted_proxies.begin(), trusted_proxies.end(), CanonicalAddress(socket_address)) ==
          trusted_proxies.end())
    return std::string(socket_address);
  // Several X-Forwarded-For headers count as one list; the proxy appended the last entry.
  std::string last;
  for (auto it = request.find("X-Forwarded-For"); it != request.end() && boost::beast::iequals(it->name_string(), "X-Forwarded-For"); ++it) {
    std::string_view list(it->value().data(), it->value().size());
    size_t comma = list.rfind(',');
    last = std::string(TrimOws(comma == std::string_view::npos ? list : list.substr(comma + 1)));
  }
  std::string client = CanonicalAddress(last);
  return client.empty() ? std::string(socket_address) : client;
}

Result<std::vector<std::string>> ParseTrustedProxies(std::string_view list) {
  std::vector<std::string> out;
  for (std::string_view item : CommaList(list)) {
    std::string address = CanonicalAddress(item);
    if (address.empty())
      return Status::Invalid("trusted_proxies", "'" + std::string(item) + "' is not an IP address");
    out.push_back(std::move(address));
  }
  return out;
}

bool NeedsSession(const Target& target) {
  const auto& seg = target.segments;
  bool api = seg.size() >= 2 && seg[0] == "api" && seg[1] == "v1";
  return api && !(seg.size() == 3 && seg[2] == "session");
}

BodyGate GateBody(const Request& request, const Deps& deps, uint64_t max_body_bytes) {
  BodyGate gate;
  auto target = ParseTarget(std::string_view(request.target().data(), request.target().size()));
  if (!target.ok()) {
    gate.refusal = target.status();
    return gate;
  }
  const auto& seg = target->segments;
  const bool api = seg.size() >= 2 && seg[0] == "api" && seg[1] == "v1";
  if (!api) {
    gate.refusal = Status(Code::kResourceExhausted, "this path takes no request body", "body");
    gate.http_status = 413;
    return gate;
  }
  if (!NeedsSession(*target)) {
    gate.body_limit = std::min(max_body_bytes, kMaxLoginBodyBytes);
    return gate;
  }
  if (deps.sessions != nullptr && deps.sessions->LiveUser(SessionCookieOf(request), NowMs(deps))) {
    gate.body_limit = max_body_bytes;
    return gate;
  }
  gate.refusal = Status(Code::kUnauthenticated, "no session: log in with POST /api/v1/session");
  return gate;
}

Result<Authenticated> Authenticate(const Request& request, const Deps& deps) {
  if (deps.sessions == nullptr)
    return Status(Code::kUnauthenticated, "this node has no user accounts configured");
  // Marked by the web client, or an event stream: browsers (re)open those by themselves,
  // and EventSource cannot send the header.
  const bool background =
      request.find(boost::beast::string_view(kBackgroundHeader.data(), kBackgroundHeader.size())) != request.end() ||
      (request.method() == beast_http::verb::get && AcceptsEventStream(request));
  auto session = deps.sessions->Lookup(SessionCookieOf(request), NowMs(deps),
                                       background ? service::SessionManager::Activity::kBackground
                                                  : service::SessionManager::Activity::kUser);
  if (!session.ok()) return session.status();
  const auto method = request.method();
  if (method != beast_http::verb::get && method != beast_http::verb::head) {
    auto header = request.find(boost::beast::string_view(kCsrfHeader.data(), kCsrfHeader.size()));
    std::string_view value;
    if (header != request.end())
      value = std::string_view(header->value().data(), header->value().size());
    if (value.empty())
      return Status(Code::kPermissionDenied, "a change needs the session's CSRF token",
                    std::string(kCsrfHeader));
    if (!service::CsrfMatches(*session, value))
      return Status(Code::kPermissionDenied, "the CSRF token does not match the session",
                    std::string(kCsrfHeader));
  }
  Authenticated out;
  out.caller = {session->username, session->role};
  out.session = std::move(session).value();
  return out;
}

}  // namespace passerelle::http
