// PeerSync: this node's side of replication. For every other member with a node
// address it keeps a Pull stream open (follow = subscription to new ops), applies each
// batch through RecordService::ApplyPeerBatch, counts refused ops by reason, and
// re-opens the stream every repair interval (a fresh pull repairs anything missed)
// or, after an error, with backoff. One thread per peer; Stop() joins them.
#pragma once

#include <atomic>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "node/peer/tls.h"

namespace grpc { class ClientContext; }
namespace passerelle::service { class RecordService; class Members; }

namespace passerelle::peer {

struct PeerSyncOptions {
  TlsFiles tls;                   // empty: insecure channels (tests only)
  int repair_interval_ms = 30000; // a stream is re-opened at least this often
  int backoff_min_ms = 100;       // first retry after an error
  int backoff_max_ms = 5000;      // retries slow down to this
};

struct PeerState {
  std::string member_id;
  std::string address;
  bool connected = false;
  uint64_t last_contact_ms = 0;  // wall clock of the last batch or stream start; 0: never
  uint64_t behind = 0;           // ops the peer had that this node lacked, at last contact
  uint64_t ops_received = 0;     // new ops stored from this peer
  std::string last_error;
};

class PeerSync {
 public:
  PeerSync(service::RecordService* service, const service::Members* members,
           PeerSyncOptions options);
  ~PeerSync();
  Status Start();
  void Stop();

  std::vector<PeerState> Peers() const;
  std::map<std::string, uint64_t> RefusedByReason() const;
  // {member_id, version_vector, digest, peers: [...], refused: {reason: n}}
  nlohmann::json StatusJson() const;

 private:
  struct Peer;
  void Run(Peer* peer);
  void PullOnce(Peer* peer, bool* made_contact);

  service::RecordService* service_;
  const service::Members* members_;
  PeerSyncOptions options_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> refused_;  // Guarded by mu_
  // After a restore: the peers that showed no op of this member beyond this store's.
  // Every peer must, or a lagging one could hide ops another holds. Guarded by mu_.
  std::set<const Peer*> own_chain_seen_by_;
};

}  // namespace passerelle::peer
