// A node's configuration: a JSON file (--config) whose values command-line flags
// override. Every option has a default except member_id, data_dir and members_file.
// Unknown or invalid options are refused with an error naming the option.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "storage/status.h"

namespace passerelle::cli {

struct NodeConfig {
  std::string member_id;                       // this node's member in the members file
  std::string data_dir;                        // RocksDB directory (created if missing)
  std::string members_file;                    // federation members file (JSON)
  std::string grpc_listen = "127.0.0.1:9081";  // host:port for gRPC (port 0 = pick)
  std::string http_listen = "127.0.0.1:8081";  // host:port for REST and the web client
  std::string web_root;                        // web-client/ directory ("" = next to the binary's source)
  bool sync_writes = false;                    // fsync each write (power-loss durable)
  int http_threads = 2;
  uint64_t max_request_bytes = 1 << 20;        // REST body / gRPC message limit
  // Replication (peers are the other members of the members file with a node_address).
  std::string peer_listen;                     // host:port of the peer port ("" = this member's node_address)
  std::string signing_key;                     // file with this member's Ed25519 secret key (hex)
  std::string tls_ca, tls_cert, tls_key;       // PEM files for mutual TLS between nodes
  bool insecure_peers = false;                 // allow peers without TLS (tests only)
  uint64_t repair_interval_ms = 30000;         // a peer stream is re-opened at least this often
  uint64_t max_clock_skew_ms = 300000;         // ops dated further ahead are refused
  bool claim_unowned = true;                   // import takes records touching no member
  // Web sessions (node/README.md "Sessions and roles").
  bool secure_cookies = false;                 // mark the session cookie Secure: set when HTTPS is in front
  uint64_t session_idle_timeout_s = 1800;      // a session unused this long expires (30 min)
  uint64_t session_lifetime_s = 43200;         // a session expires this long after login (12 h)
};

// Reads `path` (may be empty: defaults only). Keys are the field names above.
Result<NodeConfig> LoadConfig(const std::string& path);
// Applies a JSON object of overrides (same keys), then checks the whole config.
Status ApplyConfig(const nlohmann::json& values, NodeConfig* config);
Status CheckConfig(const NodeConfig& config);

// Splits "host:port"; INVALID_ARGUMENT naming `option` when malformed.
Status SplitHostPort(const std::string& option, const std::string& value, std::string* host,
                     uint16_t* port);

}  // namespace passerelle::cli
