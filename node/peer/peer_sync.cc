#include "node/peer/peer_sync.h"

#include <algorithm>

#include <chrono>
#include <utility>
#include <grpcpp/grpcpp.h>

#include "node/core/coding.h"
#include "node/core/op.h"
#include "node/log/log.h"
#include "node/metrics/registry.h"
#include "node/records/family.h"
#include "node/peer/serial_worker.h"
#include "node/service/federation_status.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "passerelle/v1/peer.grpc.pb.h"

namespace passerelle::peer {
namespace {

namespace pb = passerelle::v1;

// How long an origin whose batch was refused is left out of the pulls from that peer:
// doubling from the first value to the second while refusals go on.
constexpr uint64_t kOriginRetryMinMs = 30 * 1000;
constexpr uint64_t kOriginRetryMaxMs = 30 * 60 * 1000;
// The most origins skipped per peer: a peer naming a new origin in each refused batch
// makes room by pushing out the one whose wait ends first, so memory stays bounded.
constexpr size_t kMaxSkippedOrigins = 64;

uint64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// This peer's series in the metrics registry (looked up once; updates are atomics).
struct PeerMetrics {
  explicit PeerMetrics(const std::string& member)
      : received(metrics::Global().GetCounter("passerelle_peer_ops_received_total",
                                              "New ops stored from this peer (any origin)",
                                              {{"peer", member}})),
        behind(metrics::Global().GetGauge("passerelle_peer_behind_ops",
                                          "Ops the peer had that this node lacked, at last contact",
                                          {{"peer", member}})),
        connected(metrics::Global().GetGauge("passerelle_peer_connected",
                                             "1 while a pull stream to the peer is open",
                                             {{"peer", member}})),
        last_contact(metrics::Global().GetGauge(
            "passerelle_peer_last_contact_timestamp_seconds",
            "Wall-clock time of the last batch from the peer (0: never)", {{"peer", member}})) {}
  metrics::Counter& received;
  metrics::Gauge& behind;
  metrics::Gauge& connected;
  metrics::Gauge& last_contact;
};

struct PeerSync::Peer {
  std::unique_ptr<PeerMetrics> metrics;
  std::string member_id, address;
  std::shared_ptr<grpc::Channel> channel;
  std::thread thread;
  mutable std::mutex mu;
  PeerState state;                        // Guarded by mu
  grpc::ClientContext* active = nullptr;  // Guarded by mu: the open stream, to cancel
  bool store_failing = false;             // Guarded by mu: the last batch could not be stored
  // Origins whose batch from this peer was refused: asked again only after `until_ms`,
  // the wait doubling per refusal (kOriginRetryMinMs .. kOriginRetryMaxMs), so the other
  // origins keep flowing meanwhile. Guarded by mu.
  struct Skipped {
    uint64_t until_ms = 0, wait_ms = 0;
  };
  std::map<std::string, Skipped> skipped;

  // Skips `origin` longer after a refusal of its batch. A name that no op could carry
  // (a peer's label can be anything) is not kept: the stream's backoff applies.
  void SkipLocked(const std::string& origin, uint64_t now) {
    if (!records::IsValidId(origin)) return;
    if (!skipped.count(origin) && skipped.size() >= kMaxSkippedOrigins) {
      auto first = std::min_element(skipped.begin(), skipped.end(), [](const auto& a, const auto& b) {
        return a.second.until_ms < b.second.until_ms;
      });
      skipped.erase(first);
    }
    Skipped& skip = skipped[origin];
    skip.wait_ms = std::clamp<uint64_t>(skip.wait_ms * 2, kOriginRetryMinMs, kOriginRetryMaxMs);
    skip.until_ms = now + skip.wait_ms;
  }
};

PeerSync::PeerSync(service::RecordService* service, const service::Members* members,
                   PeerSyncOptions options)
    : service_(service), members_(members), options_(std::move(options)) {}

PeerSync::~PeerSync() { Stop(); }

Status PeerSync::Start() {
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (!options_.tls.empty()) {
    auto tls = PeerChannelCredentials(options_.tls);
    if (!tls.ok()) return tls.status();
    creds = *tls;
  }
  for (const auto& m : members_->all()) {
    if (m.id == service_->member_id() || m.node_address.empty()) continue;
    auto peer = std::make_unique<Peer>();
    peer->member_id = m.id;
    peer->address = m.node_address;
    peer->state.member_id = m.id;
    peer->state.address = m.node_address;
    peer->metrics = std::make_unique<PeerMetrics>(m.id);
    grpc::ChannelArguments args;
    // The peer's certificate must name its member (SAN DNS:<member id>).
    if (!options_.tls.empty()) args.SetSslTargetNameOverride(m.id);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, options_.backoff_min_ms);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, options_.backoff_max_ms);
    args.SetMaxReceiveMessageSize(32 << 20);  // a batch: ~4 MiB budget + up to ~8 MiB to a signed op
    peer->channel = grpc::CreateCustomChannel(m.node_address, creds, args);
    peers_.push_back(std::move(peer));
  }
  for (auto& p : peers_) p->thread = std::thread([this, raw = p.get()] { Run(raw); });
  return Status::Ok();
}

