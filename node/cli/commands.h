// The `passerelle` subcommands. Each returns the process exit code: 0 success,
// 1 failure at run time, 2 bad configuration or usage.
#pragma once

#include <string>

#include "node/cli/config.h"
#include "node/service/equivalence_service.h"

namespace passerelle::cli {

// Serves gRPC and REST until SIGINT/SIGTERM; imports `import_dir` first if not empty.
int RunNode(const NodeConfig& config, const std::string& import_dir);
int RunImport(const NodeConfig& config, const std::string& dir);
int RunExport(const NodeConfig& config, const std::string& dir);
// Prints the running node's federation status (version vector, digest, peers, refusals).
int RunStatus(const NodeConfig& config, bool as_json);
// Looks up equivalences on the running node (REST), or in the stopped node's data.
int RunEquivalence(const NodeConfig& config, const service::EquivalenceRequest& request, bool as_json);
// Creates this member's signing key in `dir` and prints its public key.
int RunKeysInit(const std::string& dir, const std::string& member_id);

// Prints "passerelle: <what>: <status>" to stderr and returns 1 (2 for
// INVALID_ARGUMENT, which means bad configuration or input).
int Fail(const std::string& what, const Status& status);

}  // namespace passerelle::cli
