// Request targets: percent-decoding, segments and query parameters.
#include "node/http/target.h"

#include <catch2/catch.hpp>

#include "node/http/request_decoding.h"
#include "tests/test_util.h"

namespace passerelle::http {
namespace {

TEST_CASE("Target: path segments and query parameters are decoded", "[http]") {
  auto t = ParseTarget("/api/v1//forums/A07.1%2Fx/?page_size=2&q=a+b%20c&flag&=&x=%C3%A9");
  REQUIRE_OK(t);
  REQUIRE(t->path == "/api/v1//forums/A07.1/x/");
  REQUIRE(t->segments == std::vector<std::string>{"api", "v1", "forums", "A07.1/x"});
  REQUIRE(t->query.size() == 5);
  REQUIRE(t->query[0] == std::pair<std::string, std::string>{"page_size", "2"});
  REQUIRE(t->query[1].second == "a b c");
  REQUIRE(t->query[2] == std::pair<std::string, std::string>{"flag", ""});
  REQUIRE(t->query[4].second == "é");
}

TEST_CASE("Target: bad escapes, NUL bytes and absolute forms are refused", "[http]") {
  for (const char* bad : {"/a%2", "/a%zz", "/a%00b", "/?a=%00", "http://host/x", "", "*"}) {
    INFO(bad);
    auto t = ParseTarget(bad);
    REQUIRE_FALSE(t.ok());
    REQUIRE(t.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("Decoding: versions, masks and numbers", "[http]") {
  REQUIRE(*DecodeUnsigned("42", "n") == 42);
  for (const char* bad : {"", "-1", "1.5", "0x10", "99999999999999999999999", " 1"})
    REQUIRE(DecodeUnsigned(bad, "n").status().field() == "n");
  REQUIRE(*DecodeFieldMask("a, b ,c") == std::vector<std::string>{"a", "b", "c"});
  REQUIRE_FALSE(DecodeFieldMask("a,").ok());
}

}  // namespace
}  // namespace passerelle::http
