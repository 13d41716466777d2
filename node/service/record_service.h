// RecordService: the one place where requests on records are validated and authorised.
// gRPC, REST and the CLI are thin adapters over it. Records travel as JSON objects in
// the seed-data shape plus meta fields (id, owners, version, created_at, updated_at,
// updated_by). Every change becomes an op committed atomically with the record and
// its indexes. Thread-safe: reads run concurrently, writes are serialised.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "node/core/chain.h"
#include "node/core/signing.h"
#include "node/service/caller.h"
#include "storage/status.h"

namespace passerelle::storage { class KvStore; }
namespace passerelle::core { struct RecordState; struct Op; class HlcClock; }
namespace passerelle::records { struct Family; }

namespace passerelle::service {

class ChangeFeed;
class Members;
class RecordStore;
struct PendingOp;
struct RemotePlan;

struct ListQuery {
  // Equality filters by index name (?party=inmq, ?status=late), and "<index>_before"
  // for an upper bound (?end_date_before=2027-01-01). Unknown names are refused.
  std::map<std::string, std::string> filters;
  size_t page_size = 50;   // 1..1000; 0 means the default
  std::string page_token;  // from a previous page's next_page_token
};

struct RecordPage {
  std::vector<nlohmann::json> records;
  std::string next_page_token;  // empty on the last page
};

struct UpdateRequest {
  nlohmann::json patch = nlohmann::json::object();  // fields to set; null clears
  std::vector<std::string> mask;  // top-level fields to change; empty = patch's keys
  std::optional<uint64_t> expected_version;  // refused with ABORTED when stale
};

constexpr size_t kDefaultPageSize = 50;
// A local op is signed when seq % kSignEvery == 0, so a relay can cut a long catch-up
// into batches that each end on a signed op (one verification per batch).
constexpr uint64_t kSignEvery = 128;
// …and an op whose fields exceed this is signed too, so that the ops between two
// signatures stay under about 8 MiB (kSignEvery × this): batches stay bounded in bytes.
constexpr size_t kSignBytes = 64 << 10;
constexpr size_t kMaxPageSize = 1000;

class RecordService {
 public:
  // `store` and `members` must outlive the service. `now_ms` is wall-clock time in ms.
  RecordService(storage::KvStore* store, const Members* members, std::string member_id,
                std::function<uint64_t()> now_ms);
  ~RecordService();

  // Loads the node's op-log position; call once before serving.
  Status Open();

  // kind is a family's kind or plural ("agreement" / "agreements").
  // Errors: NOT_FOUND (unknown family), INVALID_ARGUMENT (field named),
  // ALREADY_EXISTS (live record with that id), PERMISSION_DENIED (this node's member
  // would not own it, or the caller's role may not write the family: roles.h).
  Result<nlohmann::json> Create(std::string_view kind, nlohmann::json record, const Caller& caller);
  // NOT_FOUND when absent or deleted.
  Result<nlohmann::json> Get(std::string_view kind, std::string_view id) const;
  // Records in id order (or index order when filtered); tombstones skipped.
  Result<RecordPage> List(std::string_view kind, const ListQuery& query) const;
  // Also ABORTED (stale expected_version), PERMISSION_DENIED (not an owner).
  Result<nlohmann::json> Update(std::string_view kind, std::string_view id,
                                const UpdateRequest& request, const Caller& caller);
  Status Delete(std::string_view kind, std::string_view id,
                std::optional<uint64_t> expected_version, const Caller& caller);
  // Records this member's approval of the agreement's terms (records/approval.h).
  // ABORTED when `terms_hash` is not the current terms' hash (they changed since the
  // caller read them); PERMISSION_DENIED when this member is not a party's.
  Result<nlohmann::json> Approve(std::string_view kind, std::string_view id,
                                 const std::string& terms_hash, const Caller& caller);
  // The record's ops, oldest first: {origin, seq, hlc, at, author, user, type, fields, effect}.
  Result<nlohmann::json> History(std::string_view kind, std::string_view id) const;

  // Owners a new record would get under the federation's rules (DESIGN.md). When the
  // record touches no member, that is the writer alone and *unclaimed* is set.
  Result<std::vector<std::string>> DeriveOwners(const records::Family& family,
                                                const nlohmann::json& fields,
                                                bool* unclaimed = nullptr) const;

