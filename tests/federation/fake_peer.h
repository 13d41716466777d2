// A fake peer for the trust tests: a PeerService (proto/passerelle/v1/peer.proto) on a
// member's node address, with that member's real TLS certificate, that answers each Pull
// with one batch of ops the test crafted (forged, tampered, or validly signed by a member
// that is not the record's owner), then holds the stream open. Helpers build op chains.
// Thread-safe: the test thread sets the script while gRPC threads serve pulls.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "node/core/op.h"
#include "node/core/signing.h"

namespace grpc {
class Server;
}

namespace passerelle::testing {

class FakePeerService;

class FakePeer {
 public:
  // Listens on `address` with mutual TLS (the CA, this member's certificate and key).
  // Throws std::runtime_error when it cannot listen.
  FakePeer(const std::string& address, const std::string& ca_file, const std::string& cert_file,
           const std::string& key_file);
  ~FakePeer();

  // Each Pull is answered with the next batch in this list, in rotation (ops the puller
  // already has, by its version vector, are left out); open streams end so that pullers
  // come back for the new script at once.
  void SetScript(std::vector<std::vector<core::Op>> batches);
  // Instead: each Pull is answered with all these batches in this order, as one stream,
  // leaving out the origins the puller asks to skip (PullRequest.skip_origins), as a
  // real peer does.
  void SetStream(std::vector<std::vector<core::Op>> batches);
  int pulls() const;
  // The most origins a Pull asked to skip so far.
  size_t most_skips_asked() const;

 private:
  std::unique_ptr<FakePeerService> service_;
  std::unique_ptr<grpc::Server> server_;
};

// Reads a key file written by `passerelle keys init` (hex of libsodium's 64-byte secret key).
core::KeyPair LoadKeyFile(const std::string& path);

// An op of `origin` (author = origin) dated now + `ahead_ms`.
core::Op MakeOp(const std::string& origin, uint64_t seq, core::OpType type, const std::string& kind,
                const std::string& record_id, const nlohmann::json& fields, uint64_t ahead_ms = 0);
// Links ops into a chain (each prev_hash = the previous op's hash, the first after
// `prev_hash`) and signs the last one with `key`.
void ChainAndSign(std::vector<core::Op>* ops, const core::KeyPair& key,
                  const std::string& prev_hash = {});

}  // namespace passerelle::testing
