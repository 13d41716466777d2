// RecordStore's peer path: a peer's batch folded into its records and written whole,
// either at once under the write lock (CommitRemote) or planned beforehand while the
// previous batch is written (PlanRemote, then CommitPlan).
#include <algorithm>

#include "node/service/keys.h"
#include "node/service/record_store.h"
#include "node/service/search_index.h"

namespace passerelle::service {

using core::RecordState;
using storage::Column;

Result<bool> RecordStore::Fold(const std::vector<core::Op>& ops, size_t skip,
                               const std::vector<std::string_view>& encoded,
                               const RemotePlan* overlay, RemotePlan* plan) const {
  plan->batch.Reserve((ops.size() - skip) * 8 + 1);
  for (size_t i = skip; i < ops.size(); ++i) {
    const core::Op& op = ops[i];
    const records::Family* family = records::FindFamily(op.kind);
    if (family == nullptr) return Status::Invalid("kind", "unknown record family " + op.kind);
    // Keys from the family's kind, whatever name the op used for it.
    std::string rkey = keys::Record(family->kind, op.record_id);
    auto [it, fresh] = plan->touched.try_emplace(rkey);
    RemotePlan::Touched& t = it->second;
    if (fresh) {
      t.family = family;
      const RemotePlan::Touched* planned = nullptr;
      if (overlay != nullptr) {
        auto o = overlay->touched.find(rkey);
        if (o != overlay->touched.end()) planned = &o->second;
      }
      if (planned != nullptr) {
        // Stored once `overlay` commits, as a read from the store would find it.
        t.after = planned->after;
        t.from_overlay = true;
        t.old_index_keys = IndexKeys(*family, t.after);
        t.before = t.after;
      } else {
        auto existing = Get(family->kind, op.record_id);
        if (existing.ok()) {
          t.after = std::move(existing).value();
          t.old_index_keys = IndexKeys(*family, t.after);
          t.before = t.after;
        } else if (existing.status().code() != Code::kNotFound) {
          return existing.status();
        }
      }
    }
    t.batch_ops.push_back(i);
    std::string op_key = keys::Op(op.origin, op.seq);
    plan->batch.Put(Column::kIndex, keys::History(family->kind, op.record_id, op.hlc, op.origin, op.seq), op_key);
    plan->batch.Put(Column::kOps, std::move(op_key), std::string(encoded[i]));
    plan->result.applied++;
    if (t.late) continue;
    if (core::SortsAfter(t.after, op)) {
      if (core::Apply(&t.after, op) != core::OpEffect::kApplied) t.no_effect++;
      continue;
    }
    // A late op: the record is folded again below. The stored history lacks an
    // uncommitted plan's ops: such a record waits for that plan to be stored.
    if (t.from_overlay) return false;
    t.late = true;
  }
  for (auto& [rkey, t] : plan->touched) {
    if (t.late) {
      // Folded again from all its ops, stored and in this batch: once per batch however
      // many came late, each batch op's effect being the one it has in that fold.
      const core::Op& first = ops[t.batch_ops.front()];
      auto stored = History(t.family->kind, first.record_id);
      if (!stored.ok()) return stored.status();
      std::vector<core::Op> all = std::move(stored).value();
      for (size_t j : t.batch_ops) all.push_back(ops[j]);
      std::sort(all.begin(), all.end(), core::FoldsBefore);
      t.after = RecordState{};
      t.no_effect = 0;
      for (const auto& o : all)
        if (core::Apply(&t.after, o) != core::OpEffect::kApplied && o.origin == first.origin &&
            o.seq >= first.seq)
          t.no_effect++;
    }
    plan->result.no_effect += t.no_effect;
    Derive(*t.family, &t.after);
    PutIndexChanges(t.old_index_keys, IndexKeys(*t.family, t.after), &plan->batch);
    plan->batch.Put(Column::kRecords, rkey, core::EncodeRecordState(t.after));
    PutSearchEntries(*t.family, t.before ? &*t.before : nullptr, t.after, &plan->batch,
                     &plan->search_changes);
    plan->result.titles[rkey] = RecordTitle(*t.family, t.after.fields, t.after.id);
  }
  return true;
}

Result<RecordStore::RemoteResult> RecordStore::CommitRemote(
    const std::vector<core::Op>& ops, const std::vector<std::string_view>& encoded,
    const std::vector<std::string>& hashes) {
  if (ops.empty()) return RemoteResult{};
  RemotePlan plan;
  auto folded = Fold(ops, 0, encoded, nullptr, &plan);
  if (!folded.ok()) return folded.status();
  PASSERELLE_RETURN_IF_ERROR(kv_->Write(plan.batch));
  for (const auto& change : plan.search_changes) search_.Apply(change);
  core::Hlc max_hlc = 0;
  for (const auto& op : ops) max_hlc = std::max(max_hlc, op.hlc);
  Committed(ops.front().origin, {ops.back().seq, hashes.back(), ops.back().hlc}, max_hlc, 0);
  return std::move(plan.result);
}

std::shared_ptr<const RemotePlan> RecordStore::PlanRemote(
    const std::vector<core::Op>& ops, const std::vector<std::string>& encoded,
    const std::vector<std::string>& hashes, std::shared_ptr<const RemotePlan> previous) const {
  auto plan = std::make_shared<RemotePlan>();
  plan->id = next_plan_id_++;
  if (ops.empty() || encoded.size() != ops.size() || hashes.size() != ops.size()) return plan;
  plan->origin = ops.front().origin;
  uint64_t head;
  {
    std::lock_guard lock(mu_);
    plan->base_commits = commits_;
    auto it = positions_.find(plan->origin);
    head = it == positions_.end() ? 0 : it->second.seq;
    if (previous != nullptr && last_plan_ != previous->id) {
      // Committing now, or settled some other way (folded again, refused, duplicates):
      // read from it only if it would still be written as planned.
      if (!HoldsLocked(*previous)) {
        plan->wait_for_previous = true;
        return plan;
      }
      plan->read_plan = previous->id;
      if (previous->origin == plan->origin) head = std::max(head, previous->head.seq);
    }
  }
  while (plan->skip < ops.size() && ops[plan->skip].seq <= head) ++plan->skip;
  if (plan->skip == ops.size()) return plan;  // nothing new: the locked path says so
  std::vector<std::string_view> views(encoded.begin(), encoded.end());
  auto folded = Fold(ops, plan->skip, views, plan->read_plan != 0 ? previous.get() : nullptr,
                     plan.get());
  if (!folded.ok()) return plan;  // CommitRemote will say why
  if (!*folded) {  // a late op on a record of `previous`: its history must be stored first
    plan->wait_for_previous = true;
    return plan;
  }
  plan->head = {ops.back().seq, hashes.back(), ops.back().hlc};
  for (size_t i = plan->skip; i < ops.size(); ++i) plan->max_hlc = std::max(plan->max_hlc, ops[i].hlc);
  plan->complete = true;
  return plan;
}

bool RecordStore::HoldsLocked(const RemotePlan& plan) const {
  if (!plan.complete) return false;
  if (plan.read_plan == 0) return commits_ == plan.base_commits;
  return last_plan_ == plan.read_plan && commits_ == plan.base_commits + 1;
}

Result<bool> RecordStore::CommitPlan(const RemotePlan& plan, size_t skip) {
  if (!plan.complete || plan.skip != skip) return false;
  {
    std::lock_guard lock(mu_);
    if (!HoldsLocked(plan)) return false;
  }
  // The caller's write lock keeps any other commit out until Committed() below.
  PASSERELLE_RETURN_IF_ERROR(kv_->Write(plan.batch));
  for (const auto& change : plan.search_changes) search_.Apply(change);
  Committed(plan.origin, plan.head, plan.max_hlc, plan.id);
  return true;
}

}  // namespace passerelle::service
