#include "node/peer/peer_server.h"

#include <atomic>
#include <set>
#include <grpcpp/grpcpp.h>

#include "node/core/op.h"
#include "node/service/record_service.h"
#include "passerelle/v1/peer.grpc.pb.h"

namespace passerelle::peer {
namespace {

namespace pb = passerelle::v1;

// An idle follow stream carries an empty batch this often, so the follower's "last
// contact" and "behind" stay current.
constexpr auto kHeartbeat = std::chrono::seconds(5);
// What one peer port gives away, whatever its callers do: open Pull streams (each holds
// a thread), and how long a connection lives (a stream whose caller stopped reading ends
// with it). Followers re-open streams by themselves; a federation has a few dozen nodes.
constexpr int kMaxPullStreams = 64;
constexpr int kMaxConnectionAgeMs = 10 * 60 * 1000;
constexpr int kConnectionAgeGraceMs = 60 * 1000;
constexpr int kMaxSkippedOrigins = 256;  // PullRequest.skip_origins honoured

class PeerServiceImpl final : public pb::PeerService::Service {
 public:
  explicit PeerServiceImpl(service::RecordService* svc) : svc_(svc) {}

  grpc::Status Pull(grpc::ServerContext* ctx, const pb::PullRequest* request,
                    grpc::ServerWriter<pb::OpBatch>* writer) override {
    if (open_streams_.fetch_add(1) >= kMaxPullStreams) {
      --open_streams_;
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many open pull streams; retry later");
    }
    struct Release {
      std::atomic<int>& n;
      ~Release() { --n; }
    } release{open_streams_};
    const auto end_by = std::chrono::steady_clock::now() + std::chrono::milliseconds(kMaxConnectionAgeMs);
    std::map<std::string, uint64_t> sent(request->version_vector().begin(),
                                         request->version_vector().end());
    std::set<std::string> skip;  // origins the follower refused from us lately
    for (int i = 0; i < request->skip_origins_size() && i < kMaxSkippedOrigins; ++i)
      skip.insert(request->skip_origins(i));
    // As if the last write were a heartbeat ago: a stream with nothing to send starts
    // with a heartbeat, so the follower knows at once that this node is reachable
    // (its /readyz and federation status).
    auto last_write = std::chrono::steady_clock::now() - kHeartbeat - std::chrono::milliseconds(1);
    while (!ctx->IsCancelled() && !stopping_) {
      uint64_t generation = svc_->Generation();  // before reading: no commit is missed
      auto vv = svc_->VersionVector();
      for (const auto& [origin, seq] : vv) {
        if (skip.count(origin)) continue;
        while (sent[origin] < seq) {
          auto ops = svc_->OpsForPeer(origin, sent[origin], kMaxBatchOps);
          if (!ops.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, ops.status().ToString());
          if (ops->empty()) break;  // nothing signed to send yet
          pb::OpBatch batch;
          batch.set_origin(origin);
          for (auto& bytes : *ops) batch.add_ops(std::move(bytes));
          batch.mutable_sender_version_vector()->insert(vv.begin(), vv.end());
          if (!writer->Write(batch)) return grpc::Status::OK;  // the peer went away
          sent[origin] += batch.ops_size();  // contiguous from sent[origin] + 1
          last_write = std::chrono::steady_clock::now();
        }
      }
      if (!request->follow() || std::chrono::steady_clock::now() > end_by) return grpc::Status::OK;
      if (std::chrono::steady_clock::now() - last_write > kHeartbeat) {
        // An empty batch: the follower learns this node is there and how far it is.
        pb::OpBatch heartbeat;
        heartbeat.mutable_sender_version_vector()->insert(vv.begin(), vv.end());
        if (!writer->Write(heartbeat)) return grpc::Status::OK;
        last_write = std::chrono::steady_clock::now();
      }
      svc_->WaitForChange(generation, 250);
    }
    return grpc::Status::OK;
  }

  void Stop() { stopping_ = true; }

 private:
  service::RecordService* svc_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_streams_{0};
};

}  // namespace

PeerServer::~PeerServer() { Shutdown(); }

void PeerServer::Shutdown() {
  if (!server_) return;
  static_cast<PeerServiceImpl*>(service_.get())->Stop();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  server_.reset();
}

Result<std::unique_ptr<PeerServer>> StartPeerServer(
    service::RecordService* service, const std::string& address,
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  auto out = std::unique_ptr<PeerServer>(new PeerServer());
  out->service_ = std::make_unique<PeerServiceImpl>(service);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, credentials, &out->port_);
  builder.RegisterService(out->service_.get());
  builder.SetMaxReceiveMessageSize(64 << 10);  // peers send only small Pull requests
  grpc::ResourceQuota quota("passerelle-peer");
  quota.SetMaxThreads(kMaxPullStreams + 8);
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, kMaxConnectionAgeMs);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, kConnectionAgeGraceMs);
  out->server_ = builder.BuildAndStart();
  if (!out->server_ || out->port_ == 0)
    return Status(Code::kUnavailable, "cannot listen for peers on " + address, "peer_listen");
  return out;
}

}  // namespace passerelle::peer
