#include "tests/federation/fake_peer.h"

#include <set>

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "node/core/hlc.h"
#include "passerelle/v1/peer.grpc.pb.h"

namespace passerelle::testing {

namespace pb = passerelle::v1;

class FakePeerService final : public pb::PeerService::Service {
 public:
  grpc::Status Pull(grpc::ServerContext* ctx, const pb::PullRequest* request,
                    grpc::ServerWriter<pb::OpBatch>* writer) override {
    std::vector<std::vector<core::Op>> script;
    bool stream;
    uint64_t generation;
    int n;
    {
      std::lock_guard lock(mu_);
      script = script_;
      stream = stream_;
      generation = generation_;
      n = pulls_++;
    }
    std::set<std::string> skip(request->skip_origins().begin(), request->skip_origins().end());
    {
      std::lock_guard lock(mu_);
      most_skips_ = std::max<size_t>(most_skips_, request->skip_origins_size());
    }
    auto send = [&](const std::vector<core::Op>& ops) {
      pb::OpBatch batch;
      if (!ops.empty()) batch.set_origin(ops.front().origin);
      if (stream && skip.count(batch.origin())) return true;
      auto have = request->version_vector().find(batch.origin());
      uint64_t has = have == request->version_vector().end() ? 0 : have->second;
      for (const auto& op : ops)
        if (op.seq > has) batch.add_ops(core::EncodeOp(op));
      return batch.ops_size() == 0 || writer->Write(batch);
    };
    if (stream) {
      for (const auto& ops : script)
        if (!send(ops)) return grpc::Status::OK;
    } else if (!script.empty() && !send(script[n % script.size()])) {
      return grpc::Status::OK;
    }
    // Hold the stream like a real peer with nothing new, until the puller leaves, the
    // script changes or the server stops.
    while (!ctx->IsCancelled() && !stopping_) {
      {
        std::lock_guard lock(mu_);
        if (generation_ != generation) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return grpc::Status::OK;
  }

  void SetScript(std::vector<std::vector<core::Op>> batches, bool stream = false) {
    std::lock_guard lock(mu_);
    script_ = std::move(batches);
    stream_ = stream;
    ++generation_;
  }
  int pulls() const {
    std::lock_guard lock(mu_);
    return pulls_;
  }
  size_t most_skips() const {
    std::lock_guard lock(mu_);
    return most_skips_;
  }
  std::atomic<bool> stopping_{false};

 private:
  mutable std::mutex mu_;
  std::vector<std::vector<core::Op>> script_;  // Guarded by mu_
  bool stream_ = false;                        // Guarded by mu_: all of script_ per pull
  uint64_t generation_ = 0;                    // Guarded by mu_
  int pulls_ = 0;                              // Guarded by mu_
  size_t most_skips_ = 0;                      // Guarded by mu_
};

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

FakePeer::FakePeer(const std::string& address, const std::string& ca_file,
                   const std::string& cert_file, const std::string& key_file)
    : service_(std::make_unique<FakePeerService>()) {
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = ReadFile(ca_file);
  tls.pem_key_cert_pairs.push_back({ReadFile(key_file), ReadFile(cert_file)});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, grpc::SslServerCredentials(tls), &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  if (!server_ || port == 0) throw std::runtime_error("fake peer cannot listen on " + address);
}

FakePeer::~FakePeer() {
  service_->stopping_ = true;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
}

void FakePeer::SetScript(std::vector<std::vector<core::Op>> batches) {
  service_->SetScript(std::move(batches));
}

void FakePeer::SetStream(std::vector<std::vector<core::Op>> batches) {
  service_->SetScript(std::move(batches), /*stream=*/true);
}

int FakePeer::pulls() const { return service_->pulls(); }
size_t FakePeer::most_skips_asked() const { return service_->most_skips(); }

core::KeyPair LoadKeyFile(const std::string& path) {
  std::string hex = ReadFile(path);
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
  std::string secret;
  if (!core::FromHex(hex, &secret) || secret.size() != core::kSecretKeyBytes)
    throw std::runtime_error(path + " is not a signing key");
  return core::KeyPair{secret.substr(32), secret};
}

core::Op MakeOp(const std::string& origin, uint64_t seq, core::OpType type, const std::string& kind,
                const std::string& record_id, const nlohmann::json& fields, uint64_t ahead_ms) {
  uint64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  core::Op op;
  op.origin = origin;
  op.author = origin;
  op.seq = seq;
  op.hlc = core::MakeHlc(now_ms + ahead_ms, 0);
  op.type = type;
  op.kind = kind;
  op.record_id = record_id;
  op.fields = fields;
  return op;
}

void ChainAndSign(std::vector<core::Op>* ops, const core::KeyPair& key,
                  const std::string& prev_hash) {
  std::string prev = prev_hash;
  for (auto& op : *ops) {
    op.prev_hash = prev;
    op.signature.clear();
    prev = core::OpHash(op);
  }
  if (!ops->empty()) ops->back().signature = core::SignHash(key, prev);
}

}  // namespace passerelle::testing
