#include <fstream>

#include "node/cli/config.h"
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
      {{{"sync_writes", "yes"}}, "sync_writes"},
      {{{"http_threads", 0}}, "http_threads"},
      {{{"max_request_bytes", 10}}, "max_request_bytes"},
      {{{"member_id", ""}}, "member_id"},
      {{{"secure_cookies", "yes"}}, "secure_cookies"},
      {{{"session_idle_timeout_s", 10}}, "session_idle_timeout_s"},
      {{{"session_idle_timeout_s", 50000}}, "session_idle_timeout_s"},  // beyond the lifetime
      {{{"session_lifetime_s", 99999999}}, "session_lifetime_s"},
  };
  for (const auto& c : cases) {
    NodeConfig cfg = base;
    Status s = ApplyConfig(c.values, &cfg);
    if (s.ok()) s = CheckConfig(cfg);
    INFO(c.values.dump());
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.field() == c.field);
  }
  TempDir dir;
  auto path = (dir.path() / "bad.json").string();
  std::ofstream(path) << "{\"member_id\": ";
  CHECK(LoadConfig(path).status().field() == "config");
  CHECK(LoadConfig("/nonexistent.json").status().code() == Code::kNotFound);
}
