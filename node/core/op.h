// Op: the unit of change and of replication. Every change to a record is an op from
// an origin node; an origin's ops are numbered 1, 2, 3… (seq) and chained by hash
// (prev_hash = OpHash of the origin's previous op), so one signature over a chain
// head vouches for every op before it. Encode/Decode are exact inverses; Decode
// accepts hostile bytes and fails cleanly.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "node/core/hlc.h"
#include "storage/status.h"

namespace passerelle::core {

enum class OpType : uint8_t {
  kCreate = 1,  // sets every field (those absent are cleared) and the owners
  kUpdate = 2,  // sets the fields present; a null value clears that field
  kDelete = 3,  // tombstone; history keeps it
};

struct Op {
  std::string origin;         // member id of the node that wrote it
  uint64_t seq = 0;           // 1, 2, 3… per origin
  Hlc hlc = 0;
  std::string author;         // member on whose authority the change is made
  std::string user;           // user account on the origin node ("" for system)
  OpType type = OpType::kUpdate;
  std::string kind;           // record family: "agreement", "deliverable"…
  std::string record_id;
  nlohmann::json fields = nlohmann::json::object();  // for kCreate includes "owners"
  std::string prev_hash;      // 32 raw bytes; empty for seq 1
  std::string signature;      // Ed25519 over OpHash, when this op is a signed chain head
};

constexpr size_t kOpHashBytes = 32;
constexpr size_t kMaxOpBytes = 1 << 20;  // larger ops are refused (bounded memory per op)

// Canonical bytes: everything but the signature, in a fixed order.
std::string CanonicalBytes(const Op& op);
// BLAKE2b-256 of CanonicalBytes.
std::string OpHash(const Op& op);

std::string EncodeOp(const Op& op);
// EncodeOp and OpHash together, building the canonical bytes once.
std::string EncodeOpAndHash(const Op& op, std::string* hash);
// With `hash`, also gives OpHash computed from the bytes themselves (no re-encoding).
Result<Op> DecodeOp(std::string_view bytes, std::string* hash = nullptr);
// Whether encoded op bytes carry a signature, without decoding the fields.
bool EncodedOpIsSigned(std::string_view bytes);

const char* OpTypeName(OpType t);

}  // namespace passerelle::core