  // ---- Replication (DESIGN.md "Replication") ----
  // The member's Ed25519 key. Every kSignEvery-th local op and every chain head served
  // to a peer is signed with it. Without one (a lone node) nothing is signed.
  void SetSigningKey(core::KeyPair key);
  // How far in the future a peer's op may be dated (default 5 minutes).
  void SetMaxClockSkewMs(uint64_t ms) { max_skew_ms_ = ms; }

  struct PeerBatchResult {
    core::Refusal refusal = core::Refusal::kNone;  // kNone: accepted (unless local_error)
    std::string detail;
    // This node could not store the batch (disk full, I/O): not the peer's fault, so not
    // a refusal; nothing was stored and the batch is to be fetched again.
    Status local_error;
    size_t applied = 0, duplicates = 0, no_effect = 0;
    bool as_planned = false;  // stored as PlanPeerBatch worked it out (else folded at commit)
  };
  // Checks and stores encoded ops (core::EncodeOp) of ONE origin received from a peer
  // (any peer: ops are relayed). Refused batches store nothing. Never throws,
  // whatever the bytes hold.
  PeerBatchResult ApplyPeerBatch(const std::vector<std::string>& encoded);
  // ApplyPeerBatch in steps, so that a caller can work on the next batches while the
  // current one commits: PreparePeerBatch decodes, hashes and validates each op;
  // PlanPeerBatch works out its store writes (both without the lock, thread-safe);
  // CommitPeerBatch checks the chain and its signature against the store and stores the
  // batch atomically: as planned if the plan still holds, else folded again under the
  // lock. ApplyPeerBatch(e) == CommitPeerBatch(PreparePeerBatch(e)), planned or not.
  struct PreparedPeerBatch {
    std::vector<std::string> encoded;
    std::vector<core::Op> ops;        // decoded; empty when refused
    std::vector<std::string> hashes;  // OpHash of each op
    std::string origin;               // of its first op, once decoded ("" if none was)
    std::string origin_key;           // the origin's Ed25519 public key
    PeerBatchResult refused;          // refusal != kNone: refused while preparing
    std::shared_ptr<const RemotePlan> plan;  // its store writes (record_store.h), if planned
  };
  PreparedPeerBatch PreparePeerBatch(std::vector<std::string> encoded) const;
  // `previous`: the plan of the batch planned just before, which may be committing.
  // False when the batch cannot be planned on top of it: plan it again, with no
  // previous, once that batch is committed (or commit it unplanned).
  bool PlanPeerBatch(PreparedPeerBatch* batch, std::shared_ptr<const RemotePlan> previous) const;
  PeerBatchResult CommitPeerBatch(PreparedPeerBatch batch);
  // Encoded ops of `origin` after `after_seq` (about max_ops), ending on a signed op,
  // for a peer, as stored; first signs, in this node's own chain, the op where the batch
  // ends if none before it is signed (RecordStore::SignBatchEnd).
  Result<std::vector<std::string>> OpsForPeer(const std::string& origin, uint64_t after_seq,
                                              size_t max_ops);
  // Increases on every commit, local or from a peer. WaitForChange blocks until it
  // differs from `seen` or `timeout_ms` passes; returns the current value.
  uint64_t Generation() const;
  uint64_t WaitForChange(uint64_t seen, int timeout_ms) const;
  // Digest of the materialised state (equal version vectors => equal digests). With
  // `version_vector`, also the vector of that same state (no commit between the two).
  Result<std::string> Digest(std::map<std::string, uint64_t>* version_vector = nullptr) const;

  // A consistent copy of the store in `dir` (storage::KvStore::Checkpoint); returns the
  // version vector it holds. Writes wait while it is taken (milliseconds; backup.h).
  Result<std::map<std::string, uint64_t>> Checkpoint(const std::string& dir);

  const std::string& member_id() const { return member_id_; }
  // The members acting for the institutions a record names in its family's owner fields
  // (an agreement's parties, a framework's authority), sorted; empty if none runs a node.
  std::vector<std::string> MembersActingFor(const records::Family& family,
                                            const nlohmann::json& fields) const;
  // Whose approval of its current terms makes a record signed (records/approval.h): its
  // owners and the members acting for the institutions it names, sorted. A party's member
  // that the owners lost (a concurrent owners change, a dishonest peer) is still asked.
  std::vector<std::string> Approvers(const records::Family& family, const core::RecordState& state) const;

