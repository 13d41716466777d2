// Static files through HandleRequest: index, content types, and traversal attempts
// that must never reach a file outside the web root.
#include "node/http/static_files.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "node/http/handler.h"
#include "tests/http/fixture.h"

namespace passerelle::http {
namespace {

using testing::MakeRequest;
using testing::TempDir;
using verb = beast_http::verb;

void Write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// <tmp>/secret.txt beside <tmp>/www/{index.html, app.js, css/style.css, .hidden}.
struct WebRoot {
  TempDir dir;
  std::string root = (dir.path() / "www").string();
  WebRoot() {
    Write(dir.path() / "secret.txt", "TOP SECRET");
    Write(dir.path() / "www" / "index.html", "<!doctype html><title>Passerelle</title>");
    Write(dir.path() / "www" / "app.js", "console.log(1);");
    Write(dir.path() / "www" / "css" / "style.css", "body{}");
    Write(dir.path() / "www" / ".hidden", "hidden");
    std::filesystem::create_symlink(dir.path() / "secret.txt", dir.path() / "www" / "link.txt");
  }
  Response Get(const std::string& target, verb method = verb::get) {
    Deps deps;
    deps.web_root = root;
    return HandleRequest(MakeRequest(method, target), deps);
  }
};

TEST_CASE("Static: / serves index.html with its content type", "[http]") {
  WebRoot w;
  auto res = w.Get("/");
  REQUIRE(res.result_int() == 200);
  REQUIRE(res.body().find("Passerelle") != std::string::npos);
  REQUIRE(res[beast_http::field::content_type] == "text/html; charset=utf-8");
  REQUIRE(res["X-Content-Type-Options"] == "nosniff");
  // The policy written out here, not read from the code under test: a weakened one
  // (an 'unsafe-inline', a lost directive) fails.
  const std::string csp(res["Content-Security-Policy"]);
  CHECK(csp == "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  CHECK(csp.find("unsafe") == std::string::npos);
  CHECK(res["X-Frame-Options"] == "DENY");
  // Revalidation: the same ETag gets 304 without a body; another gets the file.
  const std::string etag(res[beast_http::field::etag]);
  REQUIRE(etag.size() > 2);
  auto again = MakeRequest(beast_http::verb::get, "/");
  again.set(beast_http::field::if_none_match, "\"other\", " + etag);
  Deps deps;
  deps.web_root = w.root;
  auto not_modified = HandleRequest(again, deps);
  CHECK(not_modified.result_int() == 304);
  CHECK(not_modified.body().empty());
  again.set(beast_http::field::if_none_match, "\"other\"");
  CHECK(HandleRequest(again, deps).result_int() == 200);
  REQUIRE(w.Get("/index.html").body() == res.body());
  REQUIRE(w.Get("/app.js")[beast_http::field::content_type] == "text/javascript; charset=utf-8");
  auto css = w.Get("/css/style.css?v=2");
  REQUIRE(css.result_int() == 200);
  REQUIRE(css[beast_http::field::content_type] == "text/css; charset=utf-8");
  REQUIRE(w.Get("/css/").result_int() == 404);  // no index.html there
}

TEST_CASE("Static: HEAD gives the headers and length without the body", "[http]") {
  WebRoot w;
  auto res = w.Get("/app.js", verb::head);
  REQUIRE(res.result_int() == 200);
  REQUIRE(res.body().empty());
  REQUIRE(res[beast_http::field::content_length] == "15");
}

TEST_CASE("Static: traversal attempts are refused and never serve outside the root", "[http]") {
  WebRoot w;
  const char* attempts[] = {
      "/../secret.txt",
      "/..%2fsecret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E%2Fsecret.txt",
      "/css/../../secret.txt",
      "/css/%2e%2e/%2e%2e/secret.txt",
      "/..\\secret.txt",
      "/%5c..%5csecret.txt",
      "/link.txt",
      "/.hidden",
      "/%00index.html",
      "/index.html%00.js",
      "//etc/passwd",
      "/../../../../etc/passwd",
      "/%252e%252e/secret.txt",
      "/css/..%5c..%5csecret.txt",
  };
  for (const char* target : attempts) {
    INFO(target);
    auto res = w.Get(target);
    REQUIRE((res.result_int() == 400 || res.result_int() == 404));
    REQUIRE(res.body().find("TOP SECRET") == std::string::npos);
    REQUIRE(res.body().find("root:") == std::string::npos);
  }
  // "/css/../index.html" is refused too: ".." is never resolved, even inside the root.
  REQUIRE(w.Get("/css/../index.html").result_int() == 400);
}

TEST_CASE("Static: without a web root nothing is served; writes are refused", "[http]") {
  Deps deps;
  REQUIRE(HandleRequest(MakeRequest(verb::get, "/"), deps).result_int() == 404);
  WebRoot w;
  auto res = w.Get("/index.html", verb::post);
  REQUIRE(res.result_int() == 405);
  REQUIRE(res[beast_http::field::allow] == "GET, HEAD");
}

TEST_CASE("Static: MIME types follow the extension", "[http]") {
  REQUIRE(MimeType("a/b.HTML") == "text/html; charset=utf-8");
  REQUIRE(MimeType("x.svg") == "image/svg+xml");
  REQUIRE(MimeType("dir.d/noext") == "application/octet-stream");
  REQUIRE(MimeType("x.exe") == "application/octet-stream");
}

}  // namespace
}  // namespace passerelle::http
