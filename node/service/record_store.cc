#include "node/service/record_store.h"

#include <algorithm>
#include <optional>
#include <set>
#include <sodium.h>
#include <unordered_map>

#include "node/core/coding.h"
#include "node/records/approval.h"
#include "node/service/keys.h"
#include "node/service/rebuild_entries.h"
#include "node/service/search_index.h"

namespace passerelle::service {
namespace {

using core::RecordState;
using storage::Column;

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// Where a peer batch may end: max_ops ops or kBatchByteBudget bytes, whichever comes
// first (ReadSignedOps cuts there at the first signed op; SignBatchEnd signs that op).
bool BatchFull(size_t ops, size_t bytes, size_t max_ops) {
  return ops >= max_ops || bytes >= kBatchByteBudget;
}

}  // namespace

const std::vector<std::string>& RecordStore::IndexApprovers(const records::Family& family,
                                                            const RecordState& s,
                                                            std::vector<std::string>* worked_out) const {
  if (!rule_.approvers || family.terms_fields.empty()) return s.owners;
  *worked_out = rule_.approvers(family, s);
  return *worked_out;
}

std::vector<std::string> RecordStore::IndexValues(const records::Family& family,
                                                  const records::IndexSpec& index,
                                                  const RecordState& s) const {
  std::vector<std::string> worked_out;
  return index.values({s.fields, IndexApprovers(family, s, &worked_out), s.terms_hash});
}

std::set<std::string> RecordStore::IndexKeys(const records::Family& family, const RecordState& s) const {
  std::set<std::string> out;
  if (!s.live()) return out;
  std::vector<std::string> worked_out;
  const auto& approvers = IndexApprovers(family, s, &worked_out);  // once for all indexes
  for (const auto& index : family.indexes)
    for (const auto& value : index.values({s.fields, approvers, s.terms_hash}))
      if (!value.empty()) out.insert(keys::Index(family.kind, index.name, value, s.id));
  return out;
}

void RecordStore::Committed(const std::string& origin, const OriginPosition& head,
                            core::Hlc max_hlc, uint64_t plan_id) {
  std::lock_guard lock(mu_);
  positions_[origin] = head;
  max_hlc_ = std::max(max_hlc_, max_hlc);
  ++commits_;
  if (plan_id != 0) last_plan_ = plan_id;
}

Status RecordStore::Open() {
  std::string format;
  Status s = kv_->Get(Column::kMeta, keys::kFormat, &format);
  if (s.code() == Code::kNotFound) {
    storage::WriteBatch init;
    init.Put(Column::kMeta, std::string(keys::kFormat), std::to_string(keys::kFormatVersion));
    PASSERELLE_RETURN_IF_ERROR(kv_->Write(init));
  } else if (!s.ok()) {
    return s;
  } else if (format == "3") {
    PASSERELLE_RETURN_IF_ERROR(MigrateFromFormat3());
  } else if (format != std::to_string(keys::kFormatVersion)) {
    bool newer = std::atoi(format.c_str()) > keys::kFormatVersion;
    return {Code::kFailedPrecondition,
            "data directory has on-disk format " + format + "; this passerelle reads format " +
                std::to_string(keys::kFormatVersion) +
                (newer ? " (upgrade passerelle)"
                       : " (export it with the passerelle that wrote it, then import)")};
  }
  PASSERELLE_RETURN_IF_ERROR(LoadPositions());
  PASSERELLE_RETURN_IF_ERROR(RebuildIndexesIfStale());
  return OpenSearchIndex(kv_, &search_);
}

std::string RecordStore::IndexVersion() const {
  std::string v = std::to_string(keys::kIndexVersion);
  return rule_.fingerprint.empty() ? v : v + "/" + rule_.fingerprint;
}

Status RecordStore::RebuildIndexesIfStale() {
  std::string version;
  Status s = kv_->Get(Column::kMeta, keys::kIndexVersionKey, &version);
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  const std::string expected = IndexVersion();
  // Without a fingerprint (no rule: a reader such as the bench's), any members file will do.
  bool current = s.ok() && (version == expected ||
                            (rule_.fingerprint.empty() && version.starts_with(expected + "/")));
  if (current) return Status::Ok();
  return RebuildDerivedEntries(
      kv_, {{"i"},
            [this](const records::Family& family, const RecordState& state, storage::WriteBatch* batch) {
              for (const auto& key : IndexKeys(family, state)) batch->Put(Column::kIndex, key, "");
            },
            std::string(keys::kIndexVersionKey), expected});
}

Status RecordStore::MigrateFromFormat3() {
  storage::WriteBatch batch;
  auto it = kv_->Scan(Column::kMeta, keys::kFormat3VersionVectorPrefix);
  for (; it->Valid(); it->Next()) batch.Delete(Column::kMeta, std::string(it->key()));
  PASSERELLE_RETURN_IF_ERROR(it->status());
  batch.Put(Column::kMeta, std::string(keys::kFormat), std::to_string(keys::kFormatVersion));
  return kv_->Write(batch);
}

Status RecordStore::LoadPositions() {
  std::lock_guard lock(mu_);
  positions_.clear();
  max_hlc_ = 0;
  // One seek per origin: its first key names it, its last key is its head.
  std::string start, key, bytes;
  for (;;) {
    auto it = kv_->Scan(Column::kOps, "", start);
    if (!it->Valid()) return it->status();
    std::string_view first = it->key();
    size_t nul = first.find('\0');
    if (nul == std::string_view::npos || nul == 0)
      return {Code::kDataLoss, "op log key without an origin"};
    std::string origin(first.substr(0, nul));
    const std::string prefix = keys::OpPrefix(origin);
    PASSERELLE_RETURN_IF_ERROR(kv_->Last(Column::kOps, prefix, &key, &bytes));
    std::string hash;
    auto head = core::DecodeOp(bytes, &hash);
    if (!head.ok() || head->origin != origin || keys::Op(origin, head->seq) != key)
      return {Code::kDataLoss, "the last op of origin " + origin + " is unreadable"};
    positions_[origin] = {head->seq, hash, head->hlc};
    max_hlc_ = std::max(max_hlc_, head->hlc);
    start = storage::PrefixSuccessor(prefix);  // the next origin's first key
  }
}

Result<RecordState> RecordStore::Get(std::string_view kind, std::string_view id) const {
  std::string bytes;
  Status s = kv_->Get(Column::kRecords, keys::Record(kind, id), &bytes);
  if (!s.ok()) return s;
  return core::DecodeRecordState(bytes);
}

bool RecordStore::IsLive(std::string_view kind, std::string_view id) const {
  std::string bytes;
  return kv_->Get(Column::kRecords, keys::Record(kind, id), &bytes).ok() &&
         core::EncodedStateIsLive(bytes);
}

void RecordStore::Derive(const records::Family& family, RecordState* state) {
  if (!family.terms_fields.empty()) state->terms_hash = records::TermsHash(family, state->fields);
}

Result<RecordState> RecordStore::CommitLocal(core::Op* op, core::OpEffect* effect,
                                             const RecordState* current, size_t* op_bytes) {
  const records::Family* family = records::FindFamily(op->kind);
  if (family == nullptr) return Status::Invalid("kind", "unknown record family " + op->kind);
  OriginPosition pos;
  {
    std::lock_guard lock(mu_);
    // Read without inserting: a write that fails must not leave a {seq 0} entry behind.
    if (auto it = positions_.find(op->origin); it != positions_.end()) pos = it->second;
  }
  op->seq = pos.seq + 1;
  op->prev_hash = pos.head_hash;

  // The record before this op, if any: the caller's copy or one read here (not copied).
  RecordState loaded;
  const RecordState* prior = nullptr;
  if (current != nullptr) {
    if (!current->kind.empty()) prior = current;
  } else {
    auto existing = Get(op->kind, op->record_id);
    if (existing.ok()) {
      loaded = std::move(existing).value();
      prior = &loaded;
    } else if (existing.status().code() != Code::kNotFound) {
      return existing.status();
    }
  }
  if (prior != nullptr && !core::SortsAfter(*prior, *op))
    return Status::Internal("local op is older than the record's last op");
  const RecordState* base = current != nullptr ? current : prior;  // folded on as given
  RecordState after = base != nullptr ? *base : RecordState{};
  *effect = core::Apply(&after, *op);
  Derive(*family, &after);

  storage::WriteBatch batch;
  std::string op_key = keys::Op(op->origin, op->seq);
  std::string head;
  std::string encoded = core::EncodeOpAndHash(*op, &head);
  // Every reader of the op log refuses an op past kMaxOpBytes (DecodeOp): one written
  // here would stop this node's chain at every peer. Room is left for the signature a
  // large op gets once written. (The request's limit is on its JSON, and the stored
  // form can be larger.)
  constexpr size_t kSignatureRoom = 256;
  if (encoded.size() + kSignatureRoom > core::kMaxOpBytes)
    return Status::Invalid("body", "this change takes " + std::to_string(encoded.size()) +
                                       " bytes once encoded (the record's fields as one op); a change may take at most " +
                                       std::to_string(core::kMaxOpBytes - kSignatureRoom));
  if (op_bytes != nullptr) *op_bytes = encoded.size();
  batch.Put(Column::kOps, op_key, std::move(encoded));
  batch.Put(Column::kIndex, keys::History(op->kind, op->record_id, op->hlc, op->origin, op->seq), op_key);
  batch.Put(Column::kRecords, keys::Record(op->kind, op->record_id), core::EncodeRecordState(after));
  PutIndexes(*family, prior, after, &batch);
  std::vector<SearchChange> search_changes;
  PutSearchEntries(*family, prior, after, &batch, &search_changes);
  PASSERELLE_RETURN_IF_ERROR(kv_->Write(batch));
  for (const auto& change : search_changes) search_.Apply(change);
  Committed(op->origin, {op->seq, std::move(head), op->hlc}, op->hlc, 0);
  return after;
}

void RecordStore::PutIndexes(const records::Family& family, const RecordState* before,
                             const RecordState& after, storage::WriteBatch* batch) const {
  PutIndexChanges(before ? IndexKeys(family, *before) : std::set<std::string>{},
                  IndexKeys(family, after), batch);
}

void RecordStore::PutIndexChanges(const std::set<std::string>& old_keys,
                                  const std::set<std::string>& new_keys,
                                  storage::WriteBatch* batch) {
  for (const auto& k : old_keys)
    if (!new_keys.count(k)) batch->Delete(Column::kIndex, k);
  for (const auto& k : new_keys)
    if (!old_keys.count(k)) batch->Put(Column::kIndex, k, "");
}

core::ChainHead RecordStore::Head(const std::string& origin) const {
  std::lock_guard lock(mu_);
  auto it = positions_.find(origin);
  if (it == positions_.end()) return {};
  return {it->second.seq, it->second.head_hash, it->second.hlc};
}

Result<std::vector<std::string>> RecordStore::ReadSignedOps(const std::string& origin,
                                                            uint64_t after_seq,
                                                            size_t max_ops) const {
  std::vector<std::string> ops;
  std::string prefix = keys::OpPrefix(origin);
  size_t last_signed = 0;
  // A batch may run past max_ops to reach a signed op (ops are signed at least every
  // kSignEvery, so this stays bounded).
  // Bytes are bounded too: past kBatchByteBudget the batch ends at the next signed op
  // (origins sign large ops and every kSignEvery-th, so that stays bounded).
  size_t hard_cap = std::min(max_ops * 16 + 1024, kMaxBatchOpsReceived), bytes = 0;
  auto it = kv_->Scan(Column::kOps, prefix, keys::Op(origin, after_seq + 1));
  for (; it->Valid(); it->Next()) {
    ops.emplace_back(it->value());
    bytes += ops.back().size();
    if (core::EncodedOpIsSigned(ops.back())) last_signed = ops.size();
    if ((BatchFull(ops.size(), bytes, max_ops) && last_signed > 0) || ops.size() >= hard_cap) break;
  }
  // A read error is not "nothing signed yet": the caller would wait for ever.
  PASSERELLE_RETURN_IF_ERROR(it->status());
  ops.resize(last_signed);
  return ops;
}

Status RecordStore::SignBatchEnd(const std::string& origin, uint64_t after_seq, size_t max_ops,
                                 const std::function<std::string(const std::string& hash)>& sign) {
  // The cut ReadSignedOps makes (BatchFull), unless an op before it is signed.
  size_t count = 0, bytes = 0;
  uint64_t cut = 0;
  std::string cut_bytes;
  auto it = kv_->Scan(Column::kOps, keys::OpPrefix(origin), keys::Op(origin, after_seq + 1));
  for (; it->Valid(); it->Next()) {
    if (core::EncodedOpIsSigned(it->value())) return Status::Ok();  // the batch ends there
    ++count;
    bytes += it->value().size();
    cut = after_seq + count;
    if (BatchFull(count, bytes, max_ops)) {
      cut_bytes.assign(it->value());
      break;
    }
  }
  PASSERELLE_RETURN_IF_ERROR(it->status());
  if (count == 0) return Status::Ok();  // nothing after after_seq
  if (cut_bytes.empty())
    PASSERELLE_RETURN_IF_ERROR(kv_->Get(Column::kOps, keys::Op(origin, cut), &cut_bytes));
  std::string hash;
  auto op = core::DecodeOp(cut_bytes, &hash);
  if (!op.ok()) return op.status();
  return AddSignature(origin, cut, sign(hash));
}

Status RecordStore::AddSignature(const std::string& origin, uint64_t seq, const std::string& signature) {
  std::string bytes;
  PASSERELLE_RETURN_IF_ERROR(kv_->Get(Column::kOps, keys::Op(origin, seq), &bytes));
  auto op = core::DecodeOp(bytes);
  if (!op.ok()) return op.status();
  op->signature = signature;
  storage::WriteBatch batch;
  batch.Put(Column::kOps, keys::Op(origin, seq), core::EncodeOp(*op));
  return kv_->Write(batch);
}

std::unique_ptr<storage::Iterator> RecordStore::ScanRecords() const {
  return kv_->Scan(Column::kRecords, "");
}

Result<std::string> RecordStore::Digest(std::unique_ptr<storage::Iterator> records) const {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, core::kOpHashBytes);
  auto it = records != nullptr ? std::move(records) : ScanRecords();
  for (; it->Valid(); it->Next()) {
    std::string key(it->key());
    std::string len;
    core::PutVarint64(&len, key.size());
    core::PutVarint64(&len, it->value().size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(len.data()), len.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(it->value().data()), it->value().size());
  }
  if (!it->status().ok()) return it->status();
  std::string out(core::kOpHashBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

Result<RecordStore::Page> RecordStore::Scan(
    const records::Family& family, const std::string& index, const std::string& value,
    bool upper_bound, size_t limit, const std::string& token,
    const std::function<bool(const RecordState&)>& keep) const {
  std::string prefix;
  if (index.empty()) prefix = keys::RecordPrefix(family.kind);
  else if (upper_bound) prefix = keys::IndexPrefix(family.kind, index);
  else prefix = keys::IndexPrefix(family.kind, index) + value + '\0';

  std::string start;
  if (!token.empty()) {
    if (!FromHex(token, &start) || !start.starts_with(prefix))
      return Status::Invalid("page_token", "not a page token of this listing");
    start.push_back('\0');  // resume just after the last key returned
  }
  const records::IndexSpec* spec = nullptr;
  for (const auto& i : family.indexes)
    if (i.name == index) spec = &i;
  Page page;
  Column column = index.empty() ? Column::kRecords : Column::kIndex;
  std::string last_key;
  auto it = kv_->Scan(column, prefix, start);
  for (; it->Valid(); it->Next()) {
    std::string_view key = it->key();
    RecordState state;
    if (index.empty()) {
      auto decoded = core::DecodeRecordState(it->value());
      if (!decoded.ok()) return decoded.status();
      state = std::move(decoded).value();
    } else {
      // Equality scans sit inside one value's prefix: the rest is the id. Range scans
      // see "value \0 id".
      std::string_view id = key.substr(prefix.size());
      std::string_view entry_value;
      if (upper_bound) {
        size_t sep = id.rfind('\0');
        if (sep == std::string_view::npos) continue;
        entry_value = id.substr(0, sep);
        if (entry_value > value) break;
        id = id.substr(sep + 1);
      }
      auto got = Get(family.kind, id);
      if (!got.ok()) continue;  // index entry without record: skip
      state = std::move(got).value();
      // A record under several values (a project's countries) is listed once, at its
      // smallest: the first of its entries a range scan meets.
      if (upper_bound && spec != nullptr) {
        std::optional<std::string> smallest;
        for (auto& v : IndexValues(family, *spec, state))
          if (!v.empty() && (!smallest || v < *smallest)) smallest = std::move(v);
        if (smallest && *smallest != entry_value) continue;
      }
    }
    if (page.records.size() == limit) {
      page.next_token = core::ToHex(last_key);
      break;
    }
    last_key = std::string(key);
    if (!state.live() || (keep && !keep(state))) continue;
    page.records.push_back(std::move(state));
  }
  if (!it->status().ok()) return it->status();
  return page;
}

Result<std::vector<core::Op>> RecordStore::History(std::string_view kind,
                                                   std::string_view id) const {
  std::vector<core::Op> ops;
  auto it = kv_->Scan(Column::kIndex, keys::HistoryPrefix(kind, id));
  for (; it->Valid(); it->Next()) {
    std::string bytes;
    PASSERELLE_RETURN_IF_ERROR(kv_->Get(Column::kOps, it->value(), &bytes));
    auto op = core::DecodeOp(bytes);
    if (!op.ok()) return Status(Code::kDataLoss, "stored op unreadable: " + op.status().message());
    ops.push_back(std::move(op).value());
  }
  // A history cut short by a read error would be folded into a wrong state and stored.
  PASSERELLE_RETURN_IF_ERROR(it->status());
  return ops;
}

core::Hlc RecordStore::max_hlc() const {
  std::lock_guard lock(mu_);
  return max_hlc_;
}

std::map<std::string, uint64_t> RecordStore::VersionVector() const {
  std::lock_guard lock(mu_);
  std::map<std::string, uint64_t> vv;
  for (const auto& [origin, pos] : positions_) vv[origin] = pos.seq;
  return vv;
}

}  // namespace passerelle::service
