// One HTTP/1.1 connection: reads a request (header limit, body limit, read timeout,
// "Expect: 100-continue"), answers it with HandleRequest, and loops while keep-alive.
// Pipelined requests are answered one at a time, in order. Any exception from handling
// becomes a 500 JSON error; oversized requests get 413/431 and a lingering close so
// the client reads the answer. All work of a session runs on its own strand.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "node/http/handler.h"
#include "node/http/types.h"

namespace passerelle::http {

// Each tuning value below is a bound on what one client can hold on the node.
constexpr size_t kMaxHeaderBytes = 16 * 1024;             // request line + headers; beyond: 431
constexpr auto kLingerTimeout = std::chrono::seconds(5);  // draining after a refusal
constexpr size_t kMaxLingerBytes = 64u << 20;             // drained at most, then the socket closes
constexpr size_t kMaxStreamsPerUser = 16;  // event streams one user may hold open

// Set from HttpOptions (http_server.h), where they are described.
struct SessionLimits {
  size_t max_body_bytes;
  std::chrono::milliseconds read_timeout, write_timeout;
};

class Session;

// The live sessions of a server, so Stop() can close them. Thread-safe.
class SessionRegistry {
 public:
  // False once CloseAll() has run: the new session must close at once.
  bool Add(const std::shared_ptr<Session>& session);
  void Remove(const Session* session);
  // Refuses new sessions and asks every live one to close.
  void CloseAll();
  // True when no session is left before `timeout`.
  bool WaitEmpty(std::chrono::milliseconds timeout);
  bool stopping() const;
  // One more event stream for `username`, whatever session it uses; false when the user
  // holds kMaxStreamsPerUser (the node's streams are shared by every user).
  // StreamClosed gives it back.
  bool StreamOpened(const std::string& username);
  void StreamClosed(const std::string& username);

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, size_t> streams_;  // by username. Guarded by mu_
  std::condition_variable empty_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;  // Guarded by mu_
  bool stopping_ = false;                                                // Guarded by mu_
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `deps` and `registry` must outlive the session.
  Session(boost::asio::ip::tcp::socket&& socket, const Deps* deps, SessionLimits limits,
          SessionRegistry* registry);
  ~Session();

  void Run();
  // Thread-safe: closes the connection on the session's strand. A response being
  // written is finished first (drain on SIGTERM: an answered request is never cut).
  void Close();

 private:
  enum class After { kKeepAlive, kClose, kLinger };

  void DoRead();
  void OnHeader(boost::beast::error_code ec, size_t bytes);
  void ReadBody();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  void OnReadError(boost::beast::error_code ec);
  Response BodyTooLarge(unsigned version) const;  // 413 naming body_limit_
  Response SafeHandle(const Request& request);
  void Send(Response response, After after);
  void OnWrite(After after, boost::beast::error_code ec, size_t bytes);
  void Shutdown();
  void Linger();
  void Drain();

  // Server-Sent Events (event_stream.h; session_events.cc), all on the strand.
  // `request` is the one that opened it: the stream ends once its session does.
  void StartEventStream(const Request& request, const Response& response);
  void QueueEvents(std::string text);
  void WriteEvents();
  void ArmKeepAlive();
  void CloseEvents();  // unsubscribes, stops the timer, closes the socket
  void ReleaseStream();  // gives the stream back to the registry's count, once
  uint64_t subscription_ = 0;  // ChangeFeed subscription; 0 when not streaming
  std::string events_session_;  // the session cookie the stream was opened with
  std::string events_user_;     // its user, as counted in the registry's streams
  bool events_counted_ = false;
  std::unique_ptr<boost::asio::steady_timer> keep_alive_;
  std::string events_pending_, events_writing_;
  bool events_write_busy_ = false;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const Deps* deps_;
  std::string client_address_;  // the peer's IP, for login throttling
  SessionLimits limits_;
  uint64_t body_limit_ = 0;  // the current request's (GateBody)
  SessionRegistry* registry_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  std::unique_ptr<beast_http::response<beast_http::empty_body>> continue_;
  Response response_;  // alive while being written
  std::vector<char> drain_;
  size_t drain_left_ = 0;
  bool closing_ = false;  // set on the strand by Close()
  bool writing_ = false;  // a response is being written (on the strand)
};

}  // namespace passerelle::http