void PeerSync::Stop() {
  if (stopping_.exchange(true)) return;
  for (auto& p : peers_) {
    std::lock_guard lock(p->mu);
    if (p->active) p->active->TryCancel();
  }
  for (auto& p : peers_)
    if (p->thread.joinable()) p->thread.join();
}

void PeerSync::Run(Peer* peer) {
  int backoff = options_.backoff_min_ms;
  while (!stopping_) {
    bool made_contact = false;
    PullOnce(peer, &made_contact);
    if (stopping_) break;
    if (made_contact) backoff = options_.backoff_min_ms;
    // Wait before retrying, waking early on Stop().
    for (int waited = 0; waited < backoff && !stopping_; waited += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!made_contact) backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
}

void PeerSync::PullOnce(Peer* peer, bool* made_contact) {
  auto stub = pb::PeerService::NewStub(peer->channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(options_.repair_interval_ms));
  {
    std::lock_guard lock(peer->mu);
    if (stopping_) return;
    peer->active = &ctx;
  }
  pb::PullRequest request;
  request.set_member_id(service_->member_id());
  request.set_follow(true);
  {
    std::lock_guard lock(peer->mu);
    const uint64_t now = NowMs();
    for (const auto& [origin, skip] : peer->skipped)
      if (skip.until_ms > now) request.add_skip_origins(origin);
  }
  for (const auto& [origin, seq] : service_->VersionVector())
    (*request.mutable_version_vector())[origin] = seq;
  auto reader = stub->Pull(&ctx, request);
  // Two stages, each batch still stored whole and in order: this thread reads batch
  // k+1, decodes and checks its ops and works out its store writes (reading batch k's
  // records from k's plan) while the committer stores batch k. After a refusal the
  // stream is cancelled and no later batch is stored. (A third stage, planning apart
  // from decoding, measured no faster: the two cores are then as busy.)
  std::atomic<bool> refused{false};
  std::atomic<bool> local_failure{false};  // this node could not store a batch
  std::string error;  // written by the committer, read after Wait()
  using Prepared = service::RecordService::PreparedPeerBatch;
  auto commit = [&](Prepared* prepared, const std::map<std::string, uint64_t>& sender_vv,
                    size_t count, const std::string& origin) {
    if (refused) return;
    auto result = service_->CommitPeerBatch(std::move(*prepared));
    if (!result.local_error.ok()) {  // this node's store failed: no refusal, fetch it again
      bool first;
      {
        std::lock_guard lock(peer->mu);
        first = !peer->store_failing;
        peer->store_failing = true;
        peer->state.last_error = "this node could not store a batch: " + result.local_error.ToString();
      }
      if (first)  // logged once, not at every retry (the disk may be the full one)
        PLOG_ERROR("peer {}: cannot store a batch of {}: {}", peer->member_id, origin,
                   result.local_error.ToString());
      local_failure = true;  // retried with a growing backoff, as if unreachable
      refused = true;
      ctx.TryCancel();
      return;
    }
    bool recovered = false;
    {
      std::lock_guard lock(peer->mu);
      recovered = std::exchange(peer->store_failing, false);
    }
    if (recovered) PLOG_INFO("peer {}: batches are stored again", peer->member_id);
    core::Refusal refusal = result.refusal;
    if (refusal != core::Refusal::kNone)
      error = std::string(core::RefusalName(refusal)) + ": " + result.detail;
    auto mine = service_->VersionVector();
    uint64_t behind = 0;
    for (const auto& [origin, seq] : sender_vv)
      if (seq > mine[origin]) behind += seq - mine[origin];
    // A restored node writes again once every peer has shown it holds no op of this
    // member beyond this store's.
    std::string confirm_error;
    if (refusal == core::Refusal::kNone && !service_->own_head_confirmed()) {
      auto theirs = sender_vv.find(service_->member_id());
      if (theirs == sender_vv.end() || theirs->second <= mine[service_->member_id()]) {
        bool all;
        {
          std::lock_guard lock(mu_);
          own_chain_seen_by_.insert(peer);
          all = own_chain_seen_by_.size() == peers_.size();
        }
        Status s = all ? service_->ConfirmOwnHead() : Status::Ok();
        if (!s.ok()) confirm_error = "cannot confirm this node's own chain: " + s.ToString();
      }
    }
    {
      std::lock_guard lock(peer->mu);
      peer->state.connected = true;
      peer->state.last_contact_ms = NowMs();
      peer->state.behind = behind;
      peer->state.ops_received += result.applied;
      peer->state.last_error = refusal != core::Refusal::kNone ? error : confirm_error;
      if (refusal != core::Refusal::kNone) {
        peer->SkipLocked(origin, NowMs());
      } else if (result.applied > 0) {
        peer->skipped.erase(origin);
      }
    }
    peer->metrics->received.Inc(result.applied);
    peer->metrics->behind.Set(static_cast<int64_t>(behind));
    peer->metrics->connected.Set(1);
    peer->metrics->last_contact.Set(static_cast<int64_t>(NowMs() / 1000));
    if (refusal != core::Refusal::kNone) {
      const size_t n = std::max<size_t>(1, count - result.duplicates);
      {
        std::lock_guard lock(mu_);
        refused_[core::RefusalName(refusal)] += n;
      }
      metrics::Global()
          .GetCounter("passerelle_refused_ops_total", "Ops received from peers and refused, by reason",
                      {{"reason", core::RefusalName(refusal)}})
          .Inc(n);
      refused = true;
      ctx.TryCancel();  // the stream is past this batch: drop it, reopen without its origin
    }
  };
  SerialWorker committer;
  std::shared_ptr<const service::RemotePlan> last_plan;  // batch k's, kept apart from k
  pb::OpBatch batch;
  while (!refused && reader->Read(&batch)) {
    *made_contact = true;
    std::vector<std::string> ops;
    ops.reserve(batch.ops_size());
    for (auto& bytes : *batch.mutable_ops()) ops.push_back(std::move(bytes));  // no copy
    size_t count = ops.size();
    auto prepared = std::make_shared<Prepared>(service_->PreparePeerBatch(std::move(ops)));
    if (!service_->PlanPeerBatch(prepared.get(), last_plan)) {
      committer.Wait();  // batch k folds again under the lock: plan k+1 on what it stores
      service_->PlanPeerBatch(prepared.get(), nullptr);
    }
    last_plan = prepared->plan;
    auto sender_vv = std::make_shared<std::map<std::string, uint64_t>>(
        batch.sender_version_vector().begin(), batch.sender_version_vector().end());
    // The origin the ops themselves name (a peer's label could name another).
    std::string origin = prepared->origin.empty() ? batch.origin() : prepared->origin;
    committer.Submit([&commit, prepared, sender_vv, count, origin = std::move(origin)] {
      commit(prepared.get(), *sender_vv, count, origin);
    });
  }
  committer.Wait();
  if (local_failure) *made_contact = false;  // back off: our store, not the peer, failed
  grpc::Status status = reader->Finish();
  std::lock_guard lock(peer->mu);
  peer->active = nullptr;
  peer->state.connected = false;
  peer->metrics->connected.Set(0);
  if (!status.ok() && status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
      status.error_code() != grpc::StatusCode::CANCELLED)
    peer->state.last_error = status.error_message();
  else if (!error.empty())
    peer->state.last_error = error;
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && *made_contact)
    peer->state.last_contact_ms = NowMs();  // a repair restart of a live stream
}

std::vector<PeerState> PeerSync::Peers() const {
  std::vector<PeerState> out;
  for (const auto& p : peers_) {
    std::lock_guard lock(p->mu);
    out.push_back(p->state);
  }
  return out;
}

std::map<std::string, uint64_t> PeerSync::RefusedByReason() const {
  std::lock_guard lock(mu_);
  return refused_;
}

nlohmann::json PeerSync::StatusJson() const {
  nlohmann::json j = service::LoneNodeStatus(*service_);
  uint64_t now = NowMs();
  for (const auto& p : Peers()) {
    nlohmann::json pj = {{"member_id", p.member_id}, {"address", p.address},
                         {"connected", p.connected}, {"behind", p.behind},
                         {"ops_received", p.ops_received}};
    pj["last_contact_ms_ago"] = p.last_contact_ms ? nlohmann::json(now - p.last_contact_ms) : nlohmann::json(nullptr);
    if (!p.last_error.empty()) pj["last_error"] = p.last_error;
    j["peers"].push_back(pj);
  }
  auto refused = RefusedByReason();
  j["refused"] = refused;
  uint64_t total = 0;
  for (const auto& [r, n] : refused) total += n;
  j["refused_total"] = total;
  return j;
}

}  // namespace passerelle::peer
