// A node's configuration: a JSON file (--config), overridden by environment variables
// (PASSERELLE_<OPTION>), overridden by command-line flags (--<option-with-dashes>).
// Every option has a default except member_id, data_dir and members_file; all are
// listed in ConfigOptions() and documented in deploy/README.md. Unknown or invalid
// options are refused with an error naming the option.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <map>
#include <string>
#include <vector>

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
  bool grpc_allow_remote = false;              // grpc_listen may be off loopback (it has no accounts)
  uint64_t repair_interval_ms = 30000;         // a peer stream is re-opened at least this often
  uint64_t max_clock_skew_ms = 300000;         // ops dated further ahead are refused
  bool claim_unowned = true;                   // import takes records touching no member
  // Web sessions (node/README.md "Sessions and roles").
  bool secure_cookies = false;                 // mark the session cookie Secure: set when HTTPS is in front
  std::string trusted_proxies;                 // comma-separated IPs of reverse proxies (X-Forwarded-For)
  uint64_t session_idle_timeout_s = 1800;      // a session unused this long expires (30 min)
  uint64_t session_lifetime_s = 43200;         // a session expires this long after login (12 h)
  std::string log_format = "text";             // text | json (one JSON object per line)
  std::string log_level = "info";              // trace | debug | info | warn | error | off
  uint64_t shutdown_grace_ms = 10000;          // SIGTERM: in-flight gRPC calls get this long
};

enum class OptionType { kString, kBool, kInt };
struct OptionInfo {
  const char* name;  // the file key; flag --name-with-dashes; env PASSERELLE_NAME
  OptionType type;
  const char* help;
};
// Every option, in documentation order.
const std::vector<OptionInfo>& ConfigOptions();
// "http_listen" -> "--http-listen"; "http_listen" -> "PASSERELLE_HTTP_LISTEN".
std::string FlagName(const std::string& option);
std::string EnvName(const std::string& option);

// Overrides from PASSERELLE_<OPTION> variables of `envp` (NULL-terminated, like
// environ), typed as the file's values. INVALID_ARGUMENT naming the option (and the
// variable) for a value of the wrong type. Other PASSERELLE_* variables are ignored
// (scripts use some), and listed in *ignored when given.
Result<nlohmann::json> EnvironmentOverrides(char** envp, std::vector<std::string>* ignored = nullptr);
// Overrides from flag values given as text (option name -> text), as above.
Result<nlohmann::json> TextOverrides(const std::map<std::string, std::string>& values,
                                     const std::string& source);
// The whole chain: file (may be ""), then environment, then flags; then CheckConfig
// unless `check` is false (commands that need only data_dir, such as `users`).
Result<NodeConfig> ResolveConfig(const std::string& file, char** envp,
                                 const std::map<std::string, std::string>& flags,
                                 bool check = true);

// Reads `path` (may be empty: defaults only). Keys are the field names above.
Result<NodeConfig> LoadConfig(const std::string& path);
// Applies a JSON object of overrides (same keys), then checks the whole config.
Status ApplyConfig(const nlohmann::json& values, NodeConfig* config);
Status CheckConfig(const NodeConfig& config);

// Splits "host:port"; INVALID_ARGUMENT naming `option` when malformed.
Status SplitHostPort(const std::string& option, const std::string& value, std::string* host,
                     uint16_t* port);
// The address the CLI dials to reach this node's gRPC port: grpc_listen, with a wildcard
// host (0.0.0.0, ::, none) as loopback and an IPv6 host in brackets ("[::1]:9081").
Result<std::string> GrpcTarget(const NodeConfig& config);

}  // namespace passerelle::cli
