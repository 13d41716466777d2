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
