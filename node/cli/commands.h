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
int RunExport(const NodeConfig& config, const std::string& dir, bool overwrite);
// Prints the running node's federation status (version vector, digest, peers, refusals).
int RunStatus(const NodeConfig& config, bool as_json);
// Looks up equivalences on the running node (REST), or in the stopped node's data.
int RunEquivalence(const NodeConfig& config, const service::EquivalenceRequest& request, bool as_json);
// Asks the running node (gRPC AdminService, loopback) for a consistent copy of its
// store in `dir` (made absolute) and prints the manifest.
int RunBackup(const NodeConfig& config, const std::string& dir);
// Restores `backup_dir` into `data_dir` (absent or empty); the node must be stopped.
int RunRestore(const std::string& backup_dir, const std::string& data_dir);
// Creates this member's signing key, TLS key and certificate signing request in `dir`
// and prints the public key.
int RunKeysInit(const std::string& dir, const std::string& member_id);

// Prints "passerelle: <what>: <status>" to stderr and returns 1 (2 for
// INVALID_ARGUMENT, which means bad configuration or input).
int Fail(const std::string& what, const Status& status);

}  // namespace passerelle::cli
