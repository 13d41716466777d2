// `passerelle users add|list|passwd|remove` run as real processes against a real data
// directory; the accounts they write are the ones a node logs users in with; a data
// directory held by a running node is refused with a clear message; passwords never
// appear in the command's output.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "node/service/accounts.h"
#include "storage/kv_store.h"
#include "tests/federation/child_process.h"
#include "tests/test_util.h"

namespace passerelle::testing {
namespace {

using namespace std::chrono_literals;

struct Cli {
  TempDir dir;
  std::string data = dir.str() + "/data";
  std::string log = dir.str() + "/cli.log";

  // Runs `passerelle users <args> --data-dir DATA`; returns the exit status, *out the output.
  int Users(std::vector<std::string> args, std::string* out = nullptr) {
    std::vector<std::string> argv = {PASSERELLE_BIN, "users"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--data-dir", data});
    return Run(argv, out);
  }
  int Run(const std::vector<std::string>& argv, std::string* out) {
    std::filesystem::remove(log);
    int rc = RunCommand(argv, log, 60s);
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    if (out) *out = ss.str();
    return rc;
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir.str() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
};

TEST_CASE("users CLI: add, list, passwd and remove on a data directory", "[accounts][cli]") {
  Cli cli;
  std::string out;
  const std::string pw1 = "first-secret-password", pw2 = "second-secret-password";
  REQUIRE(cli.Users({"add", "amina", "--role", "admin", "--password-file",
                     cli.WriteFile("pw1", pw1 + "\n")},
                    &out) == 0);
  REQUIRE(out.find("added user amina (admin)") != std::string::npos);
  // From stdin (a pipe): the way a script feeds it without putting it on the command line.
  REQUIRE(cli.Run({"/bin/sh", "-c",
                   "printf '%s\\n' '" + pw2 +
                       "' | '" PASSERELLE_BIN "' users add bob --role viewer --data-dir '" +
                       cli.data + "'"},
                  &out) == 0);
  REQUIRE(out.find(pw2) == std::string::npos);
  REQUIRE(cli.Users(
              {"add", "carla", "--role", "mobility_officer", "--password", "third-password"}) == 0);

  REQUIRE(cli.Users({"list"}, &out) == 0);
  REQUIRE(out.find("amina") != std::string::npos);
  REQUIRE(out.find("mobility_officer") != std::string::npos);
  REQUIRE(cli.Users({"list", "--json"}, &out) == 0);
  auto users = nlohmann::json::parse(out, nullptr, false);
  REQUIRE(users.is_array());
  REQUIRE(users.size() == 3);
  REQUIRE(users[1].value("username", "") == "bob");
  REQUIRE(users[1].value("role", "") == "viewer");
  REQUIRE(out.find("argon2") == std::string::npos);

  // Refusals: bad name, bad role, short password, duplicate, unknown user, last admin.
  REQUIRE(cli.Users({"add", "Bad Name", "--role", "viewer", "--password", "long enough"}, &out) ==
          2);
  REQUIRE(out.find("username") != std::string::npos);
  REQUIRE(cli.Users({"add", "dan", "--role", "superuser", "--password", "long enough"}, &out) == 2);
  REQUIRE(out.find("role") != std::string::npos);
  REQUIRE(cli.Users({"add", "dan", "--role", "viewer", "--password", "short"}, &out) == 2);
  REQUIRE(out.find("short") == std::string::npos);  // the password is not echoed
  REQUIRE(cli.Users({"add", "bob", "--role", "viewer", "--password", "long enough"}, &out) == 1);
  REQUIRE(out.find("already exists") != std::string::npos);
  REQUIRE(cli.Users({"remove", "nobody"}, &out) == 1);
  REQUIRE(cli.Users({"remove", "amina"}, &out) == 1);
  REQUIRE(out.find("last admin") != std::string::npos);

  REQUIRE(
      cli.Users({"passwd", "bob", "--password-file", cli.WriteFile("pw3", "bob-new-password\n")},
                &out) == 0);
  REQUIRE(cli.Users({"remove", "carla"}, &out) == 0);

  // What the commands wrote is what a node verifies logins against.
  auto kv = storage::OpenRocksStore(cli.data);
  REQUIRE_OK(kv);
  service::Accounts accounts(kv->get());
  REQUIRE_OK(accounts.Verify("amina", pw1));
  REQUIRE_OK(accounts.Verify("bob", "bob-new-password"));
  REQUIRE(accounts.Verify("bob", pw2).status().code() == Code::kUnauthenticated);
  REQUIRE(accounts.Find("carla").status().code() == Code::kNotFound);
}

TEST_CASE("users CLI: a data directory in use by a running node is refused clearly",
          "[accounts][cli]") {
  Cli cli;
  REQUIRE(cli.Users({"add", "amina", "--role", "admin", "--password", "long enough"}) == 0);
  auto held = storage::OpenRocksStore(cli.data);  // as a running node holds it
  REQUIRE_OK(held);
  std::string out;
  REQUIRE(cli.Users({"add", "bob", "--role", "viewer", "--password", "long enough"}, &out) == 1);
  INFO(out);
  REQUIRE(out.find("in use by a running node") != std::string::npos);
  REQUIRE(out.find("/api/v1/users") != std::string::npos);
  REQUIRE(cli.Users({"list"}, &out) == 1);
  REQUIRE(out.find("in use by a running node") != std::string::npos);
}

}  // namespace
}  // namespace passerelle::testing
