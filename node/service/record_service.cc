#include "node/service/record_service.h"

#include <sodium.h>

#include "node/metrics/registry.h"

#include <algorithm>
#include <set>

#include "node/core/fold.h"
#include "node/core/hlc.h"
#include "node/records/approval.h"
#include "node/records/family.h"
#include "node/service/accounts.h"
#include "node/service/change_feed.h"
#include "node/service/keys.h"
#include "node/service/members.h"
#include "node/service/record_store.h"
#include "node/service/search_index.h"

namespace passerelle::service {

using nlohmann::json;

struct PendingOp {
  core::OpType type;
  std::string kind;
  std::string id;
  json fields = json::object();
  std::string user;
};

namespace {

const char* const kMetaFields[] = {"owners",     "version",   "created_at", "updated_at",
                                   "updated_by", "approvals", "terms_hash"};

bool IsMeta(const std::string& name) {
  for (const char* m : kMetaFields)
    if (name == m) return true;
  return false;
}

Result<const records::Family*> FamilyOf(std::string_view kind) {
  const records::Family* f = records::FindFamily(kind);
  if (f == nullptr) return Status::NotFound("unknown record family '" + std::string(kind) + "'", "kind");
  return f;
}

// Values of an institution-valued field (string or list) at a dotted path.
std::vector<std::string> StringsAt(const json& fields, const std::string& path) {
  const json* node = &fields;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return {};
    auto it = node->find(part);
    if (it == node->end()) return {};
    node = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::vector<std::string> out;
  if (node->is_string()) out.push_back(node->get<std::string>());
  else if (node->is_array())
    for (const auto& v : *node)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// A fingerprint of who acts for which institution (the approvers of agreements follow it).
std::string ActingForFingerprint(const Members& members) {
  std::string text;
  std::vector<std::string> lines;
  for (const auto& m : members.all()) {
    std::vector<std::string> acts(m.acts_for.begin(), m.acts_for.end());
    std::sort(acts.begin(), acts.end());
    std::string line = m.id + ":";
    for (const auto& a : acts) line += a + ",";
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) text += l + ";";
  unsigned char hash[16];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  return core::ToHex(std::string_view(reinterpret_cast<const char*>(hash), sizeof hash));
}

Status RefuseApprovalFields(const json& body) {
  if (!body.is_object()) return Status::Ok();
  for (const auto& [k, v] : body.items())
    if (records::IsApprovalField(k))
      return Status::Invalid(k, "approvals are given with the approve method, by each party's own node");
  return Status::Ok();
}

Status NoRecord(const std::string& kind, std::string_view id) {
  return Status::NotFound("no " + kind + " with id '" + std::string(id) + "'", "id");
}

bool IsOwner(const std::vector<std::string>& owners, const std::string& member) {
  return std::find(owners.begin(), owners.end(), member) != owners.end();
}

}  // namespace

json ContentFields(const json& record) {
  json out = json::object();
  if (!record.is_object()) return out;
  for (const auto& [k, v] : record.items())
    if (!IsMeta(k)) out[k] = v;
  return out;
}

RecordService::RecordService(storage::KvStore* store, const Members* members,
                             std::string member_id, std::function<uint64_t()> now_ms)
    : kv_(store),
      members_(members),
      member_id_(std::move(member_id)),
      now_ms_(std::move(now_ms)),
      store_(std::make_unique<RecordStore>(store, ApproverRule{[this](const records::Family& family,
                                                                       const core::RecordState& state) {
                                                                  return Approvers(family, state);
                                                                },
                                                                ActingForFingerprint(*members)})),
      clock_(std::make_unique<core::HlcClock>()),
      changes_(std::make_unique<ChangeFeed>()) {}

RecordService::~RecordService() = default;

Status RecordService::Open() {
  if (members_->Find(member_id_) == nullptr)
    return Status::Invalid("member_id", "member '" + member_id_ + "' is not in the federation's members file");
  PASSERELLE_RETURN_IF_ERROR(store_->Open());
  std::string unconfirmed;
  Status s = kv_->Get(storage::Column::kMeta, keys::kOwnHeadUnconfirmedKey, &unconfirmed);
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  own_head_confirmed_ = !s.ok();
  std::lock_guard lock(write_mu_);
  clock_->Observe(store_->max_hlc());
  LoadRecentChanges();
  return Status::Ok();
}

std::vector<std::string> RecordService::Approvers(const records::Family& family,
                                                  const core::RecordState& state) const {
  if (family.terms_fields.empty()) return state.owners;
  std::set<std::string> all(state.owners.begin(), state.owners.end());
  for (auto& m : MembersActingFor(family, state.fields)) all.insert(std::move(m));
  return std::vector<std::string>(all.begin(), all.end());
}

json RecordService::Present(const records::Family& family, const core::RecordState& state) const {
  return Present(family, core::RecordState(state));  // RecordToJson would copy the fields too
}

json RecordService::Present(const records::Family& family, core::RecordState&& state) const {
  if (family.terms_fields.empty()) return core::RecordToJson(std::move(state));
  std::vector<std::string> approvers = Approvers(family, state);
  return records::PresentWithApprovals(family, core::RecordToJson(std::move(state)), state.terms_hash, approvers);
}

std::vector<std::string> RecordService::MembersActingFor(const records::Family& family,
                                                         const json& fields) const {
  std::set<std::string> out;
  for (const auto& field : family.owner_institution_fields)
    for (const auto& inst : StringsAt(fields, field))
      for (const auto& m : members_->ActingFor(inst)) out.insert(m);
  return std::vector<std::string>(out.begin(), out.end());
}

Result<std::vector<std::string>> RecordService::DeriveOwners(const records::Family& family,
                                                             const json& fields,
                                                             bool* unclaimed) const {
  if (unclaimed) *unclaimed = false;
  auto acting = MembersActingFor(family, fields);
  std::set<std::string> owners(acting.begin(), acting.end());
  if (owners.empty()) {
    for (const auto& [kind, path] : family.owner_parents) {
      auto ids = StringsAt(fields, path);
      if (ids.empty()) continue;
      auto parent = store_->Get(kind, ids.front());
      if (parent.ok() && parent->live()) {
        owners.insert(parent->owners.begin(), parent->owners.end());
        break;
      }
    }
  }
  if (owners.empty()) {  // touches no member: the writer's
    owners.insert(member_id_);
    if (unclaimed) *unclaimed = true;
  }
  return std::vector<std::string>(owners.begin(), owners.end());
}

Status RecordService::CheckReferences(const records::Family& family, const json& fields,
                                      const json* changed, const json* before) const {
  std::vector<records::Reference> refs;
  // A create is held to every rule of this node's writes; an update to those of what it
  // changes (ValidateChanges, and rules of the fields it touches), so that a record an
  // older version stored stays editable.
  PASSERELLE_RETURN_IF_ERROR(records::Validate(family, fields, &refs, before, /*local=*/before == nullptr));
  for (const auto& ref : refs) {
    if (changed != nullptr) {
      std::string top = ref.field.substr(0, ref.field.find_first_of(".["));
      bool touched = changed->contains(top);
      // A record's own level is named by framework_id and level together.
      if (ref.kind == "framework_level" && top == "level") touched |= changed->contains("framework_id");
      if (!touched) continue;
    }
    if (ref.kind == "framework_level") {
      size_t colon = ref.id.rfind(':');
      std::string fw_id = ref.id.substr(0, colon);
      int64_t level = std::stoll(ref.id.substr(colon + 1));
      auto fw = store_->Get("framework", fw_id);
      if (!fw.ok() || !fw->live()) continue;  // the framework_id reference reports it
      bool found = false;
      if (auto levels = fw->fields.find("levels"); levels != fw->fields.end()) {
        for (const auto& l : *levels) found |= l.value("level", int64_t{0}) == level;
      } else {
        found = level <= fw->fields.value("levels_count", int64_t{0});
      }
      if (!found)
        return Status::Invalid(ref.field, "framework " + fw_id + " has no level " + std::to_string(level));
      continue;
    }
    if (!store_->IsLive(ref.kind, ref.id))
      return Status::Invalid(ref.field, "no " + ref.kind + " with id '" + ref.id + "'");
  }
  return Status::Ok();
}

Status RecordService::CheckLevelMappingWrite(const records::Family& family, const json& fields) const {
  if (family.kind != "mapping" || fields.value("type", "") != "level_mapping") return Status::Ok();
  // A level mapping places one framework level against another: both ends are levels.
  // (A rule of this node's writes, not of the family: peers' older ops may lack it.)
  for (const char* side : {"from", "to"})
    for (const char* key : {"framework_id", "level"})
      if (auto it = fields.find(side); it == fields.end() || !it->is_object() || !it->contains(key))
        return Status::Invalid(std::string(side) + "." + key, "required for a level_mapping");
  return CheckMappingAuthority(family, fields);
}

Status RecordService::CheckMappingAuthority(const records::Family& family, const json& fields) const {
  if (family.kind != "mapping" || fields.value("type", "") != "level_mapping") return Status::Ok();
  auto source = StringsAt(fields, "from.framework_id");
  if (source.empty()) return Status::Ok();
  auto fw = store_->Get("framework", source.front());
  if (!fw.ok() || !fw->live()) return Status::Ok();  // the reference check reports it
  // The members acting for its authority decide (as the equivalence engine counts them);
  // its owners only when no member does.
  auto deciders = MembersActingFor(*records::FindFamily("framework"), fw->fields);
  if (deciders.empty()) deciders = fw->owners;
  if (!IsOwner(deciders, member_id_))
    return Status(Code::kPermissionDenied,
                  "a level mapping is written by the authority of its source framework " +
                      source.front() + " (" + JoinList(deciders) + "); this node acts for " +
                      member_id_,
                  "from.framework_id");
  return Status::Ok();
}

Status RecordService::ConfirmOwnHead() {
  std::lock_guard lock(write_mu_);
  if (own_head_confirmed_) return Status::Ok();
  storage::WriteBatch batch;
  batch.Delete(storage::Column::kMeta, std::string(keys::kOwnHeadUnconfirmedKey));
  PASSERELLE_RETURN_IF_ERROR(kv_->Write(batch));
  own_head_confirmed_ = true;
  return Status::Ok();
}

Result<json> RecordService::CommitLocked(PendingOp pending, const core::RecordState* current) {
  if (!own_head_confirmed_)
    return Status(Code::kUnavailable,
                  "this node was restored from a backup: local writes wait until every peer has shown it "
                  "holds no newer op of " + member_id_ + " (federation status: own_chain_confirmed)");
  core::Op op;
  op.origin = member_id_;
  op.author = member_id_;
  op.user = std::move(pending.user);
  op.type = pending.type;
  op.kind = std::move(pending.kind);
  op.record_id = std::move(pending.id);
  op.fields = std::move(pending.fields);
  op.hlc = clock_->Now(now_ms_());
  if (signing_key_ && (store_->Head(member_id_).seq + 1) % kSignEvery == 0) {
    // Sign the op with the seq and prev_hash it will get (CommitLocal assigns them).
    auto head = store_->Head(member_id_);
    op.seq = head.seq + 1;
    op.prev_hash = head.hash;
    op.signature = core::SignHash(*signing_key_, core::OpHash(op));
  }
  core::OpEffect effect;
  size_t op_bytes = 0;
  auto state = store_->CommitLocal(&op, &effect, current, &op_bytes);
  if (!state.ok()) return state.status();
  if (signing_key_ && op.signature.empty() && op_bytes > kSignBytes) {
    // A large op is signed as well (rare), keeping peers' batches bounded in bytes.
    auto head = store_->Head(member_id_);
    PASSERELLE_RETURN_IF_ERROR(store_->AddSignature(member_id_, head.seq, core::SignHash(*signing_key_, head.hash)));
  }
  BumpGeneration();
  const records::Family& family = *records::FindFamily(op.kind);
  PublishChanges(&op, 1, {{keys::Record(op.kind, op.record_id), RecordTitle(family, state->fields, op.record_id)}});
  metrics::Global()
      .GetCounter("passerelle_ops_written_total", "Local ops committed by this node, by record kind",
                  {{"kind", op.kind}})
      .Inc();
  if (effect != core::OpEffect::kApplied)
    return Status(Code::kInternal, std::string("op committed without effect: ") + core::OpEffectName(effect));
  return Present(family, std::move(*state));
}

Status RecordService::OwnersOrDerived(const records::Family& family, const json& content,
                                      std::vector<std::string>* owners) const {
  if (owners->empty()) {
    auto derived = DeriveOwners(family, content);
    if (!derived.ok()) return derived.status();
    *owners = std::move(derived).value();
    return Status::Ok();
  }
  // Named owners may add members and differ from a parent's (whose owners may have
  // changed since), but never leave out a member acting for an institution the record
  // names: that member is who the record is about.
  for (const auto& m : MembersActingFor(family, content))
    if (!IsOwner(*owners, m))
      return Status(Code::kPermissionDenied,
                    "owners must include member " + m + ", which acts for an institution this " +
                        family.kind + " names; owners may add members, not leave that one out",
                    "owners");
  // A record hanging from another (a project's deliverable) is added by its owners' nodes.
  for (const auto& [kind, path] : family.owner_parents) {
    auto ids = StringsAt(content, path);
    if (ids.empty()) continue;
    auto parent = store_->Get(kind, ids.front());
    if (!parent.ok() || !parent->live()) continue;
    if (!IsOwner(parent->owners, member_id_))
      return Status(Code::kPermissionDenied,
                    kind + " " + ids.front() + " is owned by " + JoinList(parent->owners) +
                        "; this node acts for " + member_id_ + " and cannot add to it, whatever owners it names",
                    "owners");
    break;
  }
  return Status::Ok();
}

Status RecordService::ParseOwners(const json& list, std::vector<std::string>* owners) const {
  if (!list.is_array() || list.empty())
    return Status::Invalid("owners", "must be a non-empty list of member ids");
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& m = list[i];
    if (!m.is_string() || members_->Find(m.get<std::string>()) == nullptr)
      return Status::Invalid("owners[" + std::to_string(i) + "]", "not a member of the federation");
    owners->push_back(m.get<std::string>());
  }
  return Status::Ok();
}

Result<json> RecordService::Create(std::string_view kind, json record, const Caller& caller) {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  PASSERELLE_RETURN_IF_ERROR(CheckWrite(caller.role, (*family)->kind));
  if (!record.is_object()) return Status::Invalid("body", "must be a JSON object");
  PASSERELLE_RETURN_IF_ERROR(RefuseApprovalFields(record));
  std::vector<std::string> owners;
  if (auto o = record.find("owners"); o != record.end())
    PASSERELLE_RETURN_IF_ERROR(ParseOwners(*o, &owners));
  json content = ContentFields(record);
  PASSERELLE_RETURN_IF_ERROR(CheckReferences(**family, content));
  PASSERELLE_RETURN_IF_ERROR(CheckLevelMappingWrite(**family, content));
  PASSERELLE_RETURN_IF_ERROR(OwnersOrDerived(**family, content, &owners));
  if (!IsOwner(owners, member_id_))
    return Status(Code::kPermissionDenied,
                  "this node acts for member " + member_id_ + "; the record would belong to " +
                      JoinList(owners) + ": create it on their node",
                  "owners");
  std::string id = content["id"].get<std::string>();
  std::lock_guard lock(write_mu_);
  auto existing = store_->Get((*family)->kind, id);
  if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
  if (existing.ok() && existing->exists) {
    if (existing->live())
      return Status(Code::kAlreadyExists, "a " + (*family)->kind + " with id '" + id + "' already exists", "id");
    if (!IsOwner(existing->owners, member_id_))
      return Status(Code::kPermissionDenied, "id '" + id + "' belonged to a deleted record of " +
                                                 JoinList(existing->owners), "id");
  }
  content["owners"] = owners;
  core::RecordState none;
  // A state with no create behind it (only refused ops so far) is folded on, not replaced.
  return CommitLocked({core::OpType::kCreate, (*family)->kind, id, std::move(content), caller.user},
                      existing.ok() ? &existing.value() : &none);
}

Result<json> RecordService::Get(std::string_view kind, std::string_view id) const {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  auto state = store_->Get((*family)->kind, id);
  if (!state.ok() || !state->live())
    return state.ok() || state.status().code() == Code::kNotFound
               ? NoRecord((*family)->kind, id)
               : state.status();
  return Present(**family, std::move(*state));
}

Result<json> RecordService::ContentOf(std::string_view kind, std::string_view id) const {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  auto state = store_->Get((*family)->kind, id);
  if (!state.ok() || !state->live())
    return NoRecord((*family)->kind, id);
  json content = state->fields;
  for (auto it = content.begin(); it != content.end();)
    it = records::IsApprovalField(it.key()) ? content.erase(it) : std::next(it);
  return content;
}

Result<RecordPage> RecordService::List(std::string_view kind, const ListQuery& query) const {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  const records::Family& fam = **family;
  size_t limit = query.page_size == 0 ? kDefaultPageSize : query.page_size;
  if (limit > kMaxPageSize)
    return Status::Invalid("page_size", "must be at most " + std::to_string(kMaxPageSize));

  struct Filter {
    const records::IndexSpec* index;
    std::string value;
    bool upper_bound;
  };
  std::vector<Filter> filters;
  for (const auto& [name, value] : query.filters) {
    const records::IndexSpec* match = nullptr;
    bool upper = false;
    for (const auto& idx : fam.indexes) {
      if (name == idx.name) match = &idx;
      else if (name == idx.name + "_before" && idx.ordered) match = &idx, upper = true;
    }
    if (match == nullptr) {
      std::vector<std::string> names;
      for (const auto& idx : fam.indexes) {
        names.push_back(idx.name);
        if (idx.ordered) names.push_back(idx.name + "_before");
      }
      return Status::Invalid(name, "unknown filter; " + fam.plural + " can be filtered by " + JoinList(names));
    }
    if (value.empty() || value.size() > 300 || value.find('\0') != std::string::npos)
      return Status::Invalid(name, "filter value must be 1 to 300 characters");
    filters.push_back({match, value, upper});
  }
  auto keep = [&](const core::RecordState& s) {
    for (size_t i = 1; i < filters.size(); ++i) {
      auto values = store_->IndexValues(fam, *filters[i].index, s);
      bool ok = std::any_of(values.begin(), values.end(), [&](const std::string& v) {
        return filters[i].upper_bound ? v <= filters[i].value : v == filters[i].value;
      });
      if (!ok) return false;
    }
    return true;
  };
  auto page = filters.empty()
                  ? store_->Scan(fam, "", "", false, limit, query.page_token, keep)
                  : store_->Scan(fam, filters[0].index->name, filters[0].value,
                                 filters[0].upper_bound, limit, query.page_token, keep);
  if (!page.ok()) return page.status();
  RecordPage out;
  out.next_page_token = page->next_token;
  out.records.reserve(page->records.size());
  for (auto& s : page->records) out.records.push_back(Present(fam, std::move(s)));
  return out;
}

Result<json> RecordService::Update(std::string_view kind, std::string_view id,
                                   const UpdateRequest& request, const Caller& caller) {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  const records::Family& fam = **family;
  PASSERELLE_RETURN_IF_ERROR(CheckWrite(caller.role, fam.kind));
  if (!request.patch.is_object()) return Status::Invalid("body", "must be a JSON object");
  PASSERELLE_RETURN_IF_ERROR(RefuseApprovalFields(request.patch));
  std::vector<std::string> mask = request.mask;
  if (mask.empty())
    for (const auto& [k, v] : request.patch.items())
      if (!IsMeta(k) || k == "owners") mask.push_back(k);

  std::lock_guard lock(write_mu_);
  auto state = store_->Get(fam.kind, id);
  if (!state.ok() || !state->live())
    return NoRecord(fam.kind, id);
  const auto& owners = state->owners;
  if (!IsOwner(owners, member_id_))
    return Status(Code::kPermissionDenied,
                  fam.kind + " " + std::string(id) + " is owned by " + JoinList(owners) +
                      "; this node acts for " + member_id_ + " and cannot change it",
                  "owners");
  if (request.expected_version && *request.expected_version != state->version)
    return Status(Code::kAborted,
                  "record is at version " + std::to_string(state->version) + ", not " +
                      std::to_string(*request.expected_version) + " (reload and retry)",
                  "version");

  json content = state->fields;
  json changes = json::object();
  std::vector<std::string> new_owners;
  for (const auto& name : mask) {
    auto it = request.patch.find(name);
    bool present = it != request.patch.end() && !it->is_null();
    if (name == "id") {
      if (present && *it != content["id"]) return Status::Invalid("id", "cannot be changed");
      continue;
    }
    if (name == "owners") {
      PASSERELLE_RETURN_IF_ERROR(ParseOwners(present ? *it : json(), &new_owners));
      continue;
    }
    if (IsMeta(name)) return Status::Invalid(name, "is output only");
    if (records::IsApprovalField(name)) return Status::Invalid(name, "approvals are given with the approve method");
    if (name.empty() || name.find('.') != std::string::npos)
      return Status::Invalid("update_mask", "'" + name + "' is not a top-level field");
    // Named before the unchanged are skipped: ValidateChanges below sees only changes.
    if (records::FindField(fam.fields, name) == nullptr) return Status::Invalid(name, "unknown field");
    // A value as it is already stored is no change: not written again (its field's
    // clock stays; a record an older version stored stays editable in its other fields).
    auto stored = content.find(name);
    if (present ? (stored != content.end() && *stored == *it) : stored == content.end()) continue;
    // A record sent back as read carries the status the API derived from the approvals
    // ("signed", or "proposed" over a stale approval): that is no change either.
    if (name == "status" && present && !fam.terms_fields.empty() &&
        *it == records::ShownStatus(state->fields, Approvers(fam, *state), state->terms_hash))
      continue;
    if (present) content[name] = *it;
    else content.erase(name);
    changes[name] = present ? *it : json(nullptr);
  }
  // The op as peers will judge it, held to this node's own rules for what it changes
  // (the whole record is checked below as it stands, old values included).
  PASSERELLE_RETURN_IF_ERROR(records::ValidateChanges(fam, changes, /*local=*/true));
  PASSERELLE_RETURN_IF_ERROR(CheckReferences(fam, content, &changes, &state->fields));
  PASSERELLE_RETURN_IF_ERROR(CheckLevelMappingWrite(fam, content));
  if (new_owners.empty()) {
    // Parties added by this change become owners too; nobody is dropped implicitly.
    auto derived = DeriveOwners(fam, content);
    if (!derived.ok()) return derived.status();
    std::set<std::string> all(owners.begin(), owners.end());
    all.insert(derived->begin(), derived->end());
    if (all.size() != owners.size()) new_owners.assign(all.begin(), all.end());
  } else {
    PASSERELLE_RETURN_IF_ERROR(OwnersOrDerived(fam, content, &new_owners));
  }
  if (!new_owners.empty()) {
    std::sort(new_owners.begin(), new_owners.end());
    new_owners.erase(std::unique(new_owners.begin(), new_owners.end()), new_owners.end());
    if (new_owners != owners) changes["owners"] = new_owners;
  }
  // Nothing would change: no op, same version.
  bool same = content == state->fields && !changes.contains("owners");
  if (same) return Present(fam, *state);
  return CommitLocked({core::OpType::kUpdate, fam.kind, std::string(id), std::move(changes), caller.user},
                      &state.value());
}

Status RecordService::Delete(std::string_view kind, std::string_view id,
                             std::optional<uint64_t> expected_version, const Caller& caller) {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  PASSERELLE_RETURN_IF_ERROR(CheckWrite(caller.role, (*family)->kind));
  std::lock_guard lock(write_mu_);
  auto state = store_->Get((*family)->kind, id);
  if (!state.ok() || !state->live())
    return NoRecord((*family)->kind, id);
  if (!IsOwner(state->owners, member_id_))
    return Status(Code::kPermissionDenied,
                  "owned by " + JoinList(state->owners) + "; this node cannot delete it", "owners");
  PASSERELLE_RETURN_IF_ERROR(CheckMappingAuthority(**family, state->fields));
  if (expected_version && *expected_version != state->version)
    return Status(Code::kAborted, "record is at version " + std::to_string(state->version) +
                                      ", not " + std::to_string(*expected_version), "version");
  auto r = CommitLocked({core::OpType::kDelete, (*family)->kind, std::string(id), json::object(), caller.user},
                        &state.value());
  return r.ok() ? Status::Ok() : r.status();
}

Result<json> RecordService::Approve(std::string_view kind, std::string_view id,
                                    const std::string& terms_hash, const Caller& caller) {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  const records::Family& fam = **family;
  PASSERELLE_RETURN_IF_ERROR(CheckWrite(caller.role, fam.kind));
  if (fam.terms_fields.empty())
    return Status::Invalid("kind", fam.plural + " have no terms to approve");
  if (terms_hash.size() != 64 ||
      terms_hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Status::Invalid("terms_hash", "must be the terms_hash of the agreement as read: 64 lowercase hex digits");
  std::lock_guard lock(write_mu_);
  auto state = store_->Get(fam.kind, id);
  if (!state.ok() || !state->live())
    return NoRecord(fam.kind, id);
  if (!IsOwner(state->owners, member_id_))
    return Status(Code::kPermissionDenied,
                  "only the parties' members (" + JoinList(state->owners) + ") approve " + std::string(id),
                  "owners");
  const std::string& current = state->terms_hash;  // kept current by the store
  if (terms_hash != current)
    return Status(Code::kAborted,
                  "the terms changed since they were read; the current terms hash is " + current,
                  "terms_hash");
  json approval = {{"terms", current}, {"at", core::HlcToIso(core::MakeHlc(now_ms_(), 0))},
                   {"user", caller.user}};
  json fields = {{std::string(records::kApprovalPrefix) + member_id_, approval}};
  return CommitLocked({core::OpType::kUpdate, fam.kind, std::string(id), std::move(fields), caller.user},
                      &state.value());
}

Result<json> RecordService::History(std::string_view kind, std::string_view id) const {
  auto family = FamilyOf(kind);
  if (!family.ok()) return family.status();
  auto ops = store_->History((*family)->kind, id);
  if (!ops.ok()) return ops.status();
  if (ops->empty()) return NoRecord((*family)->kind, id);
  json out = json::array();
  core::RecordState state;
  for (const auto& op : *ops) {
    core::OpEffect effect = core::Apply(&state, op);
    out.push_back({{"origin", op.origin}, {"seq", op.seq}, {"hlc", op.hlc},
                   {"at", core::HlcToIso(op.hlc)}, {"author", op.author}, {"user", op.user},
                   {"type", core::OpTypeName(op.type)}, {"fields", op.fields},
                   {"effect", core::OpEffectName(effect)}});
  }
  return out;
}

void RecordService::SetSigningKey(core::KeyPair key) {
  std::lock_guard lock(write_mu_);
  signing_key_ = std::move(key);
}

RecordService::PeerBatchResult RecordService::ApplyPeerBatch(const std::vector<std::string>& encoded) {
  return CommitPeerBatch(PreparePeerBatch(encoded));
}

RecordService::PreparedPeerBatch RecordService::PreparePeerBatch(std::vector<std::string> encoded) const {
  PreparedPeerBatch out;
  out.encoded = std::move(encoded);
  if (out.encoded.empty()) return out;
  auto refuse = [&](core::Refusal r, std::string detail) {
    out.refused.refusal = r;
    out.refused.detail = std::move(detail);
    out.ops.clear();
    return std::move(out);
  };
  // No honest node sends more (RecordStore::ReadSignedOps): refused before decoding.
  if (out.encoded.size() > kMaxBatchOpsReceived)
    return refuse(core::Refusal::kMalformed, "a batch of " + std::to_string(out.encoded.size()) +
                                                 " ops; at most " + std::to_string(kMaxBatchOpsReceived));
  out.hashes.resize(out.encoded.size());
  out.ops.reserve(out.encoded.size());
  for (size_t i = 0; i < out.encoded.size(); ++i) {
    auto op = core::DecodeOp(out.encoded[i], &out.hashes[i]);
    if (!op.ok()) return refuse(core::Refusal::kMalformed, "undecodable op: " + op.status().message());
    out.ops.push_back(std::move(op).value());
    if (i > 0) continue;
    out.origin = out.ops.front().origin;
    const Member* member = members_->Find(out.ops.front().origin);
    if (member == nullptr || !core::FromHex(member->public_key, &out.origin_key))
      return refuse(core::Refusal::kUnknownOrigin,
                    "origin '" + out.ops.front().origin + "' is not a member with a key");
  }
  const std::string origin = out.ops.front().origin;
  for (auto& op : out.ops) {
    // The author must be the origin (a node writes for its own member only), and the
    // op must name a family by its kind (not its plural: keys are built from either),
    // a valid id and a user name as accounts have: the fold and the readers rely on it.
    const records::Family* named = records::FindFamily(op.kind);
    if (op.author != op.origin || named == nullptr || named->kind != op.kind ||
        !records::IsValidId(op.record_id) || op.user.size() > kMaxUsernameBytes)
      return refuse(core::Refusal::kMalformed, "op " + std::to_string(op.seq) + " of " + origin + " is malformed");
    // Every value a peer's op sets is checked against the family's rules (a create as a
    // whole record): an honest node never sends anything else, and the readers of a
    // record rely on its types. "owners" is set aside meanwhile (its form is the
    // fold's to judge: kBadOwners), moved out and back rather than copying the fields.
    const records::Family* family = records::FindFamily(op.kind);
    if (!op.fields.is_object()) return refuse(core::Refusal::kMalformed, "op " + std::to_string(op.seq) + " of " + origin + " has no fields object");
    auto& object = op.fields.get_ref<json::object_t&>();
    auto owners = object.extract("owners");
    const json& changes = op.fields;
    Status valid;
    if (op.type == core::OpType::kCreate) {
      std::vector<records::Reference> refs;
      valid = records::Validate(*family, changes, &refs);
      if (valid.ok() && changes.value("id", json()) != json(op.record_id))
        valid = Status::Invalid("id", "differs from the op's record id");
    } else if (op.type == core::OpType::kUpdate) {
      valid = records::ValidateChanges(*family, changes);
      if (valid.ok() && changes.contains("id") && changes["id"] != json(op.record_id))
        valid = Status::Invalid("id", "cannot be changed");
    } else if (!changes.empty() || owners) {  // a delete: every version writes it empty
      valid = Status::Invalid("fields", "a delete carries no fields");
    }
    if (owners) object.insert(std::move(owners));
    if (!valid.ok())
      return refuse(core::Refusal::kMalformed, "op " + std::to_string(op.seq) + " of " + origin +
                                                   " is invalid: " + valid.ToString());
  }
  return out;
}

bool RecordService::PlanPeerBatch(PreparedPeerBatch* batch,
                                  std::shared_ptr<const RemotePlan> previous) const {
  if (batch->refused.refusal != core::Refusal::kNone || batch->ops.empty()) return true;
  batch->plan = store_->PlanRemote(batch->ops, batch->encoded, batch->hashes, std::move(previous));
  return !batch->plan->wait_for_previous;
}

RecordService::PeerBatchResult RecordService::CommitPeerBatch(PreparedPeerBatch batch) {
  PeerBatchResult out = batch.refused;
  if (out.refusal != core::Refusal::kNone || batch.ops.empty()) return out;
  auto refuse = [&](core::Refusal r, std::string detail) {
    out.refusal = r;
    out.detail = std::move(detail);
    return out;
  };
  std::vector<core::Op>& ops = batch.ops;
  const std::string origin = ops.front().origin;
  std::lock_guard lock(write_mu_);
  core::Hlc now = core::MakeHlc(now_ms_(), 0);
  auto check = core::CheckBatch(origin, batch.origin_key, store_->Head(origin), ops, now,
                                max_skew_ms_, &batch.hashes);
  out.duplicates = check.already_have;  // also on a refusal: what is counted refused is the rest
  if (check.refusal != core::Refusal::kNone) return refuse(check.refusal, check.detail);
  if (check.already_have == ops.size()) return out;
  const size_t skip = check.already_have;
  std::vector<core::Op> fresh(std::make_move_iterator(ops.begin() + skip), std::make_move_iterator(ops.end()));
  const RecordStore::RemoteResult* stored = nullptr;  // the plan's, or `folded`
  RecordStore::RemoteResult folded;
  if (batch.plan != nullptr) {
    auto written = store_->CommitPlan(*batch.plan, skip);
    if (!written.ok()) {
      out.local_error = written.status();
      return out;
    }
    if (*written) stored = &batch.plan->result;
    out.as_planned = *written;
  }
  if (stored == nullptr) {  // no plan, or it no longer holds: fold under the lock
    std::vector<std::string_view> fresh_bytes(batch.encoded.begin() + skip, batch.encoded.end());
    std::vector<std::string> fresh_hashes(std::make_move_iterator(batch.hashes.begin() + skip),
                                          std::make_move_iterator(batch.hashes.end()));
    auto result = store_->CommitRemote(fresh, fresh_bytes, fresh_hashes);
    if (!result.ok() && result.status().code() == Code::kInvalidArgument)  // the ops' fault
      return refuse(core::Refusal::kMalformed, result.status().ToString());
    if (!result.ok()) {  // reading or writing this node's store failed
      out.local_error = result.status();
      return out;
    }
    folded = std::move(result).value();
    stored = &folded;
  }
  for (const auto& op : fresh) clock_->Observe(op.hlc);
  BumpGeneration();
  PublishChanges(fresh.data(), fresh.size(), stored->titles);
  out.applied = stored->applied;
  out.no_effect = stored->no_effect;
  return out;
}

Result<std::vector<std::string>> RecordService::OpsForPeer(const std::string& origin,
                                                           uint64_t after_seq, size_t max_ops) {
  if (origin == member_id_) {
    // Our own ops: one is signed where this batch ends (the head, or the cut of a long
    // unsigned run written without a key), so the batch can be served at all.
    std::lock_guard lock(write_mu_);
    if (signing_key_) PASSERELLE_RETURN_IF_ERROR(store_->SignBatchEnd(
        origin, after_seq, max_ops, [this](const std::string& hash) { return core::SignHash(*signing_key_, hash); }));
  }
  return store_->ReadSignedOps(origin, after_seq, max_ops);
}

Result<std::string> RecordService::Digest(std::map<std::string, uint64_t>* version_vector) const {
  if (version_vector == nullptr) return store_->Digest();
  std::unique_ptr<storage::Iterator> records;
  {
    std::lock_guard lock(write_mu_);  // the vector and the records' view, of one state
    *version_vector = VersionVector();
    records = store_->ScanRecords();
  }
  return store_->Digest(std::move(records));  // hashed without holding up writes
}

Result<std::map<std::string, uint64_t>> RecordService::Checkpoint(const std::string& dir) {
  std::lock_guard lock(write_mu_);  // no commit between the copy and what it is said to hold
  PASSERELLE_RETURN_IF_ERROR(kv_->Checkpoint(dir));
  return VersionVector();
}

void RecordService::BumpGeneration() {
  {
    std::lock_guard lock(gen_mu_);
    ++generation_;
  }
  gen_cv_.notify_all();
}

uint64_t RecordService::Generation() const {
  std::lock_guard lock(gen_mu_);
  return generation_;
}

uint64_t RecordService::WaitForChange(uint64_t seen, int timeout_ms) const {
  std::unique_lock lock(gen_mu_);
  gen_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return generation_ != seen; });
  return generation_;
}

std::map<std::string, uint64_t> RecordService::VersionVector() const {
  return store_->VersionVector();
}

}  // namespace passerelle::service
