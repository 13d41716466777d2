// `passerelle users add|remove|passwd|list`: this node's accounts, on its data directory
// while the node is stopped (a running node locks the store: the command says so and
// points at the REST API). Passwords come from stdin (prompted without echo on a
// terminal), --password-file, or --password (unsafe: visible to other local users).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "node/cli/config.h"

namespace passerelle::cli {

struct UsersCommand {
  CLI::App* app = nullptr;  // "users"; parsed() when it was chosen
  CLI::App *add = nullptr, *remove = nullptr, *passwd = nullptr, *list = nullptr;
  std::string name, role, password_file, password;
  bool as_json = false;
};

// Declares the subcommands on `app`; `add_node_options` adds --config, --data-dir, ….
void AddUsersCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_node_options,
                      UsersCommand* cmd);
// Runs the chosen users subcommand; only config.data_dir is needed. Exit code as commands.h.
int RunUsers(const UsersCommand& cmd, const NodeConfig& config);

}  // namespace passerelle::cli
