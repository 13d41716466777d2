// `passerelle`: one binary, one subcommand per job (node, import, export, status, keys, users).
#include <CLI/CLI.hpp>
#include <iostream>

#include "node/cli/cmd_users.h"
#include "node/cli/commands.h"
#include "node/cli/config.h"

using passerelle::cli::NodeConfig;

int main(int argc, char** argv) {
  CLI::App app{"Passerelle: peer-to-peer partnership tracker node"};
  app.require_subcommand(1);
  std::string config_file, member_id, data_dir, members_file, grpc_listen, http_listen, web_root;
  std::string peer_listen, signing_key, tls_ca, tls_cert, tls_key;
  bool sync_writes = false, insecure_peers = false;
  auto add_node_options = [&](CLI::App* cmd) {
    cmd->add_option("--config", config_file, "Configuration file (JSON); flags override it");
    cmd->add_option("--member-id", member_id, "This node's member id (members file)");
    cmd->add_option("--data-dir", data_dir, "Data directory (RocksDB)");
    cmd->add_option("--members-file", members_file, "Federation members file (JSON)");
    cmd->add_option("--grpc-listen", grpc_listen, "gRPC host:port (default 127.0.0.1:9081)");
    cmd->add_option("--http-listen", http_listen, "HTTP host:port (default 127.0.0.1:8081)");
    cmd->add_option("--web-root", web_root, "Directory of the web client's files");
    cmd->add_flag("--sync-writes", sync_writes, "fsync every write (survives power loss)");
    cmd->add_option("--peer-listen", peer_listen, "Peer port host:port (default: this member's node_address)");
    cmd->add_option("--signing-key", signing_key, "File with this member's Ed25519 secret key");
    cmd->add_option("--tls-ca", tls_ca, "Federation CA certificate (PEM)");
    cmd->add_option("--tls-cert", tls_cert, "This node's certificate (PEM)");
    cmd->add_option("--tls-key", tls_key, "This node's TLS private key (PEM)");
    cmd->add_flag("--insecure-peers", insecure_peers, "Allow replication without TLS (tests only)");
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
  CLI11_PARSE(app, argc, argv);
  if (*keys) return passerelle::cli::RunKeysInit(keys_dir, keys_member);

  auto loaded = passerelle::cli::LoadConfig(config_file);
  if (!loaded.ok()) return passerelle::cli::Fail("bad configuration", loaded.status());
  NodeConfig config = std::move(loaded).value();
  nlohmann::json flags = nlohmann::json::object();
  if (!member_id.empty()) flags["member_id"] = member_id;
  if (!data_dir.empty()) flags["data_dir"] = data_dir;
  if (!members_file.empty()) flags["members_file"] = members_file;
  if (!grpc_listen.empty()) flags["grpc_listen"] = grpc_listen;
  if (!http_listen.empty()) flags["http_listen"] = http_listen;
  if (!web_root.empty()) flags["web_root"] = web_root;
  if (sync_writes) flags["sync_writes"] = true;
  if (!peer_listen.empty()) flags["peer_listen"] = peer_listen;
  if (!signing_key.empty()) flags["signing_key"] = signing_key;
  if (!tls_ca.empty()) flags["tls_ca"] = tls_ca;
  if (!tls_cert.empty()) flags["tls_cert"] = tls_cert;
  if (!tls_key.empty()) flags["tls_key"] = tls_key;
  if (insecure_peers) flags["insecure_peers"] = true;
  passerelle::Status s = passerelle::cli::ApplyConfig(flags, &config);
  if (s.ok() && users.app->parsed()) return passerelle::cli::RunUsers(users, config);  // data_dir only
  if (s.ok()) s = passerelle::cli::CheckConfig(config);
  if (!s.ok()) return passerelle::cli::Fail("bad configuration", s);
  if (config.web_root.empty()) config.web_root = PASSERELLE_DEFAULT_WEB_ROOT;

  if (*node) return passerelle::cli::RunNode(config, import_dir);
  if (*import) return passerelle::cli::RunImport(config, dir);
  if (*status) return passerelle::cli::RunStatus(config, as_json);
  if (*equivalence) {
    if (equivalence->count("--level") > 0) eq.level = eq_level;
    return passerelle::cli::RunEquivalence(config, eq, as_json);
  }
  return passerelle::cli::RunExport(config, dir);
}
