// What every subcommand that works on a node's data needs: the configuration, the
// open store, the members file and the record service over them.
#pragma once

#include <memory>

#include "node/cli/config.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "node/service/seed_io.h"
#include "storage/kv_store.h"

namespace passerelle::cli {

struct NodeContext {
  NodeConfig config;
  std::unique_ptr<storage::KvStore> store;
  service::Members members;
  std::unique_ptr<service::RecordService> service;
};

// Whether a command may start a new store: only those that write (node, import, users
// add) do, so a mistyped data_dir cannot make `export` write an empty federation.
enum class StoreMode { kCreateIfMissing, kMustExist };

// Opens the store in config.data_dir and the service for config.member_id. Fails with
// FAILED_PRECONDITION when another process has the data directory open, and NOT_FOUND
// naming data_dir when it holds no store and `mode` is kMustExist. A new data directory
// is made readable by its owner only (it holds password hashes).
Result<std::unique_ptr<NodeContext>> OpenNode(const NodeConfig& config, StoreMode mode);
// The same for the store alone (accounts).
Result<std::unique_ptr<storage::KvStore>> OpenNodeStore(const NodeConfig& config, StoreMode mode);

// Loads config.signing_key (when set) into `svc`, checking it is the key the members
// file publishes for config.member_id (INVALID_ARGUMENT naming signing_key otherwise).
// Every command that writes ops loads it, so its ops are signed as a node's are.
Status SetUpSigning(const NodeConfig& config, const service::Members& members, service::RecordService* svc);

// How this node imports seed data (`passerelle import` and `node --import` alike): whether
// it claims records that touch no member (config claim_unowned).
service::ImportOptions ImportOptionsOf(const NodeConfig& config);

// Wall-clock milliseconds since the epoch.
uint64_t WallClockMs();

}  // namespace passerelle::cli
