// Nodes for the replication section, all in this process: a RecordService on RocksDB in
// a temporary directory, its peer port (PeerServer) and its pulling side (PeerSync), on
// insecure gRPC channels on loopback. Node 0 ("bench-a") acts for the bench's
// institutions; every node knows every member's Ed25519 key.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "bench/counting_store.h"
#include "bench/records.h"
#include "node/peer/peer_server.h"
#include "node/peer/peer_sync.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"

namespace passerelle::bench {

constexpr int kReplNodes = 3;
extern const char* const kReplNodeIds[kReplNodes];  // "bench-a", "bench-b", "bench-c"
constexpr size_t kReplRecordBytes = 500;            // JSON size of a replicated record

// Time spent in the wrapped store's Write calls (the RocksDB write of each commit).
// The wrapped store must outlive the decorator.
class TimedStore final : public storage::KvStore {
 public:
  explicit TimedStore(storage::KvStore* inner) : inner_(inner) {}
  Status Get(storage::Column column, std::string_view key, std::string* value) const override {
    return inner_->Get(column, key, value);
  }
  Status Write(const storage::WriteBatch& batch) override {
    auto start = std::chrono::steady_clock::now();
    Status s = inner_->Write(batch);
    write_ns_.fetch_add((std::chrono::steady_clock::now() - start).count(),
                        std::memory_order_relaxed);
    return s;
  }
  std::unique_ptr<storage::Iterator> Scan(storage::Column column, std::string_view prefix,
                                          std::string_view start) const override {
    return inner_->Scan(column, prefix, start);
  }
  Status Last(storage::Column column, std::string_view prefix, std::string* key,
              std::string* value) const override {
    return inner_->Last(column, prefix, key, value);
  }
  double write_seconds() const { return write_ns_.load() / 1e9; }

 private:
  storage::KvStore* inner_;
  std::atomic<int64_t> write_ns_{0};
};

// Keys and institutions of the three members, no addresses (who dials whom is each
// node's own PeerSync view). Must outlive the nodes opened with it.
Result<service::Members> ReplKeyMembers();

// Destroyed in reverse order of the fields: sync, dial, server, service, store, dir.
struct ReplNode {
  ReplNode(const std::string& root, const std::string& name) : dir(root, name) {}
  TempDir dir;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<CountingStore> counting;  // over `store`
  std::unique_ptr<TimedStore> timed;        // over `counting`; the service writes through it
  std::unique_ptr<service::RecordService> service;
  std::unique_ptr<peer::PeerServer> server;
  std::unique_ptr<service::Members> dial;  // the members this node's PeerSync pulls from
  std::unique_ptr<peer::PeerSync> sync;

  // Starts the peer port on 127.0.0.1 (a free port); address() is then "127.0.0.1:<port>".
  Status Serve();
  std::string address() const;
  // Starts pulling from the given nodes only (node index -> address).
  Status Follow(const std::map<int, std::string>& peers);
};

// Node `n` (0..2) on a fresh RocksDB store (WAL on, no fsync) with its signing key.
Result<std::unique_ptr<ReplNode>> OpenReplNode(const std::string& root, int n,
                                               const service::Members* keys);

// On node 0: creates the institutions, then `records` agreements of ~kReplRecordBytes
// (ids AgreementId("repl", i)).
Status PopulateReplNode(service::RecordService* a, size_t records);

// Sum of a version vector: ops stored.
uint64_t TotalOps(const std::map<std::string, uint64_t>& vv);

// Blocks until `node` has every op `want` names, or the deadline passes (false).
bool WaitForVector(const service::RecordService& node, const std::map<std::string, uint64_t>& want,
                   std::chrono::steady_clock::time_point deadline);

uint64_t WallMs();

}  // namespace passerelle::bench
