// `passerelle`: one binary, one subcommand per job (node, import, export, status, keys,
// users, backup, restore, equivalence).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "node/cli/cmd_users.h"
#include "node/cli/commands.h"
#include "node/cli/config.h"
#include "node/grpc/grpc_runtime.h"

using passerelle::cli::NodeConfig;

int main(int argc, char** argv) {
  // Stores, backups and exports hold password hashes or unpublished records: what this
  // program creates is readable by its user only.
  ::umask(077);
  passerelle::grpcapi::TuneGrpcRuntime();
  CLI::App app{"Passerelle: peer-to-peer partnership tracker node"};
  app.require_subcommand(1);
  std::string config_file;
  // Every configuration option is also a flag (--http-listen for http_listen); only
  // the flags given are kept, as text, and typed by the configuration module.
  std::map<std::string, std::string> flag_values;
  struct FlagSlot {
    std::string name;
    CLI::Option* option;
    std::unique_ptr<std::string> text;
  };
  std::vector<FlagSlot> flag_slots;
  auto add_node_options = [&](CLI::App* cmd) {
    cmd->add_option("--config", config_file, "Configuration file (JSON); env and flags override it");
    for (const auto& o : passerelle::cli::ConfigOptions()) {
      auto text = std::make_unique<std::string>();
      std::string flag = passerelle::cli::FlagName(o.name);
      CLI::Option* opt = o.type == passerelle::cli::OptionType::kBool
                             ? cmd->add_flag(flag + "{true}", *text, o.help)
                             : cmd->add_option(flag, *text, o.help);
      flag_slots.push_back({o.name, opt, std::move(text)});
    }
  };
  std::string import_dir, dir;
  auto* node = app.add_subcommand("node", "Run a node: gRPC + REST + web client");
  add_node_options(node);
  node->add_option("--import", import_dir, "Import a seed-data directory before serving");
  auto* import = app.add_subcommand("import", "Import seed-data JSON files (idempotent)");
  add_node_options(import);
  import->add_option("dir", dir, "Directory with institutions.json, agreements.json, …")->required();
  auto* exp = app.add_subcommand("export", "Export every record in the seed-data format");
  add_node_options(exp);
  exp->add_option("dir", dir, "Directory to write (created if missing)")->required();
  bool overwrite = false;
  exp->add_flag("--force", overwrite, "Replace the seed-data files the directory already holds");
  bool as_json = false;
  auto* status = app.add_subcommand("status", "Show the running node's federation status");
  add_node_options(status);
  status->add_flag("--json", as_json, "Print JSON for scripts");
  passerelle::service::EquivalenceRequest eq;
  int64_t eq_level = 0;
  auto* equivalence = app.add_subcommand("equivalence", "Qualification equivalences through level mappings");
  add_node_options(equivalence);
  equivalence->add_option("--qualification", eq.qualification, "Source qualification id");
  equivalence->add_option("--framework", eq.framework, "Source framework (with --level)");
  equivalence->add_option("--level", eq_level, "Source level (with --framework)");
  equivalence->add_option("--target-country", eq.target_country, "Target country (ISO 3166-1)");
  equivalence->add_option("--target-framework", eq.target_framework, "Target framework");
  equivalence->add_option("--sector", eq.sector, "Keep qualifications of this sector");
  equivalence->add_flag("--include-proposed", eq.include_proposed, "Also follow proposed mappings");
  equivalence->add_flag("--reverse", eq.reverse, "Tell paths from each candidate to the source");
  equivalence->add_option("--lang", eq.lang, "fr (default), es or en");
  equivalence->add_flag("--json", as_json, "Print the JSON answer");
  auto* keys = app.add_subcommand("keys", "Manage this member's keys");
  keys->require_subcommand(1);
  std::string keys_dir, keys_member;
  auto* keys_init = keys->add_subcommand("init", "Create this member's Ed25519 signing key");
  keys_init->add_option("--dir", keys_dir, "Directory for the key files")->required();
  keys_init->add_option("--member-id", keys_member, "Member id")->required();
  passerelle::cli::UsersCommand users;
  passerelle::cli::AddUsersCommands(app, add_node_options, &users);
  auto* backup = app.add_subcommand("backup", "Copy the running node's store to DIR (consistent, while it serves)");
  add_node_options(backup);
  backup->add_option("dir", dir, "Backup directory to create (must not exist)")->required();
  std::string backup_source, restore_data_dir;
  auto* restore = app.add_subcommand("restore", "Restore a backup into a new data directory (node stopped)");
  restore->add_option("dir", backup_source, "Backup directory written by `passerelle backup`")->required();
  restore->add_option("--data-dir", restore_data_dir, "Data directory to create (must be absent or empty)")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; an unknown or malformed flag is bad configuration (2).
    return app.exit(e) == 0 ? 0 : 2;
  }
  for (const auto& slot : flag_slots)
    if (slot.option->count() > 0) flag_values[slot.name] = *slot.text;
  if (*keys) return passerelle::cli::RunKeysInit(keys_dir, keys_member);

  if (*restore) return passerelle::cli::RunRestore(backup_source, restore_data_dir);
  if (users.app->parsed()) {  // accounts need only the data directory
    auto for_users = passerelle::cli::ResolveConfig(config_file, environ, flag_values, /*check=*/false);
    if (!for_users.ok()) return passerelle::cli::Fail("bad configuration", for_users.status());
    return passerelle::cli::RunUsers(users, *for_users);
  }
  auto resolved = passerelle::cli::ResolveConfig(config_file, environ, flag_values);
  if (!resolved.ok()) return passerelle::cli::Fail("bad configuration", resolved.status());
  NodeConfig config = std::move(resolved).value();
  if (config.web_root.empty()) {
    config.web_root = PASSERELLE_DEFAULT_WEB_ROOT;
  } else if (std::error_code ec; *node && !std::filesystem::is_directory(config.web_root, ec)) {
    // Named but missing (a typo, an install step skipped): every page would be a 404.
    return passerelle::cli::Fail("bad configuration",
                                 passerelle::Status::Invalid("web_root", "no directory " + config.web_root));
  }

  if (*node) return passerelle::cli::RunNode(config, import_dir);
  if (*import) return passerelle::cli::RunImport(config, dir);
  if (*status) return passerelle::cli::RunStatus(config, as_json);
  if (*backup) return passerelle::cli::RunBackup(config, dir);
  if (*equivalence) {
    if (equivalence->count("--level") > 0) eq.level = eq_level;
    return passerelle::cli::RunEquivalence(config, eq, as_json);
  }
  return passerelle::cli::RunExport(config, dir, overwrite);
}
