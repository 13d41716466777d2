#include "node/http/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <cstdio>
#include <exception>

#include "node/http/auth.h"
#include "node/http/errors.h"
#include "node/http/event_stream.h"
#include "node/http/http_metrics.h"
#include "node/log/log.h"

namespace passerelle::http {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// --- SessionRegistry -------------------------------------------------------------

bool SessionRegistry::Add(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void SessionRegistry::Remove(const Session* session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) empty_.notify_all();
}

void SessionRegistry::CloseAll() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& [ptr, weak] : sessions_)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->Close();
}

bool SessionRegistry::WaitEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return empty_.wait_for(lock, timeout, [&] { return sessions_.empty(); });
}

bool SessionRegistry::StreamOpened(const std::string& username) {
  std::lock_guard lock(mu_);
  size_t& n = streams_[username];
  if (n >= kMaxStreamsPerUser) return false;
  ++n;
  return true;
}

void SessionRegistry::StreamClosed(const std::string& username) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(username);
  if (it != streams_.end() && --it->second == 0) streams_.erase(it);
}

bool SessionRegistry::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

// --- Session ---------------------------------------------------------------------

Session::Session(tcp::socket&& socket, const Deps* deps, SessionLimits limits,
                 SessionRegistry* registry)
    : stream_(std::move(socket)), deps_(deps), limits_(limits), registry_(registry) {
  beast::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  if (!ec) client_address_ = remote.address().to_string();
}

Session::~Session() {
  if (subscription_ != 0 && deps_->service != nullptr) CloseEvents();
  registry_->Remove(this);
}

void Session::Run() {
  if (!registry_->Add(shared_from_this())) {
    beast::error_code ec;
    stream_.socket().close(ec);
    return;
  }
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&Session::DoRead, shared_from_this()));
}

void Session::Close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    self->CloseEvents();
    self->closing_ = true;
    if (self->writing_) return;  // OnWrite closes once the answer is out
    beast::error_code ec;
    self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    self->stream_.close();
  });
}

void Session::DoRead() {
  if (closing_) return;
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(limits_.max_body_bytes);
  body_limit_ = limits_.max_body_bytes;  // until GateBody decides (a declared length over it
                                         // fails already while the header is read)
  stream_.expires_after(limits_.read_timeout);
  beast_http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
}

void Session::OnHeader(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  const auto& req = parser_->get();
  if (!parser_->is_done()) {  // a body follows: read only as much as the route may take
    BodyGate gate = GateBody(req, *deps_, limits_.max_body_bytes);
    std::optional<Response> refused;
    if (!gate.refusal.ok()) {
      refused = ErrorResponse(gate.refusal, req.version(), false, gate.http_status);
    } else {
      body_limit_ = gate.body_limit;
      parser_->body_limit(body_limit_);  // no body octet parsed yet: allowed
      auto length = parser_->content_length();
      if (length && *length > body_limit_) refused = BodyTooLarge(req.version());
    }
    if (refused) {
      RecordRequest(req, refused->result_int(), std::chrono::microseconds(0));
      return Send(std::move(*refused), After::kLinger);
    }
  }
  if (!parser_->is_done() && beast::iequals(req[beast_http::field::expect], "100-continue")) {
    continue_ = std::make_unique<beast_http::response<beast_http::empty_body>>(
        beast_http::status::continue_, req.version());
    stream_.expires_after(limits_.write_timeout);
    beast_http::async_write(stream_, *continue_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (!ec) self->ReadBody();
                            });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  stream_.expires_after(limits_.read_timeout);
  beast_http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::OnRead, shared_from_this()));
}

void Session::OnRead(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  if (closing_) return;
  Request request = parser_->release();
  const auto started = std::chrono::steady_clock::now();
  Response response = SafeHandle(request);
  RecordRequest(request, response.result_int(),
                std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - started));
  if (IsEventStream(response)) return StartEventStream(request, response);
  const After after = response.keep_alive() ? After::kKeepAlive : After::kClose;
  Send(std::move(response), after);
}

Response Session::BodyTooLarge(unsigned version) const {
  return ErrorResponse(Status(Code::kResourceExhausted,
                              "request body exceeds " + std::to_string(body_limit_) + " bytes", "body"),
                       version, false, 413);
}

void Session::OnReadError(beast::error_code ec) {
  if (ec == beast_http::error::end_of_stream) return Shutdown();
  if (ec == beast_http::error::body_limit) return Send(BodyTooLarge(11), After::kLinger);
  if (ec == beast_http::error::header_limit) {
    return Send(ErrorResponse(Status(Code::kResourceExhausted, "request headers too large"), 11,
                              false, 431),
                After::kLinger);
  }
  if (ec.category() == beast_http::make_error_code(beast_http::error::bad_target).category()) {
    return Send(ErrorResponse(Status::Invalid("request", "malformed HTTP request: " + ec.message()),
                              11, false),
                After::kLinger);
  }
  // Timeout, reset, or Close(): nothing to answer; the socket closes with the session.
}

Response Session::SafeHandle(const Request& request) {
  const char* what = "unknown exception";
  try {
    return HandleRequest(request, *deps_, client_address_);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  // The route pattern, never the raw target: ids and query strings stay out of logs.
  PLOG_ERROR("http {} {} failed: {}", MethodLabel(request),
             RoutePattern(std::string_view(request.target().data(), request.target().size())), what);
  return ErrorResponse(Status::Internal("internal error while handling the request"),
                       request.version(), request.keep_alive());
}

void Session::Send(Response response, After after) {
  if (closing_) return;
  if (after != After::kKeepAlive) response.keep_alive(false);
  response_ = std::move(response);
  writing_ = true;
  stream_.expires_after(limits_.write_timeout);
  beast_http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::OnWrite, shared_from_this(), after));
}

void Session::OnWrite(After after, beast::error_code ec, size_t) {
  writing_ = false;
  if (ec) return;
  if (closing_) {  // Close() came while the answer was being written: now close
    Shutdown();
    stream_.close();
    return;
  }
  switch (after) {
    case After::kKeepAlive:
      return DoRead();
    case After::kClose:
      return Shutdown();
    case After::kLinger:
      return Linger();
  }
}

void Session::Shutdown() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// After refusing a request whose body is still arriving, read and discard it for a
// while: closing with unread data would reset the connection and lose the answer.
void Session::Linger() {
  Shutdown();
  drain_.resize(16 * 1024);
  drain_left_ = kMaxLingerBytes;
  stream_.expires_after(kLingerTimeout);
  Drain();
}

void Session::Drain() {
  stream_.async_read_some(net::buffer(drain_),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (ec || self->closing_ || n >= self->drain_left_) return;
                            self->drain_left_ -= n;
                            self->Drain();
                          });
}

}  // namespace passerelle::http
