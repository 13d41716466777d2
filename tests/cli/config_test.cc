#include <filesystem>
#include <fstream>
#include <map>

#include "node/cli/config.h"
#include "node/cli/node_context.h"
#include "node/cli/tls_keys.h"
#include "tests/test_util.h"

using namespace passerelle;
using namespace passerelle::cli;
using passerelle::testing::TempDir;

TEST_CASE("Config: a file with every option loads; flags override it", "[cli][config]") {
  TempDir dir;
  auto path = (dir.path() / "node.json").string();
  std::ofstream(path) << R"({"member_id": "morocco", "data_dir": "/tmp/x", "members_file": "m.json",
                             "http_listen": "127.0.0.1:8082", "sync_writes": true})";
  auto c = LoadConfig(path);
  REQUIRE_OK(c);
  CHECK(c->member_id == "morocco");
  CHECK(c->sync_writes);
  CHECK(c->grpc_listen == "127.0.0.1:9081");  // default
  REQUIRE_OK(ApplyConfig({{"http_listen", "0.0.0.0:9000"}}, &*c));
  CHECK(c->http_listen == "0.0.0.0:9000");
  REQUIRE_OK(CheckConfig(*c));
  CHECK_FALSE(c->secure_cookies);              // sessions: plain HTTP by default
  CHECK(c->session_idle_timeout_s == 1800);    // 30 min
  CHECK(c->session_lifetime_s == 43200);       // 12 h
  REQUIRE_OK(ApplyConfig({{"secure_cookies", true}, {"session_idle_timeout_s", 600}}, &*c));
  CHECK(c->secure_cookies);
  REQUIRE_OK(CheckConfig(*c));
}

TEST_CASE("Config: unknown or invalid options are refused naming the option", "[cli][config]") {
  NodeConfig base;
  base.member_id = "m";
  base.data_dir = "d";
  base.members_file = "f";
  struct Case { nlohmann::json values; const char* field; };
  const Case cases[] = {
      {{{"colour", "blue"}}, "colour"},
      {{{"http_listen", "8081"}}, "http_listen"},
      {{{"grpc_listen", "127.0.0.1:99999"}}, "grpc_listen"},
      {{{"grpc_listen", "0.0.0.0:9081"}}, "grpc_listen"},  // no accounts: loopback unless allowed
      {{{"grpc_listen", "[::]:9081"}}, "grpc_listen"},
      {{{"grpc_listen", "127.evil.example:9081"}}, "grpc_listen"},  // a name, not an address
      {{{"sync_writes", "yes"}}, "sync_writes"},
      {{{"http_threads", 0}}, "http_threads"},
      {{{"max_request_bytes", 10}}, "max_request_bytes"},
      {{{"member_id", ""}}, "member_id"},
      {{{"secure_cookies", "yes"}}, "secure_cookies"},
      {{{"session_idle_timeout_s", 10}}, "session_idle_timeout_s"},
      {{{"session_idle_timeout_s", 50000}}, "session_idle_timeout_s"},  // beyond the lifetime
      {{{"session_lifetime_s", 99999999}}, "session_lifetime_s"},
      {{{"http_threads", 4294967297ull}}, "http_threads"},  // would narrow to 1
      {{{"repair_interval_ms", 2147483648ull}}, "repair_interval_ms"},  // a negative int deadline
      {{{"max_clock_skew_ms", 1ull << 48}}, "max_clock_skew_ms"},        // overflows the HLC
  };
  for (const auto& c : cases) {
    NodeConfig cfg = base;
    Status s = ApplyConfig(c.values, &cfg);
    if (s.ok()) s = CheckConfig(cfg);
    INFO(c.values.dump());
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.field() == c.field);
  }
  for (const char* loopback : {"127.0.0.1:9081", "127.3.4.5:0", "localhost:0", "[::1]:9081",
                               "[::ffff:127.0.0.1]:9081"}) {
    NodeConfig cfg = base;
    REQUIRE_OK(ApplyConfig({{"grpc_listen", loopback}}, &cfg));
    CHECK(CheckConfig(cfg).ok());
  }
  // The CLI dials a wildcard as loopback and an IPv6 host in brackets.
  for (auto [listen, target] : {std::pair{"127.0.0.1:9081", "127.0.0.1:9081"}, {"0.0.0.0:9081", "127.0.0.1:9081"},
                                {"[::1]:9081", "[::1]:9081"}, {"[::]:9081", "[::1]:9081"}}) {
    NodeConfig cfg = base;
    cfg.grpc_listen = listen;
    auto t = GrpcTarget(cfg);
    REQUIRE_OK(t);
    CHECK(*t == target);
  }
  NodeConfig remote = base;
  REQUIRE_OK(ApplyConfig({{"grpc_listen", "0.0.0.0:9081"}, {"grpc_allow_remote", true}}, &remote));
  CHECK(CheckConfig(remote).ok());  // exposed on purpose
  TempDir dir;
  auto path = (dir.path() / "bad.json").string();
  std::ofstream(path) << "{\"member_id\": ";
  CHECK(LoadConfig(path).status().field() == "config");
  // A file that cannot be read is a bad configuration (INVALID_ARGUMENT: exit 2, which
  // systemd does not restart).
  auto missing = LoadConfig("/nonexistent.json");
  CHECK(missing.status().code() == Code::kInvalidArgument);
  CHECK(missing.status().field() == "config");
  CHECK(missing.status().message().find("No such file") != std::string::npos);
}

