// RecordStore: the op log and what it folds into, on a KvStore. Committing an op
// writes, in ONE atomic batch, the op, the record re-folded with it, the index entries
// that changed and the record's history entry. The version vector is the op log's
// last key per origin (read at open, then kept in memory).
// Reads are thread-safe; callers serialise Commit* calls (RecordService's write lock).
#pragma once

#include <functional>
#include <map>
#include <mutex>
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

struct OriginPosition {
  uint64_t seq = 0;       // highest seq stored for this origin
  std::string head_hash;  // OpHash of that op
  core::Hlc hlc = 0;      // its timestamp
};

class RecordStore {
 public:
  explicit RecordStore(storage::KvStore* kv) : kv_(kv) {}

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

  // The newest stored op of `origin` (seq 0 when none).
  core::ChainHead Head(const std::string& origin) const;
  // Up to `max_ops` encoded ops of `origin` with seq > after_seq, in seq order, ending
  // on a signed op (a batch must), as stored: nothing is decoded.
  Result<std::vector<std::string>> ReadSignedOps(const std::string& origin, uint64_t after_seq,
                                                 size_t max_ops) const;
  // Whether op `seq` of `origin` carries a signature.
  bool IsSigned(const std::string& origin, uint64_t seq) const;
  // Stores `signature` on op `seq` of `origin` (ops are immutable but for this).
  Status AddSignature(const std::string& origin, uint64_t seq, const std::string& signature);

  // BLAKE2b over every materialised record in key order: equal op sets give equal
  // digests on every node.
  Result<std::string> Digest() const;

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
  // positions_ and max_hlc_ from the op log: each origin's last op.
  Status LoadPositions();
  // Caches derived values on a state about to be stored (the terms hash).
  static void Derive(const records::Family& family, core::RecordState* state);
  void PutIndexes(const records::Family& family, const core::RecordState* before,
                  const core::RecordState& after, storage::WriteBatch* batch) const;
  static void PutIndexChanges(const std::set<std::string>& old_keys,
                              const std::set<std::string>& new_keys, storage::WriteBatch* batch);

  storage::KvStore* kv_;
  mutable std::mutex mu_;                           // guards positions_ (readers too)
  std::map<std::string, OriginPosition> positions_;  // Guarded by mu_
  core::Hlc max_hlc_ = 0;                            // Guarded by mu_
  SearchPostings search_;                            // changed after each commit's write
};

}  // namespace passerelle::service
