// libFuzzer target over the stored binary formats: DecodeOp and DecodeRecordState on raw
// bytes. Never crashes; refusals carry the documented codes; whatever decodes re-encodes
// to bytes that decode to the same thing (encoding is a fixed point after one round).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "node/core/fold.h"
#include "node/core/json_text.h"
#include "node/core/op.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace passerelle;

void FuzzOp(std::string_view in) {
  auto op = core::DecodeOp(in);
  if (!op.ok()) {
    FUZZ_CHECK(op.status().code() == Code::kInvalidArgument, op.status().ToString());
    return;
  }
  FUZZ_CHECK(op->fields.is_object(), "decoded fields are not an object");
  FUZZ_CHECK(core::OpHash(*op).size() == core::kOpHashBytes, "hash size");
  std::string bytes = core::EncodeOp(*op);
  auto again = core::DecodeOp(bytes);
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK(again->fields == op->fields && again->record_id == op->record_id &&
                 again->seq == op->seq && again->hlc == op->hlc && again->type == op->type,
             "op round trip changed the op");
  FUZZ_CHECK(core::EncodeOp(*again) == bytes, "op encoding is not stable");

  // Fold it into an empty record (the fold's precondition permitting) and show it.
  core::RecordState state;
  if (core::SortsAfter(state, *op)) {
    (void)core::OpEffectName(core::Apply(&state, *op));
    (void)core::DumpJson(core::RecordToJson(state));
    auto reread = core::DecodeRecordState(core::EncodeRecordState(state));
    FUZZ_CHECK(reread.ok(), reread.status().ToString());
    FUZZ_CHECK(reread->fields == state.fields && reread->version == state.version,
               "record state round trip changed the state");
  }
}

void FuzzRecordState(std::string_view in) {
  auto state = core::DecodeRecordState(in);
  if (!state.ok()) {
    FUZZ_CHECK(state.status().code() == Code::kDataLoss, state.status().ToString());
    return;
  }
  (void)core::DumpJson(core::RecordToJson(*state));
  std::string bytes = core::EncodeRecordState(*state);
  auto again = core::DecodeRecordState(bytes);
  FUZZ_CHECK(again.ok(), again.status().ToString());
  FUZZ_CHECK(core::EncodeRecordState(*again) == bytes, "record state encoding is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  FuzzOp(in);
  FuzzRecordState(in);
  return 0;
}
