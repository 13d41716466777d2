// Checks a batch of ops received from a peer before anything is stored: ops of one
// origin, contiguous from the receiver's head, each naming its predecessor's hash, the
// last one signed by the origin's key, no timestamp too far in the future. Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "node/core/op.h"

namespace passerelle::core {

// Why a batch was refused; counted per reason by the node.
enum class Refusal {
  kNone = 0,
  kUnknownOrigin,
  kBadSignature,
  kGap,          // does not start right after the receiver's head, or skips a seq
  kBrokenChain,  // prev_hash does not match the previous op's hash
  kFutureClock,  // hlc further ahead of the receiver's clock than allowed
  kClockOrder,   // hlc not above the origin's previous op (an honest clock never does that)
  kMalformed,    // undecodable, or kind/record id invalid
};
const char* RefusalName(Refusal r);

struct ChainHead {
  uint64_t seq = 0;
  std::string hash;  // OpHash of op `seq` ("" when seq == 0)
  Hlc hlc = 0;       // its timestamp: an origin's timestamps strictly increase
};

struct BatchCheck {
  Refusal refusal = Refusal::kNone;
  std::string detail;
  size_t already_have = 0;  // leading ops at or below the head (duplicates), to skip
};

// `ops` must all be of `origin`, in seq order. `public_key` is the origin's (raw).
// `now_hlc` is the receiver's current time as an Hlc; `max_skew_ms` the allowed lead.
// `hashes`, when given, holds OpHash of each op (as DecodeOp computed it from the bytes).
BatchCheck CheckBatch(const std::string& origin, const std::string& public_key,
                      const ChainHead& head, const std::vector<Op>& ops, Hlc now_hlc,
                      uint64_t max_skew_ms, const std::vector<std::string>* hashes = nullptr);

}  // namespace passerelle::core
