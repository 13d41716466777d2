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
