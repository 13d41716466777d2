#include "node/core/json_text.h"
#include "tests/test_util.h"

using namespace passerelle;

TEST_CASE("JSON: malformed, too deep or non-UTF-8 text is refused naming the input", "[core][json]") {
  CHECK(core::ParseJson("{\"a\": 1}").ok());
  for (std::string bad : std::vector<std::string>{"{", "[1,]", "nul", "{\"a\":\"\xff\"}", std::string(1000, '[') + std::string(1000, ']')}) {
    auto r = core::ParseJson(bad, "body");
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().field() == "body");
  }
  // Brackets inside strings do not count towards depth.
  CHECK(core::ParseJson("{\"a\": \"" + std::string(100, '[') + "\"}").ok());
  CHECK(core::DumpJson(nlohmann::json("caf\xc3\xa9")) == "\"café\"");
}

TEST_CASE("JSON text: a key twice in one object is refused, naming it", "[core]") {
  auto r = core::ParseJson(R"({"data_dir": "/a", "member_id": "m", "data_dir": "/b"})", "config");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().field() == "config");
  CHECK(r.status().message().find("\"data_dir\" appears twice") != std::string::npos);
  auto nested = core::ParseJson(R"({"a": {"x": 1, "x": 2}})");
  REQUIRE_FALSE(nested.ok());
  CHECK(nested.status().field() == "body");
  CHECK(nested.status().message().find("\"x\"") != std::string::npos);
  // The same key in different objects is fine.
  CHECK(core::ParseJson(R"({"x": 1, "a": {"x": 2}, "b": [{"x": 3}, {"x": 4}]})").ok());
}

TEST_CASE("JSON text: a large body of many small objects parses (the duplicate-key pass is linear)", "[core]") {
  std::string text = "{\"a\":[";
  for (int i = 0; i < 300000; ++i) text += i ? ",{}" : "{}";
  text += "]}";
  auto r = core::ParseJson(text);
  REQUIRE(r.ok());
  CHECK((*r)["a"].size() == 300000);
}
