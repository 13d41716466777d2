#include "node/core/op.h"
#include "tests/test_util.h"

using namespace passerelle;
using namespace passerelle::core;

namespace {
Op SampleOp() {
  Op op;
  op.origin = "quebec-consortium";
  op.seq = 42;
  op.hlc = MakeHlc(1'700'000'000'000, 3);
  op.author = "quebec-consortium";
  op.user = "alice";
  op.type = OpType::kUpdate;
  op.kind = "agreement";
  op.record_id = "agr-inmq-maroc-2020";
  op.fields = {{"status", "signed"}, {"place", "Toronto (PDAC 2020)"}, {"notes", nullptr}};
  op.prev_hash = std::string(kOpHashBytes, '\x07');
  return op;
}
}  // namespace

TEST_CASE("Op: encode then decode gives the same op", "[core][op]") {
  Op op = SampleOp();
  op.signature = std::string(64, 's');
  auto decoded = DecodeOp(EncodeOp(op));
  REQUIRE_OK(decoded);
  CHECK(decoded->origin == op.origin);
  CHECK(decoded->seq == 42);
  CHECK(decoded->hlc == op.hlc);
  CHECK(decoded->user == "alice");
  CHECK(decoded->type == OpType::kUpdate);
  CHECK(decoded->fields == op.fields);
  CHECK(decoded->prev_hash == op.prev_hash);
  CHECK(decoded->signature == op.signature);
  CHECK(OpHash(*decoded) == OpHash(op));
}

TEST_CASE("Op: the hash covers every field but the signature", "[core][op]") {
  Op op = SampleOp();
  std::string h = OpHash(op);
  CHECK(h.size() == kOpHashBytes);
  Op signed_op = op;
  signed_op.signature = "sig";
  CHECK(OpHash(signed_op) == h);
  Op changed = op;
  changed.fields["status"] = "active";
  CHECK(OpHash(changed) != h);
  changed = op;
  changed.seq++;
  CHECK(OpHash(changed) != h);
  changed = op;
  changed.prev_hash[0] = 'x';
  CHECK(OpHash(changed) != h);
}

TEST_CASE("Op: truncated, extended or corrupted bytes are refused cleanly", "[core][op]") {
  std::string bytes = EncodeOp(SampleOp());
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    CHECK_FALSE(DecodeOp(std::string_view(bytes).substr(0, cut)).ok());
  CHECK_FALSE(DecodeOp(bytes + "x").ok());
  std::string bad_type = bytes;
  CHECK_FALSE(DecodeOp("").ok());
  CHECK_FALSE(DecodeOp(std::string(10, '\xff')).ok());
  CHECK(DecodeOp(std::string(kMaxOpBytes + 1, '\0')).status().code() == Code::kInvalidArgument);
}
