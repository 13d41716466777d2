// A small synchronous HTTP/1.1 client over Boost.Beast for tests and benches: one
// keep-alive connection to host:port, reconnected when the server closed it. Throws
// boost::system::system_error on transport errors (tests treat that as a failure),
// a server that does not answer within `timeout` (30 s) included: a test waiting for a
// condition then fails at its deadline instead of hanging.
// Not thread-safe: use one client per thread. After Login() or UseSession() every request
// carries the session cookie, and every change the CSRF token (`headers` override both).
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace passerelle::testing {

namespace beast_http = boost::beast::http;

using HttpResponse = beast_http::response<beast_http::string_body>;
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port, std::string session_token = {},
             std::string csrf_token = {})
      : host_(std::move(host)),
        port_(port),
        session_token_(std::move(session_token)),
        csrf_token_(std::move(csrf_token)) {}

  // Sends one request and reads its response. A non-empty body is sent as
  // application/json unless `headers` sets Content-Type.
  HttpResponse Send(beast_http::verb method, const std::string& target,
                    const std::string& body = {}, const HttpHeaders& headers = {}) {
    beast_http::request<beast_http::string_body> req{method, target, 11};
    req.set(beast_http::field::host, host_ + ":" + std::to_string(port_));
    req.keep_alive(true);
    if (!session_token_.empty()) req.set(beast_http::field::cookie, "passerelle_session=" + session_token_);
    if (!csrf_token_.empty() && method != beast_http::verb::get && method != beast_http::verb::head)
      req.set("X-CSRF-Token", csrf_token_);
    bool has_type = false;
    for (const auto& [name, value] : headers) {
      req.set(name, value);
      if (boost::beast::iequals(name, "Content-Type")) has_type = true;
    }
    if (!body.empty() && !has_type) req.set(beast_http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    for (int attempt = 0;; ++attempt) {
      const bool reused = stream_.has_value();
      try {
        Connect();
        WithDeadline([&](auto done) { beast_http::async_write(*stream_, req, done); });
        HttpResponse res;
        beast_http::response_parser<beast_http::string_body> parser;
        parser.body_limit(64u << 20);
        WithDeadline([&](auto done) { beast_http::async_read(*stream_, buffer_, parser, done); });
        res = parser.release();
        if (!res.keep_alive()) Disconnect();
        return res;
      } catch (const boost::system::system_error& e) {
        // The server may have closed an idle keep-alive connection: retry once afresh.
        // Not after a timeout: the node may have acted on the request.
        Disconnect();
        if (!reused || attempt > 0 || e.code() == boost::beast::error::timeout) throw;
      }
    }
  }

  HttpResponse Get(const std::string& target) { return Send(beast_http::verb::get, target); }

  // POST /api/v1/session; on 200 keeps the session cookie and CSRF token for what follows.
  HttpResponse Login(const std::string& username, const std::string& password) {
    auto res = Send(beast_http::verb::post, "/api/v1/session",
                    nlohmann::json{{"username", username}, {"password", password}}.dump());
    if (res.result_int() == 200) {
      std::string cookie(res[beast_http::field::set_cookie]);
      std::string value = cookie.substr(0, cookie.find(';'));
      auto body = nlohmann::json::parse(res.body(), nullptr, false);
      UseSession(value.substr(value.find('=') + 1),
                 body.is_object() ? body.value("csrf_token", "") : "");
    }
    return res;
  }
  void UseSession(std::string token, std::string csrf_token) {
    session_token_ = std::move(token);
    csrf_token_ = std::move(csrf_token);
  }
  // The session as raw header lines, for SendRaw.
  std::string SessionHeaders() const {
    return "Cookie: passerelle_session=" + session_token_ + "\r\nX-CSRF-Token: " + csrf_token_ + "\r\n";
  }
  HttpResponse Post(const std::string& target, const nlohmann::json& body) {
    return Send(beast_http::verb::post, target, body.dump());
  }
  HttpResponse Patch(const std::string& target, const nlohmann::json& body,
                     const HttpHeaders& headers = {}) {
    return Send(beast_http::verb::patch, target, body.dump(), headers);
  }
  HttpResponse Delete(const std::string& target, const HttpHeaders& headers = {}) {
    return Send(beast_http::verb::delete_, target, {}, headers);
  }

  // Writes raw bytes on a fresh connection and returns everything the server sends
  // until it closes the connection (or `timeout` passes): for malformed requests,
  // pipelining and oversized bodies.
  std::string SendRaw(const std::string& bytes,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    Disconnect();
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(Endpoint(io));
    boost::asio::write(stream.socket(), boost::asio::buffer(bytes));
    boost::system::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    std::string out;
    char buf[4096];
    std::function<void(boost::system::error_code, size_t)> on_read =
        [&](boost::system::error_code ec, size_t n) {
          out.append(buf, n);
          if (!ec) stream.async_read_some(boost::asio::buffer(buf), on_read);
        };
    stream.expires_after(timeout);
    stream.async_read_some(boost::asio::buffer(buf), on_read);
    io.run();
    return out;
  }

  void Disconnect() {
    if (stream_) {
      boost::system::error_code ec;
      stream_->socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      stream_->close();
    }
    stream_.reset();
    buffer_.clear();
  }

 private:
  boost::asio::ip::tcp::endpoint Endpoint(boost::asio::io_context& io) {
    boost::asio::ip::tcp::resolver resolver(io);
    return *resolver.resolve(host_, std::to_string(port_)).begin();
  }
  void Connect() {
    if (stream_) return;
    stream_.emplace(io_);
    auto endpoint = Endpoint(io_);
    WithDeadline([&](auto done) {
      stream_->async_connect(endpoint, [done](boost::system::error_code ec) { done(ec, 0); });
    });
  }
  // Runs one operation on the connection, failing with beast's timeout error past
  // `timeout` (Beast's time limits apply to asynchronous operations only).
  template <typename Start>
  void WithDeadline(Start start) {
    boost::system::error_code result;
    stream_->expires_after(timeout);
    start([&result](boost::system::error_code ec, std::size_t) { result = ec; });
    io_.restart();
    io_.run();
    if (result) throw boost::system::system_error(result);
  }

  std::string host_;
  uint16_t port_;
  std::string session_token_, csrf_token_;
  boost::asio::io_context io_;
  std::optional<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;

 public:
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

// The body of a response as JSON (discarded value when it is not JSON).
inline nlohmann::json JsonOf(const HttpResponse& res) {
  return nlohmann::json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
}

}  // namespace passerelle::testing