  // After a restore the store may lack ops this member wrote later, which its peers hold;
  // a new local op would reuse their numbers and fork the chain for ever. So, while
  // unconfirmed (keys::kOwnHeadUnconfirmedKey in meta), local writes fail UNAVAILABLE.
  // Peer sync calls ConfirmOwnHead once every peer's version vector has held no op of this
  // member beyond this store's.
  bool own_head_confirmed() const { return own_head_confirmed_; }
  Status ConfirmOwnHead();
  // origin -> highest seq stored.
  std::map<std::string, uint64_t> VersionVector() const;
  // Fields of a record without meta (for import's "unchanged" test); NOT_FOUND if absent.
  Result<nlohmann::json> ContentOf(std::string_view kind, std::string_view id) const;

  // ---- For the web client (record_service_feeds.cc, dashboard.cc) ----
  // Records whose search fields hold every word of `q` (the last as a prefix), case and
  // accents ignored: {"query","results":[{kind,id,title,snippet}]}. `kind` ("" = all)
  // a kind or plural; q 1..200 characters; limit 1..100. INVALID_ARGUMENT names the field.
  Result<nlohmann::json> Search(std::string_view q, std::string_view kind, size_t limit) const;
  // The dashboard as of `today` (YYYY-MM-DD; "" = the node's date): node/README.md.
  Result<nlohmann::json> Dashboard(std::string_view today) const;
  // Recent commits and subscriptions to new ones (change_feed.h).
  ChangeFeed& changes() const { return *changes_; }

 private:
  // The record as the API shows it (meta; approvals gathered and status derived for
  // families with terms); the && form moves the state's fields instead of copying them.
  nlohmann::json Present(const records::Family& family, const core::RecordState& state) const;
  nlohmann::json Present(const records::Family& family, core::RecordState&& state) const;
  // `owners` as the request named them, checked to include every member acting for an
  // institution the record names (parties, lead, authority), or the derived ones if the
  // request named none.
  Status OwnersOrDerived(const records::Family& family, const nlohmann::json& content,
                         std::vector<std::string>* owners) const;
  // Reads an explicit owners list: non-empty, every entry a member of the federation.
  Status ParseOwners(const nlohmann::json& list, std::vector<std::string>* owners) const;
  // Validates `fields` and checks that what they reference exists. With `changed`,
  // only references from those top-level fields are checked (an untouched field may
  // keep pointing at a record deleted since). `before`, for an update, is the record's
  // state: cross-field rules it already broke are judged as records::Validate says.
  Status CheckReferences(const records::Family& family, const nlohmann::json& fields,
                         const nlohmann::json* changed = nullptr,
                         const nlohmann::json* before = nullptr) const;
  // A level mapping is written only by its source framework's authority (an owner of
  // from.framework_id), whatever owners the request names: PERMISSION_DENIED otherwise.
  // A level mapping is written or deleted only by its source framework's authority.
  Status CheckMappingAuthority(const records::Family& family, const nlohmann::json& fields) const;
  // For creates and updates: also both ends a framework level.
  Status CheckLevelMappingWrite(const records::Family& family, const nlohmann::json& fields) const;
  // Commits one op; caller holds write_mu_. Fails unless the op takes effect.
  // `current` is the record as read under the lock (see RecordStore::CommitLocal).
  Result<nlohmann::json> CommitLocked(PendingOp op, const core::RecordState* current);

  storage::KvStore* kv_;
  const Members* members_;
  std::string member_id_;
  std::function<uint64_t()> now_ms_;
  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<core::HlcClock> clock_;  // Guarded by write_mu_
  std::optional<core::KeyPair> signing_key_;  // Guarded by write_mu_
  uint64_t max_skew_ms_ = 5 * 60 * 1000;
  mutable std::mutex gen_mu_;
  mutable std::condition_variable gen_cv_;
  uint64_t generation_ = 0;  // Guarded by gen_mu_
  void BumpGeneration();
  mutable std::mutex write_mu_;            // serialises every write
  std::atomic<bool> own_head_confirmed_{true};
  // Tells the change feed of committed ops (the last kChangeRingSize of them). `titles`
  // (by record key) spares reading records back; a record missing there is read.
  void PublishChanges(const core::Op* ops, size_t count,
                      const std::map<std::string, std::string>& titles = {});
  // Fills the change feed from the op log at open (newest ops by clock).
  void LoadRecentChanges();
  std::unique_ptr<ChangeFeed> changes_;
};

// Splits an outgoing record into content fields and meta; strips output-only meta.
nlohmann::json ContentFields(const nlohmann::json& record);

}  // namespace passerelle::service
