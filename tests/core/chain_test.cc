#include "node/core/chain.h"
#include "node/core/signing.h"
#include "tests/test_util.h"

using namespace passerelle::core;

namespace {

struct Chain {
  KeyPair key = KeyPairFromSeed("origin-a");
  std::vector<Op> ops;
  Chain(int n, bool sign_last = true) {
    std::string prev;
    for (int i = 1; i <= n; ++i) {
      Op op;
      op.origin = op.author = "a";
      op.seq = i;
      op.hlc = MakeHlc(1000 + i, 0);
      op.kind = "agreement";
      op.record_id = "agr-1";
      op.fields = {{"title", "v" + std::to_string(i)}};
      op.prev_hash = prev;
      prev = OpHash(op);
      ops.push_back(op);
    }
    if (sign_last) ops.back().signature = SignHash(key, OpHash(ops.back()));
  }
};

const Hlc kNow = MakeHlc(10'000, 0);

}  // namespace

TEST_CASE("Chain: a contiguous signed batch is accepted with one signature check", "[core][chain]") {
  Chain c(5);
  auto r = CheckBatch("a", c.key.public_key, {}, c.ops, kNow, 1000);
  CHECK(r.refusal == Refusal::kNone);
  // Continuing from a head: only ops after it are checked; earlier ones are duplicates.
  ChainHead head{2, OpHash(c.ops[1])};
  auto r2 = CheckBatch("a", c.key.public_key, head, c.ops, kNow, 1000);
  CHECK(r2.refusal == Refusal::kNone);
  CHECK(r2.already_have == 2);
}

TEST_CASE("Chain: forged, gapped, broken or future batches are refused with the reason", "[core][chain]") {
  Chain c(5);
  SECTION("a changed op breaks the signature over the chain") {
    auto ops = c.ops;
    ops[4].fields["title"] = "forged";
    CHECK(CheckBatch("a", c.key.public_key, {}, ops, kNow, 1000).refusal == Refusal::kBadSignature);
  }
  SECTION("a changed op in the middle breaks the chain") {
    auto ops = c.ops;
    ops[2].fields["title"] = "forged";
    CHECK(CheckBatch("a", c.key.public_key, {}, ops, kNow, 1000).refusal == Refusal::kBrokenChain);
  }
  SECTION("signed by another key") {
    auto ops = c.ops;
    ops.back().signature = SignHash(KeyPairFromSeed("mallory"), OpHash(ops.back()));
    CHECK(CheckBatch("a", c.key.public_key, {}, ops, kNow, 1000).refusal == Refusal::kBadSignature);
  }
  SECTION("unsigned head") {
    Chain unsigned_chain(3, false);
    CHECK(CheckBatch("a", unsigned_chain.key.public_key, {}, unsigned_chain.ops, kNow, 1000).refusal ==
          Refusal::kBadSignature);
  }
  SECTION("a gap after the receiver's head") {
    std::vector<Op> tail(c.ops.begin() + 2, c.ops.end());
    CHECK(CheckBatch("a", c.key.public_key, {}, tail, kNow, 1000).refusal == Refusal::kGap);
  }
  SECTION("an op dated too far ahead") {
    CHECK(CheckBatch("a", c.key.public_key, {}, c.ops, MakeHlc(1000, 0), 2).refusal == Refusal::kFutureClock);
  }
  SECTION("an op not dated after its predecessor") {
    Chain c2(3);
    auto ops = c2.ops;
    ops[2].hlc = ops[1].hlc;  // same timestamp twice from one origin
    std::string prev;
    for (auto& op : ops) {    // re-chain and re-sign so only the clock is wrong
      op.prev_hash = prev;
      prev = OpHash(op);
    }
    ops.back().signature = SignHash(c2.key, OpHash(ops.back()));
    CHECK(CheckBatch("a", c2.key.public_key, {}, ops, kNow, 1000).refusal == Refusal::kClockOrder);
  }
  SECTION("no key for the origin") {
    CHECK(CheckBatch("a", "", {}, c.ops, kNow, 1000).refusal == Refusal::kUnknownOrigin);
  }
}
