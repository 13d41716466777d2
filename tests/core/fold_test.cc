#include <algorithm>
#include <random>

#include "node/core/fold.h"
#include "tests/test_util.h"

using namespace passerelle;
using namespace passerelle::core;
using nlohmann::json;

namespace {

Op MakeOp(const std::string& origin, uint64_t seq, uint64_t ms, OpType type, json fields,
          const std::string& author = "") {
  Op op;
  op.origin = origin;
  op.seq = seq;
  op.hlc = MakeHlc(ms, 0);
  op.author = author.empty() ? origin : author;
  op.type = type;
  op.kind = "agreement";
  op.record_id = "agr-1";
  op.fields = std::move(fields);
  return op;
}

std::vector<Op> History() {
  return {
      MakeOp("a", 1, 100, OpType::kCreate, {{"title", "T0"}, {"kind", "mou"}, {"owners", {"a", "b"}}}),
      MakeOp("b", 1, 200, OpType::kUpdate, {{"title", "T-b"}}),
      MakeOp("a", 2, 200, OpType::kUpdate, {{"title", "T-a"}, {"place", "Rabat"}}),  // same ms: origin breaks the tie
      MakeOp("c", 1, 250, OpType::kUpdate, {{"place", "Lima"}}),                    // c is no owner
      MakeOp("b", 2, 300, OpType::kUpdate, {{"kind", nullptr}}),
  };
}

}  // namespace

TEST_CASE("Fold: the state is the same whatever order the ops arrive in", "[core][fold]") {
  auto ops = History();
  RecordState reference = Fold(ops);
  CHECK(reference.fields == json{{"title", "T-b"}, {"place", "Rabat"}});
  CHECK(reference.version == 4);
  CHECK(reference.owners == std::vector<std::string>{"a", "b"});
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::shuffle(ops.begin(), ops.end(), rng);
    auto with_dups = ops;
    with_dups.push_back(ops[i % ops.size()]);
    RecordState s = Fold(with_dups);
    CHECK(s.fields == reference.fields);
    CHECK(s.version == reference.version);
    CHECK(EncodeRecordState(s) == EncodeRecordState(reference));
  }
}

TEST_CASE("Fold: a non-owner's op has no effect and is reported", "[core][fold]") {
  RecordState s;
  auto ops = History();
  std::swap(ops[1], ops[2]);  // fold order: (hlc, origin)
  std::vector<OpEffect> effects;
  for (auto& op : ops) {
    REQUIRE(SortsAfter(s, op));
    effects.push_back(Apply(&s, op));
  }
  CHECK(effects[3] == OpEffect::kNotOwner);
  CHECK(!s.fields.contains("kind"));
  CHECK(s.fields["place"] == "Rabat");
}

TEST_CASE("Fold: owners change only through a current owner", "[core][fold]") {
  RecordState s;
  Apply(&s, MakeOp("a", 1, 100, OpType::kCreate, {{"title", "T"}, {"owners", {"a"}}}));
  CHECK(Apply(&s, MakeOp("b", 1, 200, OpType::kUpdate, {{"owners", {"a", "b"}}})) == OpEffect::kNotOwner);
  CHECK(Apply(&s, MakeOp("a", 2, 300, OpType::kUpdate, {{"owners", {"a", "b"}}})) == OpEffect::kApplied);
  CHECK(Apply(&s, MakeOp("b", 2, 400, OpType::kUpdate, {{"title", "by b"}})) == OpEffect::kApplied);
  CHECK(s.fields["title"] == "by b");
  // A create whose owners exclude its author is malformed.
  RecordState t;
  CHECK(Apply(&t, MakeOp("a", 1, 100, OpType::kCreate, {{"title", "T"}, {"owners", {"b"}}})) == OpEffect::kBadOwners);
  CHECK(!t.exists);
}

TEST_CASE("Fold: delete is a tombstone; updates after it have no effect", "[core][fold]") {
  RecordState s;
  Apply(&s, MakeOp("a", 1, 100, OpType::kCreate, {{"title", "T"}, {"owners", {"a"}}}));
  CHECK(Apply(&s, MakeOp("a", 2, 200, OpType::kDelete, json::object())) == OpEffect::kApplied);
  CHECK(s.deleted);
  CHECK(!s.live());
  CHECK(Apply(&s, MakeOp("a", 3, 300, OpType::kUpdate, {{"title", "X"}})) == OpEffect::kNoRecord);
  auto decoded = DecodeRecordState(EncodeRecordState(s));
  REQUIRE_OK(decoded);
  CHECK(decoded->deleted);
  CHECK(decoded->fields == s.fields);
}