TEST_CASE("Config: file, environment and flags: later sources win; bad values are refused naming the option",
          "[cli][config]") {
  TempDir dir;
  auto path = (dir.path() / "node.json").string();
  std::ofstream(path) << R"({"member_id": "morocco", "data_dir": "/tmp/x", "members_file": "m.json",
                             "http_listen": "127.0.0.1:8082", "log_level": "warn"})";
  std::string e1 = "PASSERELLE_HTTP_LISTEN=127.0.0.1:9999", e2 = "PASSERELLE_SYNC_WRITES=true",
              e3 = "PASSERELLE_LOG_LEVEL=debug", e4 = "PASSERELLE_SEED_DIR=/somewhere", e5 = "HOME=/root";
  char* env[] = {e1.data(), e2.data(), e3.data(), e4.data(), e5.data(), nullptr};
  auto c = ResolveConfig(path, env, {{"log_level", "error"}});
  REQUIRE_OK(c);
  CHECK(c->http_listen == "127.0.0.1:9999");  // env over file
  CHECK(c->sync_writes);
  CHECK(c->log_level == "error");             // flag over env
  CHECK(c->member_id == "morocco");           // file
  std::vector<std::string> ignored;
  REQUIRE_OK(EnvironmentOverrides(env, &ignored));
  CHECK(ignored == std::vector<std::string>{"PASSERELLE_SEED_DIR"});  // scripts' own variables

  // Every option has a flag and a variable name.
  for (const auto& o : ConfigOptions()) {
    CHECK(FlagName(o.name).rfind("--", 0) == 0);
    CHECK(EnvName(o.name).rfind("PASSERELLE_", 0) == 0);
  }
  CHECK(FlagName("repair_interval_ms") == "--repair-interval-ms");
  CHECK(EnvName("repair_interval_ms") == "PASSERELLE_REPAIR_INTERVAL_MS");

  struct Case {
    const char* source;  // file | env | flag
    const char* option;
    const char* value;   // text (file: a JSON value)
  };
  const Case cases[] = {
      {"file", "colour", "\"blue\""},          {"file", "log_format", "\"xml\""},
      {"file", "log_level", "\"loud\""},       {"file", "shutdown_grace_ms", "-1"},
      {"file", "http_threads", "\"two\""},     {"env", "sync_writes", "yes"},
      {"env", "http_threads", "two"},          {"env", "http_listen", "8081"},
      {"env", "log_format", "xml"},            {"env", "repair_interval_ms", "5"},
      {"flag", "colour", "blue"},              {"flag", "max_request_bytes", "1k"},
      {"flag", "grpc_listen", "127.0.0.1:99999"}, {"flag", "insecure_peers", "maybe"},
      {"flag", "log_level", "verbose"},
  };
  for (const auto& k : cases) {
    INFO(k.source << " " << k.option << "=" << k.value);
    auto base = (dir.path() / "base.json").string();
    std::string file = R"({"member_id": "m", "data_dir": "d", "members_file": "f")";
    if (std::string(k.source) == "file") file += std::string(", \"") + k.option + "\": " + k.value;
    std::ofstream(base) << file << "}";
    std::string var = EnvName(k.option) + "=" + k.value;
    char* kenv[] = {var.data(), nullptr};
    char* none[] = {nullptr};
    std::map<std::string, std::string> flags;
    if (std::string(k.source) == "flag") flags[k.option] = k.value;
    auto r = ResolveConfig(base, std::string(k.source) == "env" ? kenv : none, flags);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().field() == k.option);
    if (std::string(k.source) == "env")  // the message names the variable to fix
      CHECK(r.status().message().find(EnvName(k.option)) != std::string::npos);
  }
}

TEST_CASE("Node data: only writing commands start a store; a missing one is named", "[cli][data]") {
  TempDir dir;
  NodeConfig cfg;
  cfg.member_id = "m";
  cfg.data_dir = (dir.path() / "dta").string();  // a typo of "data"
  auto missing = OpenNodeStore(cfg, StoreMode::kMustExist);
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().field() == "data_dir");
  CHECK(missing.status().message().find(cfg.data_dir) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(cfg.data_dir));  // nothing created
  {
    auto created = OpenNodeStore(cfg, StoreMode::kCreateIfMissing);
    REQUIRE_OK(created);
  }
  auto perms = std::filesystem::status(cfg.data_dir).permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);  // it will hold password hashes
  REQUIRE_OK(OpenNodeStore(cfg, StoreMode::kMustExist));
}

TEST_CASE("Keys: the TLS key and its request are made together, never a request for a lost key", "[cli][keys]") {
  TempDir dir;
  const auto key = dir.path() / "tls.key", csr = dir.path() / "tls.csr";
  std::ofstream(csr) << "a request from a key since removed";
  Status leftover = InitTlsKeyAndCsr(dir.str(), "m1");
  CHECK(leftover.code() == Code::kFailedPrecondition);
  CHECK(leftover.field() == "tls.csr");
  CHECK_FALSE(std::filesystem::exists(key));
  std::filesystem::remove(csr);
  REQUIRE(InitTlsKeyAndCsr(dir.str(), "m1").ok());
  CHECK(std::filesystem::exists(key));
  CHECK(std::filesystem::exists(csr));
  CHECK((std::filesystem::status(key).permissions() & std::filesystem::perms::group_all) == std::filesystem::perms::none);
  CHECK(InitTlsKeyAndCsr(dir.str(), "m1").code() == Code::kAlreadyExists);
}
