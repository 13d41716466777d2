// The node's HTTP server: REST/JSON under /api/v1, /healthz, and the web client's
// static files, over Boost.Beast with `threads` io threads. Start() binds and returns
// at once; Stop() (also run by the destructor) stops accepting, closes every
// connection and joins the threads. Start and Stop are not to be called concurrently,
// nor Stop from a request handler.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "node/service/federation_status.h"
#include "storage/status.h"

namespace passerelle::service {
class RecordService;
class SessionManager;
class EquivalenceService;
}

namespace passerelle::http {

struct HttpOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8081;             // 0 = let the system pick (see port())
  std::string web_root;             // directory of web-client/; empty = no static files
  size_t max_body_bytes = 1 << 20;  // larger request bodies get 413
  int threads = 2;                  // io threads; at least 1
  service::FederationStatusFn federation_status;  // GET /api/v1/federation/status; empty: lone node
  // Logins and sessions (must outlive the server); null: /api/v1 answers 401 (no accounts).
  service::SessionManager* sessions = nullptr;
  bool secure_cookies = false;  // mark the session cookie Secure (served behind HTTPS)
  std::vector<std::string> trusted_proxies;  // see Deps (handler.h)
  std::function<nlohmann::json()> readiness;       // GET /readyz (see handler.h)
  std::function<std::string()> metrics_text;       // GET /metrics (see handler.h)
  service::EquivalenceService* equivalences = nullptr;  // must outlive the server; null: see Deps
  std::chrono::milliseconds event_keep_alive{15000};   // see Deps
  std::chrono::milliseconds read_timeout{30000};   // for a request to arrive (slowloris bound)
  std::chrono::milliseconds write_timeout{30000};  // for a client to take an answer or event
};

class HttpServer {
 public:
  // `service` must outlive the server.
  HttpServer(service::RecordService* service, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. INVALID_ARGUMENT for a bad address, UNAVAILABLE when the
  // address cannot be bound (in use, not local); both messages name address:port.
  // FAILED_PRECONDITION when already started.
  Status Start();
  // The bound port (the picked one when options.port was 0); 0 before Start().
  uint16_t port() const;
  // Idempotent. Stops accepting, closes idle connections, lets responses being
  // written finish (up to a grace bound), then stops; no handler runs after it returns.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::http
