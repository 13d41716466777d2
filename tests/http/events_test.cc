// Search, dashboard and changes over REST, and Server-Sent Events on a real HttpServer
// (loopback, port 0) over a RecordService on RocksDB: a write reaches open streams,
// other requests are served while many streams are open, the number of streams is
// bounded, and Stop() returns with streams open.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "node/http/http_server.h"
#include "node/http/session.h"
#include "node/service/change_feed.h"
#include "tests/http/http_client.h"
#include "tests/http/test_sessions.h"
#include "tests/service/fixture.h"

namespace passerelle::http {
namespace {

using nlohmann::json;
using testing::HttpClient;
using testing::ServiceFixture;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr auto kDeadline = std::chrono::seconds(10);

// One raw connection reading an event stream; WaitFor reads until a text arrives.
class SseStream {
 public:
  // `session`: the session token sent as the cookie ("" sends none).
  SseStream(uint16_t port, const std::string& target, const std::string& session,
            bool accept_events = true)
      : socket_(io_) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n";
    if (!session.empty()) req += "Cookie: passerelle_session=" + session + "\r\n";
    if (accept_events) req += "Accept: text/event-stream\r\n";
    req += "\r\n";
    net::write(socket_, net::buffer(req));
  }
  // True once `needle` appeared after position `from` of everything received.
  bool WaitFor(const std::string& needle, size_t from = 0) {
    auto until = Clock::now() + kDeadline;
    while (received_.find(needle, from) == std::string::npos) {
      if (!ReadSome(until)) return false;
    }
    return true;
  }
  // True when the server closes the connection before the deadline.
  bool WaitClosed() {
    auto until = Clock::now() + kDeadline;
    while (ReadSome(until)) {
    }
    return closed_;
  }
  const std::string& received() const { return received_; }

