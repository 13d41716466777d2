#include "node/cli/cmd_users.h"

#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "node/cli/commands.h"
#include "node/cli/node_context.h"
#include "node/core/hlc.h"
#include "node/service/accounts.h"
#include "storage/kv_store.h"

namespace passerelle::cli {
namespace {

// One line from the terminal without echo (or from a pipe as is).
bool ReadSecretLine(const std::string& prompt, std::string* out) {
  const bool tty = isatty(STDIN_FILENO);
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  bool ok = static_cast<bool>(std::getline(std::cin, *out));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << std::endl;
  }
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return ok;
}

Result<std::string> ReadPassword(const UsersCommand& cmd) {
  if (!cmd.password.empty()) return cmd.password;
  if (!cmd.password_file.empty()) {
    std::ifstream in(cmd.password_file);
    std::string line;
    if (!in || !std::getline(in, line))
      return Status::Invalid("password-file", "cannot read " + cmd.password_file);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  std::string first, second;
  if (!ReadSecretLine("Password for " + cmd.name + ": ", &first))
    return Status::Invalid("password", "none given on stdin");
  if (isatty(STDIN_FILENO)) {
    if (!ReadSecretLine("Repeat the password: ", &second) || second != first)
      return Status::Invalid("password", "the two passwords differ");
  }
  return first;
}

// Only `users add` may start a store (the first admin comes before the first start).
Result<std::unique_ptr<storage::KvStore>> OpenStore(NodeConfig config, StoreMode mode) {
  config.sync_writes = true;
  auto store = OpenNodeStore(config, mode);
  if (!store.ok() && store.status().code() == Code::kFailedPrecondition)
    return Status(Code::kFailedPrecondition,
                  "the data directory " + config.data_dir +
                      " is in use by a running node: stop the node first, or manage users "
                      "while it runs as an admin over REST (/api/v1/users)");
  return store;
}

std::string Iso(uint64_t ms) { return core::HlcToIso(core::MakeHlc(ms, 0)); }

int List(service::Accounts& accounts, bool as_json) {
  auto list = accounts.List(service::Caller{});
  if (!list.ok()) return Fail("cannot list users", list.status());
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : *list)
      out.push_back({{"username", a.username},
                     {"role", service::RoleName(a.role)},
                     {"created_at", Iso(a.created_at_ms)}});
    std::cout << out.dump(2) << std::endl;
    return 0;
  }
  std::cout << std::left << std::setw(24) << "USERNAME" << std::setw(18) << "ROLE"
            << "CREATED\n";
  for (const auto& a : *list)
    std::cout << std::setw(24) << a.username << std::setw(18) << service::RoleName(a.role)
              << Iso(a.created_at_ms) << "\n";
  if (list->empty())
    std::cout << "(no users: add one with `passerelle users add NAME --role admin`)\n";
  return 0;
}

}  // namespace

void AddUsersCommands(CLI::App& app, const std::function<void(CLI::App*)>& add_node_options,
                      UsersCommand* cmd) {
  cmd->app = app.add_subcommand("users", "Manage this node's user accounts (node stopped)");
  cmd->app->require_subcommand(1);
  auto password_options = [cmd](CLI::App* c) {
    c->add_option("--password-file", cmd->password_file,
                  "Read the password from this file's first line");
    c->add_option("--password", cmd->password,
                  "The password itself (UNSAFE: visible in the process list; for scripts only)");
  };
  cmd->add = cmd->app->add_subcommand("add", "Add a user (password from stdin unless given)");
  cmd->add->add_option("name", cmd->name, "Username: 1..64 of a-z 0-9 . _ -")->required();
  cmd->add->add_option("--role", cmd->role, service::RoleNames())->required();
  password_options(cmd->add);
  cmd->passwd =
      cmd->app->add_subcommand("passwd", "Set a user's password (from stdin unless given)");
  cmd->passwd->add_option("name", cmd->name, "Username")->required();
  password_options(cmd->passwd);
  cmd->remove = cmd->app->add_subcommand("remove", "Remove a user");
  cmd->remove->add_option("name", cmd->name, "Username")->required();
  cmd->list = cmd->app->add_subcommand("list", "List the users and their roles");
  cmd->list->add_flag("--json", cmd->as_json, "Print JSON for scripts");
  for (CLI::App* c : {cmd->add, cmd->passwd, cmd->remove, cmd->list}) add_node_options(c);
}

int RunUsers(const UsersCommand& cmd, const NodeConfig& config) {
  if (config.data_dir.empty())
    return Fail("bad configuration",
                Status::Invalid("data_dir", "is required (--data-dir or --config)"));
  std::optional<service::Role> role;
  if (cmd.add->parsed()) {
    role = service::ParseRole(cmd.role);
    if (!role)
      return Fail("bad role",
                  Status::Invalid("role", std::string("must be one of ") + service::RoleNames()));
  }
  std::string password;
  if (cmd.add->parsed() || cmd.passwd->parsed()) {
    // Checked before asking for a password, so a typo costs no typing.
    if (Status s = service::ValidateUsername(cmd.name); !s.ok()) return Fail("bad username", s);
    auto pw = ReadPassword(cmd);
    if (!pw.ok()) return Fail("no password", pw.status());
    password = std::move(pw).value();
  }
  auto store = OpenStore(config, cmd.add->parsed() ? StoreMode::kCreateIfMissing : StoreMode::kMustExist);
  if (!store.ok()) return Fail("cannot open node data", store.status());
  service::Accounts accounts(store->get());
  const service::Caller node{};  // the CLI acts as the node itself
  if (cmd.list->parsed()) return List(accounts, cmd.as_json);
  if (cmd.add->parsed()) {
    auto added = accounts.Add(node, cmd.name, *role, password);
    if (!added.ok()) return Fail("cannot add user", added.status());
    std::cout << "added user " << added->username << " (" << service::RoleName(added->role) << ")"
              << std::endl;
    return 0;
  }
  if (cmd.passwd->parsed()) {
    auto changed = accounts.Change(node, cmd.name, std::nullopt, password);
    if (!changed.ok()) return Fail("cannot set the password", changed.status());
    std::cout << "password of " << cmd.name << " changed" << std::endl;
    return 0;
  }
  Status s = accounts.Remove(node, cmd.name);
  if (!s.ok()) return Fail("cannot remove user", s);
  std::cout << "removed user " << cmd.name << std::endl;
  return 0;
}

}  // namespace passerelle::cli
