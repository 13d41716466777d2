#include "node/core/cbor.h"
#include "tests/test_util.h"

using namespace passerelle;

TEST_CASE("CBOR: round trip, and malformed, deep or non-finite input refused", "[core][cbor]") {
  nlohmann::json doc = {{"title", "Cégep"}, {"n", 3}, {"x", 1.5}, {"list", {1, "a", nullptr}}};
  auto back = core::ParseCbor(core::ToCbor(doc), "fields");
  REQUIRE_OK(back);
  CHECK(*back == doc);

  auto refused = [](std::string bytes) {
    auto r = core::ParseCbor(bytes, "op.fields");
    return !r.ok() && r.status().code() == Code::kInvalidArgument &&
           r.status().field() == "op.fields";
  };
  // {"": NaN} as float16, float32 and float64; {"": +inf} as float32 (found by fuzz_op_decode).
  CHECK(refused(std::string("\xa1\x60\xf9\x7e\x00", 5)));
  CHECK(refused(std::string("\xa1\x60\xfa\xff\xf8\x01\x00", 7)));
  CHECK(refused(std::string("\xa1\x60\xfb\x7f\xf8\x00\x00\x00\x00\x00\x00", 11)));
  CHECK(refused(std::string("\xa1\x60\xfa\x7f\x80\x00\x00", 7)));
  CHECK(refused(std::string("\xa1\x60", 2)));                        // truncated
  CHECK(refused(std::string(200, '\x81') + std::string(1, '\x00')));  // nested too deeply
  CHECK(refused(std::string("\xa0\x00", 2)));                         // trailing bytes
  // A finite float16 is fine.
  auto half = core::ParseCbor(std::string("\xa1\x60\xf9\x3c\x00", 5), "op.fields");
  REQUIRE_OK(half);
  CHECK((*half)[""] == 1.0);
}
