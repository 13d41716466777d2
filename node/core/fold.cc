#include "node/core/fold.h"

#include <algorithm>
#include <tuple>

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

RecordState Fold(std::vector<Op> ops) {
  std::sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) {
    return std::tie(a.hlc, a.origin, a.seq) < std::tie(b.hlc, b.origin, b.seq);
  });
  RecordState state;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i > 0 && ops[i].origin == ops[i - 1].origin && ops[i].seq == ops[i - 1].seq) continue;
    Apply(&state, ops[i]);
  }
  return state;
}

nlohmann::json RecordToJson(const RecordState& s) {
  nlohmann::json j = s.fields;
  j["id"] = s.id;
  j["owners"] = s.owners;
  j["version"] = s.version;
  j["created_at"] = HlcToIso(s.created_hlc);
  j["updated_at"] = HlcToIso(s.updated_hlc);
  if (!s.updated_by.empty()) j["updated_by"] = s.updated_by;
  return j;
}

std::string EncodeRecordState(const RecordState& s) {
  nlohmann::json meta = {{"kind", s.kind},         {"id", s.id},
                         {"owners", s.owners},     {"version", s.version},
                         {"created", s.created_hlc}, {"updated", s.updated_hlc},
                         {"by", s.updated_by},     {"exists", s.exists},
                         {"deleted", s.deleted},   {"last_hlc", s.last_hlc},
                         {"last_origin", s.last_origin}};
  std::string out;
  PutLengthPrefixed(&out, DumpJson(meta));
  PutLengthPrefixed(&out, DumpJson(s.fields));
  return out;
}

Result<RecordState> DecodeRecordState(std::string_view in) {
  std::string_view meta_text, fields_text;
  if (!GetLengthPrefixed(&in, &meta_text) || !GetLengthPrefixed(&in, &fields_text))
    return Status(Code::kDataLoss, "malformed stored record");
  auto meta = ParseJson(meta_text, "record.meta");
  auto fields = ParseJson(fields_text, "record.fields");
  if (!meta.ok() || !fields.ok() || !meta->is_object() || !fields->is_object())
    return Status(Code::kDataLoss, "malformed stored record");
  RecordState s;
  const auto& m = *meta;
  s.kind = m.value("kind", "");
  s.id = m.value("id", "");
  s.owners = m.value("owners", std::vector<std::string>{});
  s.version = m.value("version", uint64_t{0});
  s.created_hlc = m.value("created", uint64_t{0});
  s.updated_hlc = m.value("updated", uint64_t{0});
  s.updated_by = m.value("by", "");
  s.exists = m.value("exists", false);
  s.deleted = m.value("deleted", false);
  s.last_hlc = m.value("last_hlc", uint64_t{0});
  s.last_origin = m.value("last_origin", "");
  s.fields = std::move(fields).value();
  return s;
}

}  // namespace passerelle::core
