#include "node/core/chain.h"

#include "node/core/signing.h"

namespace passerelle::core {

const char* RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kNone: return "none";
    case Refusal::kUnknownOrigin: return "unknown_origin";
    case Refusal::kBadSignature: return "bad_signature";
    case Refusal::kGap: return "gap";
    case Refusal::kBrokenChain: return "broken_chain";
    case Refusal::kFutureClock: return "future_clock";
    case Refusal::kClockOrder: return "clock_order";
    case Refusal::kMalformed: return "malformed";
  }
  return "unknown";
}

BatchCheck CheckBatch(const std::string& origin, const std::string& public_key,
                      const ChainHead& head, const std::vector<Op>& ops, Hlc now_hlc,
                      uint64_t max_skew_ms, const std::vector<std::string>* hashes) {
  BatchCheck out;
  auto refuse = [&](Refusal r, std::string detail) {
    out.refusal = r;
    out.detail = std::move(detail);
    return out;
  };
  if (public_key.size() != kPublicKeyBytes) return refuse(Refusal::kUnknownOrigin, "no key for origin " + origin);
  if (ops.empty()) return out;
  // Skip what the receiver already has; the rest must continue its chain.
  size_t first = 0;
  while (first < ops.size() && ops[first].seq <= head.seq) ++first;
  out.already_have = first;
  if (first == ops.size()) return out;
  std::string prev_hash = head.hash;
  uint64_t expected = head.seq + 1;
  Hlc prev_hlc = head.hlc;
  Hlc limit = now_hlc + MakeHlc(max_skew_ms, 0);
  for (size_t i = first; i < ops.size(); ++i) {
    const Op& op = ops[i];
    if (op.origin != origin) return refuse(Refusal::kMalformed, "op of another origin in batch");
    if (op.seq != expected)
      return refuse(Refusal::kGap, "expected seq " + std::to_string(expected) + ", got " + std::to_string(op.seq));
    if (op.prev_hash != prev_hash)
      return refuse(Refusal::kBrokenChain, "seq " + std::to_string(op.seq) + " does not follow its predecessor");
    if (op.hlc > limit)
      return refuse(Refusal::kFutureClock, "seq " + std::to_string(op.seq) + " is dated too far in the future");
    if (op.seq > 1 && op.hlc <= prev_hlc)
      return refuse(Refusal::kClockOrder, "seq " + std::to_string(op.seq) + " is not dated after seq " +
                                              std::to_string(op.seq - 1));
    prev_hlc = op.hlc;
    prev_hash = hashes != nullptr ? (*hashes)[i] : OpHash(op);
    // Every signature kept must be genuine: a stored signature marks where a later
    // batch may end, so a relay must not slip in a fake one mid-batch.
    if (!op.signature.empty() && i + 1 < ops.size() && !VerifyHash(public_key, prev_hash, op.signature))
      return refuse(Refusal::kBadSignature, "seq " + std::to_string(op.seq) + " carries a signature not by " + origin);
    ++expected;
  }
  if (!VerifyHash(public_key, prev_hash, ops.back().signature))
    return refuse(Refusal::kBadSignature, "chain head seq " + std::to_string(ops.back().seq) + " is not signed by " + origin);
  return out;
}

}  // namespace passerelle::core
