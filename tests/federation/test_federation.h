// A federation of real `passerelle node` processes on loopback for the multi-node tests:
// keys, certificates and configurations come from deploy/federation/new-federation.sh
// (mutual TLS on), each node has its own data directory and free ports, and the test
// chooses which peers each node dials (per-node members files that differ only in
// node_address). Waits are polls with a deadline, never fixed sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/federation/child_process.h"
#include "tests/http/http_client.h"
#include "tests/test_util.h"

namespace passerelle::testing {

using namespace std::chrono_literals;

// Generous bounds for a loaded 2-core machine; a healthy run needs a fraction of them.
constexpr auto kStartDeadline = 30s;     // a node prints its "ready" line
constexpr auto kConvergeDeadline = 90s;  // nodes reach equal digests
inline const char* const kAdminUser = "admin";  // each node's account for the tests
inline const char* const kAdminPassword = "passerelle";

struct MemberSpec {
  std::string id;
  std::vector<std::string> acts_for;
  bool runs_node = true;       // false: a member whose node the test fakes (FakePeer)
  bool claim_unowned = false;  // import takes records touching no member
};

// A loopback port free at the time of the call, below the ephemeral range (where the
// nodes' outgoing connections take theirs); never the same twice in one test process.
uint16_t PickFreePort();

// Polls `done` every `poll` until it returns true or `deadline` passes.
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds deadline,
                std::chrono::milliseconds poll = 50ms);

class TestFederation;

class TestNode {
 public:
  const std::string& id() const { return id_; }
  uint16_t http_port() const { return http_port_; }
  const std::string& log_path() const { return log_path_; }
  const std::string& config_path() const { return config_path_; }
  // Flags added to `passerelle node` at the next starts (e.g. {"--data-dir", D}).
  void SetExtraArgs(std::vector<std::string> args) { extra_args_ = std::move(args); }

  // Starts the node (importing `import_dir` when not empty) and waits for its "ready"
  // line. Throws std::runtime_error with the log's tail when it does not come up.
  void Start(const std::string& import_dir = {});
  // SIGTERM and wait; returns the exit status (0 = stopped cleanly).
  int Stop();
  // kill -9.
  void Kill();
  bool Running() { return process_.Running(); }

  // A keep-alive client for this thread (one per node; use from the test thread only),
  // logged in as the node's admin (created by Start() with `passerelle users add`).
  HttpClient& http();
  // Logs `client` in as the node's admin; throws std::runtime_error when refused.
  void Authorize(HttpClient* client);
  // GET /api/v1/federation/status; nullopt when the node does not answer with JSON.
  std::optional<nlohmann::json> FederationStatus();
  // GET /api/v1/<plural>/<id>: the record, or nullopt when absent (404).
  std::optional<nlohmann::json> GetRecord(const std::string& plural, const std::string& id);
  std::string LogTail(size_t lines = 40) const;

 private:
  friend class TestFederation;
  std::string id_, config_path_, members_path_, log_path_;
  std::vector<std::string> extra_args_;
  uint16_t http_port_ = 0;
  bool admin_created_ = false;
  ChildProcess process_;
  std::unique_ptr<HttpClient> http_;
};

class TestFederation {
 public:
  // Writes a spec for `members` (free ports, repair_interval_ms 2000) and runs
  // new-federation.sh. Throws std::runtime_error on failure.
  explicit TestFederation(std::vector<MemberSpec> members,
                          nlohmann::json node_defaults = {{"repair_interval_ms", 2000}});
  // Stops running nodes (SIGTERM); on a failing test, prints each node's log tail.
  ~TestFederation();

  TestNode& node(const std::string& id);
  // The peers `member`'s node dials (default: every other member with a peer port).
  // Takes effect at the node's next start.
  void SetDials(const std::string& member, const std::set<std::string>& peers);

  const std::string& dir() const { return dir_; }  // OUTDIR of new-federation.sh
  std::string peer_address(const std::string& member) const;
  std::string tls_ca() const { return dir_ + "/ca/ca.crt"; }
  std::string tls_cert(const std::string& m) const { return dir_ + "/nodes/" + m + "/tls.crt"; }
  std::string tls_key(const std::string& m) const { return dir_ + "/nodes/" + m + "/tls.key"; }
  std::string signing_key(const std::string& m) const {
    return dir_ + "/nodes/" + m + "/" + m + ".signing.key";
  }

  // True when every listed node answers and all report the same version vector and
  // digest. `why` (when given) says what differs.
  bool Converged(const std::vector<std::string>& ids, std::string* why = nullptr);
  // Waits for Converged; on timeout fails the test with each node's status.
  void RequireConverged(const std::vector<std::string>& ids,
                        std::chrono::milliseconds deadline = kConvergeDeadline);

 private:
  void WriteMembersFile(const std::string& member);

  TempDir temp_;
  std::string dir_;
  nlohmann::json members_json_;
  std::map<std::string, std::set<std::string>> dials_;
  std::map<std::string, std::string> peer_addresses_;
  std::map<std::string, std::unique_ptr<TestNode>> nodes_;
};

}  // namespace passerelle::testing
