// RecordStore: the op log and what it folds into, on a KvStore. Committing an op
// writes, in ONE atomic batch, the op, the record re-folded with it, the index entries
// that changed and the record's history entry. The version vector is the op log's
// last key per origin (read at open, then kept in memory).
// Reads are thread-safe; callers serialise Commit* calls (RecordService's write lock).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node/core/chain.h"
#include "node/core/fold.h"
#include "node/core/op.h"
#include "node/records/family.h"
#include "node/service/search_postings.h"
#include "storage/kv_store.h"

namespace passerelle::service {

// A batch for a peer stops at the first signed op past this many bytes.
constexpr size_t kBatchByteBudget = 4 << 20;
// The most ops a batch for a peer holds, and a received batch may hold.
constexpr size_t kMaxBatchOpsReceived = 17 * 1024;

struct OriginPosition {
  uint64_t seq = 0;       // highest seq stored for this origin
  std::string head_hash;  // OpHash of that op
  core::Hlc hlc = 0;      // its timestamp
};

struct RemotePlan;  // below

// Who must approve a record's terms for it to show as signed (records::IndexedRecord::
// approvers), and a fingerprint of what that depends on besides the record (the members
// file's acting-for lists): the status index is rebuilt at open when it changes. Without
// a rule, a record's owners approve and the fingerprint is not checked.
struct ApproverRule {
  std::function<std::vector<std::string>(const records::Family&, const core::RecordState&)> approvers;
  std::string fingerprint;
};

class RecordStore {
 public:
  explicit RecordStore(storage::KvStore* kv, ApproverRule rule = {}) : kv_(kv), rule_(std::move(rule)) {}

  // Checks the on-disk format (refuses a newer one, migrates format 3), loads the
  // version vector from the op log and the search postings.
  Status Open();

  // Numbers a new local op (seq, prev_hash from `origin`'s head), folds it into its
  // record and commits everything. Precondition: op->hlc is newer than any stored op.
  // `current` is the record as the caller just read it under the write lock (nullptr:
  // read it here; an empty state: there is none).
  // `op_bytes`, if given, receives the size of the encoded op.
  Result<core::RecordState> CommitLocal(core::Op* op, core::OpEffect* effect,
                                        const core::RecordState* current = nullptr,
                                        size_t* op_bytes = nullptr);

  // Whether a live record exists, without decoding it.
  bool IsLive(std::string_view kind, std::string_view id) const;

  struct RemoteResult {
    size_t applied = 0;    // ops stored (new to this node)
    size_t no_effect = 0;  // of those, ops the fold refused (author not an owner…)
    std::map<std::string, std::string> titles;  // by record key: each touched record's title
  };
  // Stores ops received from a peer, all of one origin, contiguous after Head(origin)
  // and already checked (core::CheckBatch); re-folds each record they touch (fully
  // when an op sorts before ops already folded). One atomic batch. `encoded` and
  // `hashes` are each op's bytes as received and its hash: stored as they are.
  Result<RemoteResult> CommitRemote(const std::vector<core::Op>& ops,
                                    const std::vector<std::string_view>& encoded,
                                    const std::vector<std::string>& hashes);

  // CommitRemote in two steps, so that a batch's fold, index and search work can run
  // while the batch before it is written: PlanRemote works out the writes without the
  // write lock; CommitPlan, under it, writes them if what the plan read still holds.
  // Plans `ops` (one origin, in seq order, not yet checked) past the ones the store or
  // `previous` already holds. `previous`: the plan made just before (of any origin);
  // while it is being committed its records are read from it. When that cannot be
  // (it will not be written as planned), the plan says wait_for_previous: plan again
  // with no previous once it is committed. Thread-safe.
  std::shared_ptr<const RemotePlan> PlanRemote(const std::vector<core::Op>& ops,
                                               const std::vector<std::string>& encoded,
                                               const std::vector<std::string>& hashes,
                                               std::shared_ptr<const RemotePlan> previous) const;
  // Writes `plan` when it still holds: nothing was committed since it was made but the
  // plan it read from, and `skip` ops (the checked batch's duplicates) are the ones it
  // left out; then true, and plan.result is what was stored. Otherwise stores nothing
  // and returns false: call CommitRemote. Call under the same write lock as the other
  // Commit* calls.
  Result<bool> CommitPlan(const RemotePlan& plan, size_t skip);

  // The values `state` is found under in `index` of `family`, as its index entries hold
  // them (with this store's approvers for families with terms): what a filter compares.
  std::vector<std::string> IndexValues(const records::Family& family, const records::IndexSpec& index,
                                       const core::RecordState& state) const;

  // The newest stored op of `origin` (seq 0 when none).
  core::ChainHead Head(const std::string& origin) const;
  // Up to `max_ops` encoded ops of `origin` with seq > after_seq, in seq order, ending
  // on a signed op (a batch must), as stored: nothing is decoded.
  Result<std::vector<std::string>> ReadSignedOps(const std::string& origin, uint64_t after_seq,
                                                 size_t max_ops) const;
  // Stores `signature` on op `seq` of `origin` (ops are immutable but for this).
  Status AddSignature(const std::string& origin, uint64_t seq, const std::string& signature);
  // For this node's own chain: makes sure ReadSignedOps(origin, after_seq, max_ops) ends
  // within max_ops ops and about kBatchByteBudget bytes, by signing (`sign` turns an op's
  // hash into its signature) the op where such a batch is cut, unless an op before it is
  // signed already. Ops written without a key (an import, a lone node) become servable.
  Status SignBatchEnd(const std::string& origin, uint64_t after_seq, size_t max_ops,
                      const std::function<std::string(const std::string& hash)>& sign);

