// What every subcommand that works on a node's data needs: the configuration, the
// open store, the members file and the record service over them.
#pragma once

#include <memory>

#include "node/cli/config.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"

namespace passerelle::cli {

struct NodeContext {
  NodeConfig config;
  std::unique_ptr<storage::KvStore> store;
  service::Members members;
  std::unique_ptr<service::RecordService> service;
};

// Opens the store in config.data_dir and the service for config.member_id. Fails with
// FAILED_PRECONDITION when another process has the data directory open.
Result<std::unique_ptr<NodeContext>> OpenNode(const NodeConfig& config);

// Wall-clock milliseconds since the epoch.
uint64_t WallClockMs();

}  // namespace passerelle::cli
