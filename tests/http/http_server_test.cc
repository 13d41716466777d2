// A real HttpServer on a loopback port (port 0), driven by the synchronous client of
// tests/http/http_client.h: REST round trips, limits, pipelining, traversal, Stop().
#include "node/http/http_server.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "node/core/json_text.h"
#include "node/service/seed_io.h"
#include "tests/http/fixture.h"
#include "tests/http/http_client.h"

namespace passerelle::http {
namespace {

using nlohmann::json;
using testing::Forum;
using testing::HttpClient;
using testing::Institution;
using testing::JsonOf;
using testing::TempDir;
using testing::TestNode;

// A node, a web root holding index.html (with TOP SECRET beside the root), a server.
struct Served {
  TestNode node;
  TempDir dir;
  std::unique_ptr<HttpServer> server;
  explicit Served(size_t max_body = 1 << 20) {
    std::filesystem::create_directories(dir.path() / "www");
    std::ofstream(dir.path() / "www" / "index.html") << "<title>Passerelle</title>";
    std::ofstream(dir.path() / "secret.txt") << "TOP SECRET";
    HttpOptions options;
    options.port = 0;
    options.web_root = (dir.path() / "www").string();
    options.max_body_bytes = max_body;
    options.sessions = &node.sessions().sessions;
    server = std::make_unique<HttpServer>(node.service(), options);
    REQUIRE_OK(server->Start());
    REQUIRE(server->port() != 0);
  }
  // A client logged in as the admin.
  HttpClient Client() {
    auto session = node.sessions().LoginAs("admin");
    return HttpClient("127.0.0.1", server->port(), session.token, session.csrf_token);
  }
};

TEST_CASE("Server: healthz, static index and REST round trip over a real socket", "[http]") {
  Served s;
  auto client = s.Client();
  auto health = client.Get("/healthz");
  REQUIRE(health.result_int() == 200);
  REQUIRE(JsonOf(health) == json{{"status", "ok"}});
  auto index = client.Get("/");
  REQUIRE(index.result_int() == 200);
  REQUIRE(index.body() == "<title>Passerelle</title>");

  REQUIRE(client.Post("/api/v1/institutions", Institution()).result_int() == 201);
  auto created = client.Post("/api/v1/forums", Forum("forum-1"));
  REQUIRE(created.result_int() == 201);
  REQUIRE(created[beast_http::field::location] == "/api/v1/forums/forum-1");
  auto list = client.Get("/api/v1/forums");
  REQUIRE(list.result_int() == 200);
  REQUIRE(JsonOf(list)["forums"].size() == 1);
  REQUIRE(JsonOf(list)["forums"][0]["participants_women"] == 108);

  auto patched =
      client.Patch("/api/v1/forums/forum-1", {{"location", "Lima"}}, {{"If-Match", "\"1\""}});
  REQUIRE(patched.result_int() == 200);
  auto stale =
      client.Patch("/api/v1/forums/forum-1", {{"location", "Quito"}}, {{"If-Match", "\"1\""}});
  REQUIRE(stale.result_int() == 412);
  REQUIRE(JsonOf(stale)["error"]["code"] == "aborted");
  REQUIRE(client.Delete("/api/v1/forums/forum-1", {{"If-Match", "2"}}).result_int() == 204);
  REQUIRE(client.Get("/api/v1/forums/forum-1").result_int() == 404);
}

TEST_CASE("Server: the five seed forums are listed with dates, places and participants", "[http]") {
  Served s;
  REQUIRE_OK(service::ImportSeed(s.node.service(), testing::SeedDir(), service::Caller{}));
  auto client = s.Client();
  auto res = client.Get("/api/v1/forums");
  REQUIRE(res.result_int() == 200);
  json forums = JsonOf(res)["forums"];
  std::ifstream in(testing::SeedDir() + "/forums.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto seed = core::ParseJson(text, "forums.json");
  REQUIRE_OK(seed);
  REQUIRE(forums.size() == 5);
  REQUIRE(seed->size() == 5);
  for (const auto& expected : *seed) {
    INFO(expected["id"]);
    auto it = std::find_if(forums.begin(), forums.end(),
                           [&](const json& f) { return f["id"] == expected["id"]; });
    REQUIRE(it != forums.end());
    for (const char* field : {"title", "start_date", "end_date", "location", "country",
                              "participants_total", "participants_women", "participants_men"})
      REQUIRE(it->value(field, json()) == expected.value(field, json()));
  }
}

TEST_CASE("Server: a body over the limit gets 413 and changes nothing", "[http]") {
  Served s(64 * 1024);
  auto client = s.Client();
  REQUIRE(client.Post("/api/v1/institutions", Institution()).result_int() == 201);
  json big = Forum("forum-big");
  big["notes"] = json::array();
  for (int i = 0; i < 100; ++i) big["notes"].push_back(std::string(1000, 'n'));
  auto res = client.Post("/api/v1/forums", big);
  REQUIRE(res.result_int() == 413);
  REQUIRE(JsonOf(res)["error"]["code"] == "resource_exhausted");
  REQUIRE(JsonOf(res)["error"]["field"] == "body");

  // The same with a body far bigger than any socket buffer: the answer still arrives.
  std::string huge =
      "POST /api/v1/forums HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 8388608\r\n\r\n" +
      std::string(8u << 20, ' ');
  std::string raw = client.SendRaw(huge);
  REQUIRE(raw.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(raw.find("exceeds 65536 bytes") != std::string::npos);  // the limit that applied

  // Headers over the limit: 431.
  std::string fat =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 * 1024, 'h') + "\r\n\r\n";
  REQUIRE(client.SendRaw(fat).rfind("HTTP/1.1 431", 0) == 0);
  REQUIRE(JsonOf(client.Get("/api/v1/forums"))["forums"].empty());
}

TEST_CASE("Server: a body for a route behind the session gate is not read without a session", "[http]") {
  Served s;
  auto client = s.Client();
  // Headers, then only part of the declared body: answered at once, body unread.
  const std::string head =
      "POST /api/v1/forums HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000000\r\n";
  std::string raw = client.SendRaw(head + "\r\n" + std::string(1000, ' '));
  REQUIRE(raw.rfind("HTTP/1.1 401", 0) == 0);
  CHECK(raw.find("\"unauthenticated\"") != std::string::npos);
  raw = client.SendRaw(head + "Cookie: passerelle_session=" + std::string(64, 'a') + "\r\n\r\n");
  REQUIRE(raw.rfind("HTTP/1.1 401", 0) == 0);  // an unknown session is no session
  // With the session, the body is read and judged: an empty forum is refused, 400.
  raw = client.SendRaw("POST /api/v1/forums HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 2\r\n" + client.SessionHeaders() + "\r\n{}");
  CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
  // The login itself takes a body without a session, a login's worth only (8 KiB): a
  // bigger one is refused before it is read, declared or chunked.
  raw = client.SendRaw("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 2\r\n\r\n{}");
  CHECK(raw.rfind("HTTP/1.1 400", 0) == 0);
  raw = client.SendRaw("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 1000000\r\n\r\n" + std::string(1000, ' '));
  CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(raw.find("8192 bytes") != std::string::npos);
  raw = client.SendRaw("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n3000\r\n" + std::string(0x3000, ' ') + "\r\n0\r\n\r\n");
  CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
  // Paths that take no body (the web client's files, health, metrics) read none.
  for (const char* path : {"/", "/index.html", "/healthz", "/readyz", "/metrics"}) {
    INFO(path);
    raw = client.SendRaw(std::string("POST ") + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" +
                         std::string(1000, ' '));
    CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
    CHECK(raw.find("takes no request body") != std::string::npos);
  }
  REQUIRE(JsonOf(client.Get("/api/v1/forums"))["forums"].empty());
}

TEST_CASE("Server: pipelined requests are answered in order on one connection", "[http]") {
  Served s;
  auto client = s.Client();
  std::string raw = client.SendRaw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/nothing HTTP/1.1\r\nHost: x\r\n" + client.SessionHeaders() + "\r\n"
      "GET /api/v1/node HTTP/1.1\r\nHost: x\r\n" + client.SessionHeaders() + "\r\n");
  size_t first = raw.find("HTTP/1.1 200");
  size_t second = raw.find("HTTP/1.1 404");
  size_t third = raw.find("HTTP/1.1 200", first + 1);
  REQUIRE(first == 0);
  REQUIRE(second != std::string::npos);
  REQUIRE(third != std::string::npos);
  REQUIRE(first < second);
  REQUIRE(second < third);
  REQUIRE(raw.find("quebec-consortium") > third);
}

TEST_CASE("Server: malformed HTTP gets 400 and the server keeps serving", "[http]") {
  Served s;
  auto client = s.Client();
  std::string raw = client.SendRaw("GARBAGE\r\n\r\n");
  REQUIRE(raw.rfind("HTTP/1.1 400", 0) == 0);
  raw = client.SendRaw("POST /api/v1/forums HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
  REQUIRE(raw.rfind("HTTP/1.1 400", 0) == 0);
  REQUIRE(client.Get("/healthz").result_int() == 200);
}

TEST_CASE("Server: traversal over the wire never serves a file outside web-client", "[http]") {
  Served s;
  auto client = s.Client();
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/..%5csecret.txt",
        "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd"}) {
    INFO(target);
    std::string raw = client.SendRaw(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE((raw.rfind("HTTP/1.1 400", 0) == 0 || raw.rfind("HTTP/1.1 404", 0) == 0));
    REQUIRE(raw.find("TOP SECRET") == std::string::npos);
    REQUIRE(raw.find("root:") == std::string::npos);
  }
}

TEST_CASE("Server: concurrent clients all get answers", "[http]") {
  Served s;
  {
    auto client = s.Client();
    REQUIRE(client.Post("/api/v1/institutions", Institution()).result_int() == 201);
  }
  std::atomic<int> created{0};
  const auto session = s.node.sessions().LoginAs("admin");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client("127.0.0.1", s.server->port());
      client.UseSession(session.token, session.csrf_token);
      for (int i = 0; i < 10; ++i) {
        auto res = client.Post("/api/v1/forums",
                               Forum("forum-" + std::to_string(t) + "-" + std::to_string(i)));
        if (res.result_int() == 201) ++created;
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(created == 80);
  auto client = s.Client();
  REQUIRE(JsonOf(client.Get("/api/v1/forums?page_size=1000"))["forums"].size() == 80);
}

TEST_CASE("Server: Stop closes idle keep-alive connections and is idempotent", "[http]") {
  Served s;
  auto client = s.Client();
  REQUIRE(client.Get("/healthz").result_int() == 200);  // connection now idle, kept alive
  s.server->Stop();
  s.server->Stop();
  REQUIRE_THROWS(client.Get("/healthz"));
}

TEST_CASE("Server: sessions over a real socket: cookie, CSRF, and throttling by the socket's address",
          "[http][accounts]") {
  Served s;
  REQUIRE_OK(s.node.sessions().accounts.Add({}, "amina", service::Role::kCoordinator,
                                            testing::kTestPassword));
  HttpClient anonymous("127.0.0.1", s.server->port());
  REQUIRE(anonymous.Get("/api/v1/forums").result_int() == 401);
  REQUIRE(anonymous.Get("/healthz").result_int() == 200);
  REQUIRE(anonymous.Get("/").result_int() == 200);  // static files are public

  HttpClient amina("127.0.0.1", s.server->port());
  auto login = amina.Login("amina", testing::kTestPassword);
  REQUIRE(login.result_int() == 200);
  REQUIRE(std::string(login[beast_http::field::set_cookie]).find("HttpOnly; SameSite=Strict") !=
          std::string::npos);
  REQUIRE(amina.Post("/api/v1/institutions", Institution()).result_int() == 201);
  auto no_token = amina.Send(beast_http::verb::post, "/api/v1/forums", Forum("f").dump(),
                             {{"X-CSRF-Token", "forged"}});
  REQUIRE(no_token.result_int() == 403);
  REQUIRE(JsonOf(no_token)["error"]["field"] == "X-CSRF-Token");

  // Five failures from this address, each for another name, block the address itself:
  // the server hands the socket's remote address to the handler.
  HttpClient guesser("127.0.0.1", s.server->port());
  for (int i = 0; i < 5; ++i)
    REQUIRE(guesser.Login("guess" + std::to_string(i), "wrong password").result_int() == 401);
  auto blocked = guesser.Login("amina", testing::kTestPassword);
  REQUIRE(blocked.result_int() == 429);
  REQUIRE(!blocked[beast_http::field::retry_after].empty());
  REQUIRE(amina.Get("/api/v1/institutions").result_int() == 200);  // live sessions go on
}

TEST_CASE("Server: binding a port in use fails naming the address", "[http]") {
  Served s;
  TestNode other;
  HttpOptions options;
  options.port = s.server->port();
  HttpServer second(other.service(), options);
  Status st = second.Start();
  REQUIRE(st.code() == Code::kUnavailable);
  REQUIRE(st.message().find("127.0.0.1:" + std::to_string(s.server->port())) != std::string::npos);
  options.address = "not-an-address";
  HttpServer third(other.service(), options);
  REQUIRE(third.Start().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace passerelle::http
