#include "node/core/fold.h"

#include <algorithm>
#include <tuple>

#include "node/core/cbor.h"
#include "node/core/coding.h"
#include "node/core/json_text.h"

namespace passerelle::core {
namespace {

bool ParseOwners(const nlohmann::json& j, std::vector<std::string>* out) {
  if (!j.is_array() || j.empty()) return false;
  std::vector<std::string> owners;
  for (const auto& o : j) {
    if (!o.is_string() || o.get_ref<const std::string&>().empty()) return false;
    owners.push_back(o.get<std::string>());
  }
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  *out = std::move(owners);
  return true;
}

bool IsOwner(const RecordState& s, const std::string& member) {
  return std::binary_search(s.owners.begin(), s.owners.end(), member);
}

}  // namespace

const char* OpEffectName(OpEffect e) {
  switch (e) {
    case OpEffect::kApplied: return "applied";
    case OpEffect::kNotOwner: return "not_owner";
    case OpEffect::kNoRecord: return "no_record";
    case OpEffect::kBadOwners: return "bad_owners";
  }
  return "unknown";
}

bool SortsAfter(const RecordState& state, const Op& op) {
  return std::tie(op.hlc, op.origin) > std::tie(state.last_hlc, state.last_origin);
}

OpEffect Apply(RecordState* s, const Op& op) {
  s->last_hlc = op.hlc;
  s->last_origin = op.origin;
  if (s->kind.empty()) {
    s->kind = op.kind;
    s->id = op.record_id;
  }
  for (const auto& [name, value] : op.fields.items())
    if (std::string_view(name).starts_with(kPersonalFieldPrefix) &&
        name.substr(kPersonalFieldPrefix.size()) != op.author)
      return OpEffect::kNotOwner;
  std::vector<std::string> new_owners;
  bool sets_owners = op.fields.contains("owners") && op.type != OpType::kDelete;
  if (sets_owners && !ParseOwners(op.fields["owners"], &new_owners)) return OpEffect::kBadOwners;

  switch (op.type) {
    case OpType::kCreate:
      // A create on a live or tombstoned record is a re-create: only owners may.
      if (s->exists && !IsOwner(*s, op.author)) return OpEffect::kNotOwner;
      if (!sets_owners || !std::binary_search(new_owners.begin(), new_owners.end(), op.author))
        return OpEffect::kBadOwners;
      s->fields = op.fields;
      s->fields.erase("owners");
      s->owners = std::move(new_owners);
      if (!s->exists) s->created_hlc = op.hlc;
      s->exists = true;
      s->deleted = false;
      break;
    case OpType::kUpdate:
      if (!s->live()) return OpEffect::kNoRecord;
      if (!IsOwner(*s, op.author)) return OpEffect::kNotOwner;
      for (const auto& [name, value] : op.fields.items()) {
        if (name == "owners") continue;
        if (value.is_null()) s->fields.erase(name);
        else s->fields[name] = value;
      }
      if (sets_owners) s->owners = std::move(new_owners);
      break;
    case OpType::kDelete:
      if (!s->live()) return OpEffect::kNoRecord;
      if (!IsOwner(*s, op.author)) return OpEffect::kNotOwner;
      s->deleted = true;
      break;
  }
  s->version++;
  s->updated_hlc = op.hlc;
  s->updated_by = op.user.empty() ? op.author : op.author + "/" + op.user;
  return OpEffect::kApplied;
}

bool FoldsBefore(const Op& a, const Op& b) {
  return std::tie(a.hlc, a.origin, a.seq) < std::tie(b.hlc, b.origin, b.seq);
}

RecordState Fold(std::vector<Op> ops) {
  std::sort(ops.begin(), ops.end(), FoldsBefore);
  RecordState state;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i > 0 && ops[i].origin == ops[i - 1].origin && ops[i].seq == ops[i - 1].seq) continue;
    Apply(&state, ops[i]);
  }
  return state;
}

namespace {
void AddMeta(const RecordState& s, nlohmann::json* out) {
  nlohmann::json& j = *out;
  j["id"] = s.id;
  j["owners"] = s.owners;
  j["version"] = s.version;
  j["created_at"] = HlcToIso(s.created_hlc);
  j["updated_at"] = HlcToIso(s.updated_hlc);
  if (!s.updated_by.empty()) j["updated_by"] = s.updated_by;
}
}  // namespace

nlohmann::json RecordToJson(const RecordState& s) {
  nlohmann::json j = s.fields;
  AddMeta(s, &j);
  return j;
}

nlohmann::json RecordToJson(RecordState&& s) {
  nlohmann::json j = std::move(s.fields);
  s.fields = nlohmann::json::object();
  AddMeta(s, &j);
  return j;
}

namespace {
constexpr uint64_t kStateFormat = 3;  // 3: binary meta, fields as CBOR
constexpr uint8_t kExists = 1, kDeleted = 2;
}  // namespace

std::string EncodeRecordState(const RecordState& s) {
  std::string out;
  out.reserve(256 + s.id.size());
  PutVarint64(&out, kStateFormat);
  out.push_back(static_cast<char>((s.exists ? kExists : 0) | (s.deleted ? kDeleted : 0)));
  PutVarint64(&out, s.version);
  PutVarint64(&out, s.created_hlc);
  PutVarint64(&out, s.updated_hlc);
  PutVarint64(&out, s.last_hlc);
  for (const std::string* str : {&s.kind, &s.id, &s.updated_by, &s.last_origin, &s.terms_hash})
    PutLengthPrefixed(&out, *str);
  PutVarint64(&out, s.owners.size());
  for (const auto& o : s.owners) PutLengthPrefixed(&out, o);
  PutLengthPrefixed(&out, ToCbor(s.fields));
  return out;
}

bool EncodedStateIsLive(std::string_view in) {
  uint64_t format;
  if (!GetVarint64(&in, &format) || format != kStateFormat || in.empty()) return false;
  auto flags = static_cast<uint8_t>(in.front());
  return (flags & kExists) && !(flags & kDeleted);
}

Result<RecordState> DecodeRecordState(std::string_view in) {
  const Status bad(Code::kDataLoss, "malformed stored record");
  RecordState s;
  uint64_t format, owners;
  if (!GetVarint64(&in, &format) || format != kStateFormat || in.empty()) return bad;
  auto flags = static_cast<uint8_t>(in.front());
  in.remove_prefix(1);
  s.exists = flags & kExists;
  s.deleted = flags & kDeleted;
  if (!GetVarint64(&in, &s.version) || !GetVarint64(&in, &s.created_hlc) ||
      !GetVarint64(&in, &s.updated_hlc) || !GetVarint64(&in, &s.last_hlc))
    return bad;
  for (std::string* str : {&s.kind, &s.id, &s.updated_by, &s.last_origin, &s.terms_hash}) {
    std::string_view v;
    if (!GetLengthPrefixed(&in, &v)) return bad;
    *str = v;
  }
  if (!GetVarint64(&in, &owners) || owners > in.size()) return bad;
  for (uint64_t i = 0; i < owners; ++i) {
    std::string_view v;
    if (!GetLengthPrefixed(&in, &v)) return bad;
    s.owners.emplace_back(v);
  }
  std::string_view fields_text;
  if (!GetLengthPrefixed(&in, &fields_text) || !in.empty()) return bad;
  auto fields = ParseCbor(fields_text, "record.fields");
  if (!fields.ok() || !fields->is_object()) return bad;
  s.fields = std::move(fields).value();
  return s;
}

}  // namespace passerelle::core
