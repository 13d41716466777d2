#include "node/core/op.h"

#include <sodium.h>

#include "node/core/cbor.h"
#include "node/core/coding.h"
#include "node/core/json_text.h"

namespace passerelle::core {
namespace {
constexpr uint64_t kOpFormat = 2;  // 2: fields as CBOR
}

std::string CanonicalBytes(const Op& op) {
  std::string out;
  out.reserve(128 + op.record_id.size());
  PutVarint64(&out, kOpFormat);
  PutLengthPrefixed(&out, op.origin);
  PutVarint64(&out, op.seq);
  PutVarint64(&out, op.hlc);
  PutLengthPrefixed(&out, op.author);
  PutLengthPrefixed(&out, op.user);
  PutVarint64(&out, static_cast<uint64_t>(op.type));
  PutLengthPrefixed(&out, op.kind);
  PutLengthPrefixed(&out, op.record_id);
  PutLengthPrefixed(&out, ToCbor(op.fields));  // deterministic: nlohmann objects sort keys
  PutLengthPrefixed(&out, op.prev_hash);
  return out;
}

namespace {
std::string HashBytes(std::string_view bytes) {
  std::string hash(kOpHashBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                     0);
  return hash;
}
}  // namespace

std::string OpHash(const Op& op) { return HashBytes(CanonicalBytes(op)); }

std::string EncodeOpAndHash(const Op& op, std::string* hash) {
  std::string out = CanonicalBytes(op);
  *hash = HashBytes(out);
  PutLengthPrefixed(&out, op.signature);
  return out;
}

std::string EncodeOp(const Op& op) {
  std::string out = CanonicalBytes(op);
  PutLengthPrefixed(&out, op.signature);
  return out;
}

bool EncodedOpIsSigned(std::string_view in) {
  uint64_t v;
  std::string_view s;
  // format, origin, seq, hlc, author, user, type, kind, id, fields, prev_hash, signature
  if (!GetVarint64(&in, &v) || !GetLengthPrefixed(&in, &s) || !GetVarint64(&in, &v) ||
      !GetVarint64(&in, &v) || !GetLengthPrefixed(&in, &s) || !GetLengthPrefixed(&in, &s) ||
      !GetVarint64(&in, &v) || !GetLengthPrefixed(&in, &s) || !GetLengthPrefixed(&in, &s) ||
      !GetLengthPrefixed(&in, &s) || !GetLengthPrefixed(&in, &s) || !GetLengthPrefixed(&in, &s))
    return false;
  return !s.empty();
}

Result<Op> DecodeOp(std::string_view in, std::string* hash) {
  const std::string_view whole = in;
  auto bad = [](const char* what) {
    return Status(Code::kInvalidArgument, std::string("malformed op: ") + what, "op");
  };
  if (in.size() > kMaxOpBytes) return bad("larger than 1 MiB");
  Op op;
  uint64_t format, type;
  std::string_view s, fields, origin, author, user, kind, id, prev, sig;
  if (!GetVarint64(&in, &format) || format != kOpFormat) return bad("unknown format");
  if (!GetLengthPrefixed(&in, &origin) || !GetVarint64(&in, &op.seq) ||
      !GetVarint64(&in, &op.hlc) || !GetLengthPrefixed(&in, &author) ||
      !GetLengthPrefixed(&in, &user) || !GetVarint64(&in, &type) ||
      !GetLengthPrefixed(&in, &kind) || !GetLengthPrefixed(&in, &id) ||
      !GetLengthPrefixed(&in, &fields) || !GetLengthPrefixed(&in, &prev))
    return bad("truncated");
  const size_t canonical_size = whole.size() - in.size();  // everything before the signature
  if (!GetLengthPrefixed(&in, &sig)) return bad("truncated");
  if (!in.empty()) return bad("trailing bytes");
  if (type < 1 || type > 3) return bad("unknown op type");
  if (!prev.empty() && prev.size() != kOpHashBytes) return bad("prev_hash length");
  op.type = static_cast<OpType>(type);
  op.origin = origin;
  op.author = author;
  op.user = user;
  op.kind = kind;
  op.record_id = id;
  op.prev_hash = prev;
  op.signature = sig;
  auto parsed = ParseCbor(fields, "op.fields");
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return bad("fields is not an object");
  op.fields = std::move(parsed).value();
  if (hash != nullptr) *hash = HashBytes(whole.substr(0, canonical_size));
  return op;
}

const char* OpTypeName(OpType t) {
  switch (t) {
    case OpType::kCreate: return "create";
    case OpType::kUpdate: return "update";
    case OpType::kDelete: return "delete";
  }
  return "unknown";
}

}  // namespace passerelle::core
