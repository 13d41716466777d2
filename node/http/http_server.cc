#include "node/http/http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdio>
#include <exception>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "node/http/handler.h"
#include "node/http/session.h"
#include "node/log/log.h"

namespace passerelle::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// How long Stop() lets closed sessions unwind before stopping the io threads.
constexpr auto kStopGrace = std::chrono::seconds(5);
// Pause after a failed accept (e.g. out of file descriptors) instead of spinning.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

struct HttpServer::Impl {
  HttpOptions options;
  Deps deps;
  SessionRegistry registry;  // declared before io: outlives every session
  net::io_context io;
  tcp::acceptor acceptor{net::make_strand(io)};
  net::steady_timer accept_retry{acceptor.get_executor()};  // on the acceptor's strand
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;

  void Accept() {
    acceptor.async_accept(
        net::make_strand(io), [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
          if (ec) {
            // Errors such as EMFILE affect one accept only: wait a little, keep accepting.
            accept_retry.expires_after(kAcceptRetryDelay);
            accept_retry.async_wait([this](boost::system::error_code ec) {
              if (!ec && acceptor.is_open()) Accept();
            });
            return;
          }
          std::make_shared<Session>(std::move(socket), &deps,
                                    SessionLimits{options.max_body_bytes, options.read_timeout,
                                                  options.write_timeout},
                                    &registry)
              ->Run();
          Accept();
        });
  }

  void RunThread() {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        // Handlers catch their own errors; this keeps a bug from killing the server.
        PLOG_ERROR("http io thread: {}", e.what());
      } catch (...) {
        PLOG_ERROR("http io thread: unknown exception");
      }
    }
  }
};

HttpServer::HttpServer(service::RecordService* service, HttpOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->deps.service = service;
  impl_->deps.web_root = impl_->options.web_root;
  impl_->deps.federation_status = impl_->options.federation_status;
  impl_->deps.sessions = impl_->options.sessions;
  impl_->deps.secure_cookies = impl_->options.secure_cookies;
  impl_->deps.trusted_proxies = impl_->options.trusted_proxies;
  impl_->deps.readiness = impl_->options.readiness;
  impl_->deps.metrics_text = impl_->options.metrics_text;
  impl_->deps.equivalences = impl_->options.equivalences;
  impl_->deps.event_keep_alive = impl_->options.event_keep_alive;
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& s = *impl_;
  if (s.started) return Status(Code::kFailedPrecondition, "the HTTP server is already started");
  const std::string where = s.options.address + ":" + std::to_string(s.options.port);
  boost::system::error_code ec;
  auto address = net::ip::make_address(s.options.address, ec);
  if (ec)
    return Status::Invalid("http_address", "'" + s.options.address + "' is not an IP address");
  tcp::endpoint endpoint(address, s.options.port);
  auto fail = [&](const char* step) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    return Status(Code::kUnavailable,
                  std::string("cannot ") + step + " HTTP on " + where + ": " + ec.message(),
                  "http_address");
  };
  if (s.acceptor.open(endpoint.protocol(), ec); ec) return fail("open a socket for");
  if (s.acceptor.set_option(net::socket_base::reuse_address(true), ec); ec)
    return fail("configure");
  if (s.acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (s.acceptor.listen(net::socket_base::max_listen_connections, ec); ec)
    return fail("listen for");
  s.port = s.acceptor.local_endpoint(ec).port();
  s.started = true;
  s.Accept();
  const int n = std::max(1, s.options.threads);
  for (int i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.RunThread(); });
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
  Impl& s = *impl_;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  // The listening socket closes first, and for sure before the io threads stop: left
  // open, it would still queue new connections that nobody answers.
  auto acceptor_closed = std::make_shared<std::promise<void>>();
  auto closed = acceptor_closed->get_future();
  net::post(s.acceptor.get_executor(), [&s, acceptor_closed] {
    boost::system::error_code ec;
    s.acceptor.close(ec);
    s.accept_retry.cancel();
    acceptor_closed->set_value();
  });
  closed.wait_for(kStopGrace);
  s.registry.CloseAll();
  s.registry.WaitEmpty(std::chrono::duration_cast<std::chrono::milliseconds>(kStopGrace));
  s.io.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  boost::system::error_code ec;
  s.acceptor.close(ec);  // no thread runs now: safe; resets connections still queued
}

}  // namespace passerelle::http