 private:
  bool ReadSome(Clock::time_point until) {
    if (closed_) return false;
    bool done = false;
    boost::system::error_code error;
    size_t got = 0;
    socket_.async_read_some(net::buffer(buf_), [&](boost::system::error_code ec, size_t n) {
      done = true;
      error = ec;
      got = n;
    });
    io_.restart();
    io_.run_until(until);
    if (!done) {
      socket_.cancel();
      io_.restart();
      io_.run();
      return false;
    }
    received_.append(buf_, got);
    if (error) closed_ = true;
    return !error;
  }
  net::io_context io_;
  net::ip::tcp::socket socket_;
  char buf_[4096];
  std::string received_;
  bool closed_ = false;
};

struct Served {
  ServiceFixture node;
  testing::TestSessions sessions{node.store.get()};
  std::string session;  // an admin's session token, for the event streams
  std::unique_ptr<HttpServer> server;
  explicit Served(std::chrono::milliseconds keep_alive = std::chrono::seconds(15),
                  std::chrono::milliseconds io_timeout = std::chrono::seconds(30)) {
    HttpOptions options;
    options.port = 0;
    options.event_keep_alive = keep_alive;
    options.read_timeout = options.write_timeout = io_timeout;
    options.sessions = &sessions.sessions;
    server = std::make_unique<HttpServer>(node.service.get(), options);
    REQUIRE_OK(server->Start());
    session = sessions.LoginAs("admin").token;
  }
  HttpClient Client() {
    auto s = sessions.LoginAs("admin");
    return HttpClient("127.0.0.1", server->port(), s.token, s.csrf_token);
  }
  void Create(const std::string& id, const std::string& name) {
    REQUIRE_OK(node.service->Create(
        "institutions", {{"id", id}, {"name", name}, {"type", "college"}, {"country", "CA"}}, node.caller));
  }
};

json Body(const testing::HttpResponse& res) { return json::parse(res.body()); }

TEST_CASE("Feeds over REST: search, dashboard, changes", "[http][feeds]") {
  Served s;
  s.Create("inmq", "Institut national des mines du Québec");
  auto client = s.Client();
  auto found = client.Get("/api/v1/search?q=qu%C3%A9b&kind=institutions");
  REQUIRE(found.result_int() == 200);
  CHECK(Body(found) == json{{"query", "québ"},
                            {"results", {{{"kind", "institution"}, {"id", "inmq"},
                                          {"title", "Institut national des mines du Québec"},
                                          {"snippet", ""}}}}});
  CHECK(Body(client.Get("/api/v1/search?q=QUEBEC+min"))["results"].size() == 1);
  CHECK(Body(client.Get("/api/v1/search?q=queb+mines"))["results"].size() == 0);  // only the last word is a prefix
  for (const char* bad : {"/api/v1/search", "/api/v1/search?q=", "/api/v1/search?q=a&limit=0",
                          "/api/v1/search?q=a&limit=x", "/api/v1/search?q=a&kind=nope",
                          "/api/v1/search?q=a&color=red", "/api/v1/search?q=a&q=b",
                          "/api/v1/dashboard?today=2026-13-01", "/api/v1/changes?limit=0",
                          "/api/v1/changes?limit=201"}) {
    INFO(bad);
    auto res = client.Get(bad);
    CHECK(res.result_int() == 400);
    CHECK(Body(res)["error"]["code"] == "invalid_argument");
  }
  CHECK(Body(client.Get("/api/v1/search"))["error"]["field"] == "q");
  CHECK(Body(client.Get("/api/v1/dashboard?today=tomorrow"))["error"]["field"] == "today");
  CHECK(client.Send(testing::beast_http::verb::post, "/api/v1/search?q=a", "{}").result_int() == 405);

  auto dash = client.Get("/api/v1/dashboard?today=2026-11-24");
  REQUIRE(dash.result_int() == 200);
  CHECK(Body(dash)["today"] == "2026-11-24");
  CHECK(Body(dash)["counts"]["institutions"] == 1);
  for (const char* key : {"expiring_agreements", "late_deliverables", "indicators_behind", "recent_remote_changes"})
    CHECK(Body(dash)[key].is_array());

  auto changes = client.Get("/api/v1/changes?limit=5");
  REQUIRE(changes.result_int() == 200);
  CHECK(Body(changes)["generation"] == s.node.service->Generation());
  CHECK(Body(changes)["changes"] == json::array({{{"kind", "institution"}, {"id", "inmq"},
                                                  {"title", "Institut national des mines du Québec"},
                                                  {"origin", "quebec-consortium"}, {"user", "alice"},
                                                  {"at", Body(changes)["changes"][0]["at"]},
                                                  {"type", "create"}, {"remote", false}}}));
  // Without "Accept: text/event-stream", /api/v1/events is still the events collection.
  auto events = client.Get("/api/v1/events");
  REQUIRE(events.result_int() == 200);
  CHECK(Body(events).contains("events"));
}

TEST_CASE("Events: a stream needs a session", "[http][events]") {
  Served s;
  for (std::string session : {std::string(), std::string(64, 'a')}) {
    SseStream stream(s.server->port(), "/api/v1/events", session);
    REQUIRE(stream.WaitFor("\r\n\r\n"));
    CHECK(stream.received().rfind("HTTP/1.1 401", 0) == 0);
    CHECK(stream.received().find("text/event-stream") == std::string::npos);
  }
}

TEST_CASE("Events: a stream ends once its session does, not before", "[http][events]") {
  Served s(std::chrono::milliseconds(50));
  SseStream kept(s.server->port(), "/api/v1/events", s.session);
  auto other = s.sessions.LoginAs("admin").token;
  SseStream ended(s.server->port(), "/api/v1/events", other);
  REQUIRE(kept.WaitFor(": connected\n\n"));
  REQUIRE(ended.WaitFor(": connected\n\n"));
  REQUIRE(ended.WaitFor(": keep-alive\n\n"));  // checked and kept while the session lives
  s.sessions.sessions.Logout(other);
  CHECK(ended.WaitClosed());
  size_t mark = kept.received().size();
  CHECK(kept.WaitFor(": keep-alive\n\n", mark));  // the other session's stream goes on
}

TEST_CASE("Events: a stream outlives the request read and write time limits", "[http][events]") {
  // Time limits of 200 ms, a keep-alive every 20 ms: 50 keep-alives take 1 s, five
  // times the limits (the stream once ended when its first write's limit ran out).
  Served s(std::chrono::milliseconds(20), std::chrono::milliseconds(200));
  SseStream stream(s.server->port(), "/api/v1/events", s.session);
  REQUIRE(stream.WaitFor(": connected\n\n"));
  const std::string keep_alive = ": keep-alive\n\n";
  size_t from = stream.received().size();
  for (int i = 0; i < 50; ++i) {
    INFO("keep-alive " << i);
    REQUIRE(stream.WaitFor(keep_alive, from));
    from = stream.received().find(keep_alive, from) + keep_alive.size();
  }
  s.Create("inst-late", "Institut");
  CHECK(stream.WaitFor("\"id\":\"inst-late\"", from));
}

TEST_CASE("Events: one user holds at most kMaxStreamsPerUser streams, over any sessions", "[http][events]") {
  Served s;
  std::vector<std::unique_ptr<SseStream>> streams;
  for (size_t i = 0; i < kMaxStreamsPerUser; ++i) {
    const std::string session = i % 2 ? s.session : s.sessions.LoginAs("admin").token;
    streams.push_back(std::make_unique<SseStream>(s.server->port(), "/api/v1/events", session));
    REQUIRE(streams.back()->WaitFor(": connected\n\n"));
  }
  SseStream refused(s.server->port(), "/api/v1/events", s.sessions.LoginAs("admin").token);
  REQUIRE(refused.WaitFor("\r\n\r\n"));
  CHECK(refused.received().rfind("HTTP/1.1 429", 0) == 0);  // a fresh login of the same user
  SseStream other(s.server->port(), "/api/v1/events", s.sessions.LoginAs("viewer-2").token);
  CHECK(other.WaitFor(": connected\n\n"));  // another login is not affected
  streams.pop_back();                        // a closed stream is given back
  bool reopened = false;
  for (auto until = Clock::now() + kDeadline; !reopened && Clock::now() < until;) {
    SseStream again(s.server->port(), "/api/v1/events", s.session);
    REQUIRE(again.WaitFor("\r\n\r\n"));
    reopened = again.received().rfind("HTTP/1.1 200", 0) == 0;
  }
  CHECK(reopened);
}

TEST_CASE("Events: a write reaches an open stream", "[http][events]") {
  Served s;
  for (const char* target : {"/api/v1/events", "/api/v1/changes/stream"}) {
    INFO(target);
    SseStream stream(s.server->port(), target, s.session);
    REQUIRE(stream.WaitFor(": connected\n\n"));
    CHECK(stream.received().rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(stream.received().find("Content-Type: text/event-stream\r\n") != std::string::npos);
    size_t mark = stream.received().size();
    std::string id = std::string("inst-") + (target[8] == 'e' ? "a" : "b");
    s.Create(id, "Institut");
    REQUIRE(stream.WaitFor("event: change\ndata: {\"generation\":" + std::to_string(s.node.service->Generation()) +
                               ",\"id\":\"" + id + "\",\"kind\":\"institution\",\"origin\":\"quebec-consortium\"}\n\n",
                           mark));
  }
}

TEST_CASE("Events: many open streams do not stop other requests; the count is bounded; Stop returns",
          "[http][events]") {
  Served s;
  // Many users: each holds at most kMaxStreamsPerUser streams.
  int users = 0;
  auto login = [&] { return s.sessions.LoginAs("user-" + std::to_string(users++)).token; };
  std::vector<std::unique_ptr<SseStream>> streams;
  for (int i = 0; i < 50; ++i) {
    streams.push_back(std::make_unique<SseStream>(s.server->port(), "/api/v1/events", login()));
    REQUIRE(streams.back()->WaitFor(": connected\n\n"));
  }
  auto client = s.Client();
  for (int i = 0; i < 20; ++i) {
    REQUIRE(client.Get("/healthz").result_int() == 200);
    REQUIRE(client.Get("/api/v1/search?q=abc").result_int() == 200);
  }
  REQUIRE(client.Post("/api/v1/institutions", {{"id", "inmq"}, {"name", "INMQ"}, {"type", "college"}})
              .result_int() == 201);
  for (auto& stream : streams) REQUIRE(stream->WaitFor("\"id\":\"inmq\""));

  // Up to the bound, then 503.
  while (s.node.service->changes().subscribers() < service::kMaxChangeSubscribers) {
    streams.push_back(std::make_unique<SseStream>(s.server->port(), "/api/v1/events", login()));
    REQUIRE(streams.back()->WaitFor(": connected\n\n"));
  }
  SseStream refused(s.server->port(), "/api/v1/events", login());
  REQUIRE(refused.WaitFor("\r\n\r\n"));
  CHECK(refused.received().rfind("HTTP/1.1 503", 0) == 0);
  CHECK(refused.WaitClosed());
  REQUIRE(client.Get("/healthz").result_int() == 200);

  // A stream whose client goes away is let go.
  streams.pop_back();
  auto until = Clock::now() + kDeadline;
  while (s.node.service->changes().subscribers() >= service::kMaxChangeSubscribers && Clock::now() < until)
    s.node.service->WaitForChange(s.node.service->Generation(), 10);  // a bounded wait, not a sleep
  CHECK(s.node.service->changes().subscribers() == service::kMaxChangeSubscribers - 1);

  // Stop does not wait for open streams to reach their next keep-alive (15 s): the
  // bound is the behaviour, kept well under that and loose for a loaded machine.
  auto start = Clock::now();
  s.server->Stop();
  auto took = Clock::now() - start;
  CHECK(took < std::chrono::seconds(10));
  for (size_t i = 0; i < 10; ++i) CHECK(streams[i]->WaitClosed());
  CHECK(s.node.service->changes().subscribers() == 0);
}

TEST_CASE("Events: a client that stops reading is let go, not buffered for ever", "[http][events]") {
  Served s;
  // A client with a small receive window that reads the stream's start, then nothing.
  net::io_context io;
  net::ip::tcp::socket stalled(io);
  stalled.open(net::ip::tcp::v4());
  stalled.set_option(net::socket_base::receive_buffer_size(4096));
  stalled.connect({net::ip::make_address("127.0.0.1"), s.server->port()});
  net::write(stalled, net::buffer("GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nCookie: passerelle_session=" +
                                  s.session + "\r\nAccept: text/event-stream\r\n\r\n"));
  // Its subscription counted (polled with a deadline: the stream has no event to await).
  auto subscribed = Clock::now() + kDeadline;
  while (s.node.service->changes().subscribers() == 0 && Clock::now() < subscribed)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const size_t streams = s.node.service->changes().subscribers();
  REQUIRE(streams == 1);
  // Commits until the node lets the stream go: past kMaxPendingEventBytes queued (once
  // the kernel's buffers are full), or a write stuck for the write timeout.
  auto until = Clock::now() + std::chrono::seconds(120);
  int created = 0;
  while (s.node.service->changes().subscribers() >= streams && Clock::now() < until && created < 200000) {
    for (int i = 0; i < 500; ++i, ++created) s.Create("inst-flood-" + std::to_string(created), "Institut");
  }
  INFO(created << " records created");
  CHECK(s.node.service->changes().subscribers() == streams - 1);
  // The node still answers, and a reading client still gets its events.
  HttpClient client("127.0.0.1", s.server->port());
  CHECK(client.Get("/healthz").result_int() == 200);
  SseStream reader(s.server->port(), "/api/v1/events", s.session);
  REQUIRE(reader.WaitFor(": connected\n\n"));
  s.Create("inst-after-flood", "Institut");
  CHECK(reader.WaitFor("\"id\":\"inst-after-flood\""));
}

}  // namespace
}  // namespace passerelle::http