  // BLAKE2b over every materialised record in key order: equal op sets give equal
  // digests on every node. `records` (from ScanRecords, a view as of its creation) or
  // else the records now.
  Result<std::string> Digest(std::unique_ptr<storage::Iterator> records = nullptr) const;
  std::unique_ptr<storage::Iterator> ScanRecords() const;

  // NOT_FOUND when no op ever touched the record (tombstones are returned).
  Result<core::RecordState> Get(std::string_view kind, std::string_view id) const;

  struct Page {
    std::vector<core::RecordState> records;
    std::string next_token;
  };
  // Live records of a family, by id, or through one index: `value` exact, or every
  // value <= `value` when `upper_bound`. `token` resumes after a previous page.
  Result<Page> Scan(const records::Family& family, const std::string& index,
                    const std::string& value, bool upper_bound, size_t limit,
                    const std::string& token,
                    const std::function<bool(const core::RecordState&)>& keep) const;

  // The record's ops in fold order.
  Result<std::vector<core::Op>> History(std::string_view kind, std::string_view id) const;

  std::map<std::string, uint64_t> VersionVector() const;
  // The search index's word lists (search_index.h), current with the last commit.
  const SearchPostings& search_postings() const { return search_; }
  // Highest hlc among the stored chain heads (a restarted node's clock starts above it).
  core::Hlc max_hlc() const;

 private:
  Status MigrateFromFormat3();
  // Rewrites every secondary index entry from the records when kIndexVersion changed.
  Status RebuildIndexesIfStale();
  // positions_ and max_hlc_ from the op log: each origin's last op.
  Status LoadPositions();
  // The index entries a state has (none when it is not live).
  std::set<std::string> IndexKeys(const records::Family& family, const core::RecordState& s) const;
  // What IndexedRecord::approvers holds for `s`: its owners, or the rule's approvers,
  // worked out into `*worked_out` (which must outlive the use of the result).
  const std::vector<std::string>& IndexApprovers(const records::Family& family, const core::RecordState& s,
                                                 std::vector<std::string>* worked_out) const;
  // The value of meta index_version this store's index entries are written for.
  std::string IndexVersion() const;
  // Caches derived values on a state about to be stored (the terms hash).
  static void Derive(const records::Family& family, core::RecordState* state);
  void PutIndexes(const records::Family& family, const core::RecordState* before,
                  const core::RecordState& after, storage::WriteBatch* batch) const;
  static void PutIndexChanges(const std::set<std::string>& old_keys,
                              const std::set<std::string>& new_keys, storage::WriteBatch* batch);
  // The fold, index and search writes of ops[skip..] onto `plan`; `overlay`: records
  // to read from it rather than the store. A record an op reaches late (sorting before
  // what it folded) is folded again from all its ops, once per batch. False when that
  // record is in `overlay` (its history is not stored yet).
  Result<bool> Fold(const std::vector<core::Op>& ops, size_t skip,
                    const std::vector<std::string_view>& encoded, const RemotePlan* overlay,
                    RemotePlan* plan) const;
  // Whether `plan` would be written as planned if committed now. Requires mu_.
  bool HoldsLocked(const RemotePlan& plan) const;
  // After a commit: the origin's new head, and one more commit counted.
  void Committed(const std::string& origin, const OriginPosition& head, core::Hlc max_hlc,
                 uint64_t plan_id);

  storage::KvStore* kv_;
  const ApproverRule rule_;
  mutable std::mutex mu_;                           // guards positions_ (readers too)
  std::map<std::string, OriginPosition> positions_;  // Guarded by mu_
  core::Hlc max_hlc_ = 0;                            // Guarded by mu_
  uint64_t commits_ = 0;    // commits so far, of any kind. Guarded by mu_
  uint64_t last_plan_ = 0;  // id of the last plan committed as planned. Guarded by mu_
  mutable std::atomic<uint64_t> next_plan_id_{1};
  SearchPostings search_;                            // changed after each commit's write
};

// What PlanRemote worked out; read-only once made (a later plan reads its records).
struct RemotePlan {
  struct Touched {
    const records::Family* family = nullptr;
    std::set<std::string> old_index_keys;      // as stored before the batch
    std::optional<core::RecordState> before;   // as stored before the batch (none: new)
    core::RecordState after;                   // folded with the batch's ops
    std::vector<size_t> batch_ops;             // indexes into the batch's ops
    bool from_overlay = false;                 // read from the previous plan, not the store
    bool late = false;       // an op sorted before what it had folded: folded again whole
    size_t no_effect = 0;    // the batch's ops on it that the fold refused
  };
  uint64_t id = 0;
  std::string origin;
  size_t skip = 0;            // leading ops already stored (or in the previous plan)
  OriginPosition head;        // the origin's head once committed
  core::Hlc max_hlc = 0;
  bool complete = false;      // false: nothing planned; the batch folds under the lock
  bool wait_for_previous = false;  // not planned because of `previous`: plan again after it
  std::map<std::string, Touched> touched;  // by record key
  storage::WriteBatch batch;
  std::vector<SearchChange> search_changes;
  RecordStore::RemoteResult result;
  // What it read, so that CommitPlan can tell whether it still holds.
  uint64_t base_commits = 0;  // commits_ when planning began
  uint64_t read_plan = 0;     // the uncommitted plan it read records from (0: none)
};

}  // namespace passerelle::service
