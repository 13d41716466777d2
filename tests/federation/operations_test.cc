// Operating real `passerelle node` processes: /metrics parses and moves, /readyz, no
// secrets in the log; SIGTERM during writes loses no acknowledged write; a second
// instance and a newer data directory are refused with clear messages; a backup taken
// during writes restores to the backup point and the restored node catches up;
// `passerelle import` honours claim_unowned as `node --import` does.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "node/service/keys.h"
#include "storage/kv_store.h"
#include "tests/federation/rest_helpers.h"
#include "tests/federation/test_federation.h"
#include "tests/ops/prometheus_text.h"

namespace passerelle::testing {
namespace {

using nlohmann::json;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Exposition Metrics(TestNode& node) {
  auto res = node.http().Get("/metrics");
  REQUIRE(res.result_int() == 200);
  auto parsed = ParsePrometheusText(res.body());
  INFO(res.body());
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

// A client thread writing institutions to `port` until stopped or the node goes away;
// keeps the ids the node acknowledged (201).
class Writer {
 public:
  // Writes through `node`'s REST port, logged in as its admin.
  Writer(TestNode& node, std::string prefix) {
    auto client = std::make_shared<HttpClient>("127.0.0.1", node.http_port());
    node.Authorize(client.get());  // here, on the test thread; the writer then owns the client
    thread_ = std::thread([this, client, prefix] {
      HttpClient& http = *client;
      for (int i = 0; !stop_; ++i) {
        std::string id = prefix + std::to_string(i);
        try {
          if (Post(http, "institutions", Institution(id, "Written " + std::to_string(i))) == 201) {
            std::lock_guard lock(mu_);
            acked_.push_back(id);
          }
        } catch (const std::exception&) {  // the node stopped under us
          return;
        }
      }
    });
  }
  ~Writer() { Stop(); }
  size_t count() {
    std::lock_guard lock(mu_);
    return acked_.size();
  }
  std::vector<std::string> Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mu_);
    return acked_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> acked_;  // Guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

size_t MissingOn(TestNode& node, const std::vector<std::string>& ids) {
  size_t missing = 0;
  for (const auto& id : ids) missing += !node.GetRecord("institutions", id).has_value();
  return missing;
}

// Starts `a`, on a gRPC port of its own that the CLI's commands reach (returned as
// host:port), then `b`.
std::string StartWithGrpcPort(TestNode& a, TestNode& b) {
  const std::string grpc = "127.0.0.1:" + std::to_string(PickFreePort());
  a.SetExtraArgs({"--grpc-listen", grpc});
  a.Start();
  b.Start();
  return grpc;
}

}  // namespace

TEST_CASE("Operations: /metrics parses as Prometheus text and moves; /readyz; no secrets in the log",
          "[operations]") {
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}},
                     {{"repair_interval_ms", 2000}, {"log_format", "json"}, {"log_level", "debug"}});
  TestNode& a = fed.node("alpha");
  a.Start();
  CHECK(a.http().Get("/readyz").result_int() == 200);
  const std::map<std::string, std::string> posts = {{"method", "POST"}, {"route", "/api/v1/institutions"}, {"status", "201"}};
  Exposition before = Metrics(a);
  CHECK(before.types.at("passerelle_http_requests_total") == "counter");
  CHECK(before.types.at("passerelle_http_request_duration_seconds") == "histogram");
  CHECK(before.types.count("passerelle_store_live_sst_bytes") == 1);
  CHECK(before.types.count("passerelle_store_compactions_total") == 1);
  CHECK(before.Sum("passerelle_http_requests_total", posts) == 0);
  for (int i = 0; i < 3; ++i) REQUIRE(Post(a.http(), "institutions", Institution("m" + std::to_string(i), "M")) == 201);
  CHECK(a.http().Get("/api/v1/institutions/m1").result_int() == 200);
  CHECK(a.http().Get("/api/v1/institutions/nope").result_int() == 404);
  Exposition after = Metrics(a);
  CHECK(after.Sum("passerelle_http_requests_total", posts) == 3);
  CHECK(after.Sum("passerelle_http_requests_total", {{"route", "/api/v1/institutions/{id}"}, {"status", "404"}}) == 1);
  CHECK(after.Sum("passerelle_http_request_duration_seconds_count", {{"route", "/api/v1/institutions"}}) >= 3);
  CHECK(after.Sum("passerelle_ops_written_total", {{"kind", "institution"}}) == 3);
  CHECK(after.Sum("passerelle_version_vector_seq", {{"origin", "alpha"}}) == 3);
  // Raw ids never become labels.
  for (const auto& [key, value] : after.samples) CHECK(key.find("m1") == std::string::npos);

  // Secrets a client might send: a password, a session cookie, a token in the query.
  const std::string password = "Sup3r-Secret-Passw0rd", cookie = "Cookie-Secret-4567", token = "Query-Secret-8910";
  a.http().Post("/api/v1/session", json{{"username", "admin"}, {"password", password}});
  a.http().Send(beast_http::verb::get, "/api/v1/institutions?token=" + token, "",
                {{"Cookie", "passerelle_session=" + cookie}, {"Authorization", "Bearer " + cookie}});
  REQUIRE(a.Stop() == 0);
  const std::string log = Slurp(a.log_path());
  const std::string signing_key = Slurp(fed.signing_key("alpha")).substr(0, 128);
  CHECK(log.find("http POST /api/v1/institutions 201") != std::string::npos);  // requests are logged
  CHECK(log.find(password) == std::string::npos);
  CHECK(log.find(cookie) == std::string::npos);
  CHECK(log.find(token) == std::string::npos);
  CHECK(log.find(signing_key) == std::string::npos);
  CHECK(log.find(signing_key.substr(0, 64)) == std::string::npos);
  // Every line is one JSON object with a level and a message.
  std::istringstream lines(log);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    INFO(line);
    auto j = json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j.contains("level"));
    CHECK(j.contains("msg"));
    CHECK(j.contains("ts"));
    ++n;
  }
  CHECK(n >= 5);
}

TEST_CASE("Operations: SIGTERM during a stream of writes loses no acknowledged write", "[operations]") {
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}});
  TestNode& a = fed.node("alpha");
  a.Start();
  Writer writer(a, "term-");
  REQUIRE(Eventually([&] { return writer.count() >= 200; }, 60s));
  const int status = a.Stop();  // SIGTERM while the client writes
  std::vector<std::string> acked = writer.Stop();
  CHECK(status == 0);
  CHECK(a.LogTail(5).find("stopped cleanly") != std::string::npos);
  a.Start();
  CHECK(MissingOn(a, acked) == 0);
  Report("SIGTERM: " + std::to_string(acked.size()) + " acknowledged writes, all kept");
}

TEST_CASE("Operations: a second instance and a newer data directory are refused with clear messages",
          "[operations]") {
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}});
  TestNode& a = fed.node("alpha");
  a.Start();
  const std::string data_dir = fed.dir() + "/data/alpha";
  const std::string log = fed.dir() + "/second.log";
  const std::vector<std::string> second = {PASSERELLE_BIN, "node", "--config", a.config_path(),
                                           "--http-listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0"};
  int rc = RunCommand(second, log, 30s);
  std::string out = Slurp(log);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("in use by another passerelle process") != std::string::npos);
  CHECK(out.find(data_dir) != std::string::npos);
  CHECK(a.Running());
  REQUIRE(a.Stop() == 0);

  {  // as if a newer passerelle had written the directory
    auto store = storage::OpenRocksStore(data_dir);
    REQUIRE(store.ok());
    storage::WriteBatch b;
    b.Put(storage::Column::kMeta, std::string(service::keys::kFormat), "99");
    REQUIRE((*store)->Write(b).ok());
  }
  const std::string log2 = fed.dir() + "/newer.log";
  rc = RunCommand(second, log2, 30s);
  out = Slurp(log2);
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("on-disk format 99") != std::string::npos);
  CHECK(out.find("upgrade passerelle") != std::string::npos);
}

TEST_CASE("Operations: offline `passerelle import` leaves records touching no member alone unless claim_unowned",
          "[operations][import]") {
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}});  // claim_unowned false
  TestNode& a = fed.node("alpha");
  const std::string seed = fed.dir() + "/seed";
  std::filesystem::create_directories(seed);
  std::ofstream(seed + "/institutions.json")
      << json::array({{{"id", "inst-alpha"}, {"name", "Alpha college"}, {"type", "college"}},
                      {{"id", "inst-nobody"}, {"name", "Nobody's institute"}, {"type", "institute"}}})
             .dump();
  const std::string log = fed.dir() + "/import.log";
  int rc = RunCommand({PASSERELLE_BIN, "import", seed, "--config", a.config_path()}, log, 60s);
  std::string out = Slurp(log);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("1 created, 0 updated, 0 unchanged, 1 refused") != std::string::npos);
  CHECK(out.find("refused institutions.json inst-nobody: ") != std::string::npos);
  CHECK(out.find("touches no member") != std::string::npos);
  a.Start();
  CHECK(a.GetRecord("institutions", "inst-alpha").has_value());
  CHECK_FALSE(a.GetRecord("institutions", "inst-nobody").has_value());
}

TEST_CASE("Operations: a backup taken during writes restores to the backup point, then catches up from peers",
          "[operations]") {
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}, {"bravo", {"inst-bravo"}}});
  TestNode& a = fed.node("alpha");
  TestNode& b = fed.node("bravo");
  const std::string grpc = StartWithGrpcPort(a, b);
  Writer writer(a, "bk-");
  REQUIRE(Eventually([&] { return writer.count() >= 100; }, 60s));
  const std::string backup = fed.dir() + "/backup-alpha";
  const std::string backup_log = fed.dir() + "/backup.log";
  int rc = RunCommand({PASSERELLE_BIN, "backup", backup, "--config", a.config_path(), "--grpc-listen", grpc},
                      backup_log, 60s);
  INFO(Slurp(backup_log));
  REQUIRE(rc == 0);
  const size_t at_backup = writer.count();
  REQUIRE(Eventually([&] { return writer.count() >= at_backup + 100; }, 60s));  // still serving
  std::vector<std::string> acked = writer.Stop();
  json manifest = json::parse(Slurp(backup + "/backup.json"));
  const uint64_t backup_seq = manifest["version_vector"]["alpha"].get<uint64_t>();
  CHECK(backup_seq >= 100);
  fed.RequireConverged({"alpha", "bravo"});
  const uint64_t final_seq = a.FederationStatus().value()["version_vector"]["alpha"].get<uint64_t>();
  CHECK(final_seq > backup_seq);

  // The backup call shows in alpha's gRPC metrics.
  CHECK(Metrics(a).Sum("passerelle_grpc_requests_total",
                       {{"method", "/passerelle.v1.AdminService/Backup"}, {"code", "OK"}}) == 1);

  // alpha's disk is lost: restore the backup into a new directory and start on it.
  REQUIRE(a.Stop() == 0);
  const std::string restored = fed.dir() + "/data/alpha-restored";
  const std::string restore_log = fed.dir() + "/restore.log";
  rc = RunCommand({PASSERELLE_BIN, "restore", backup, "--data-dir", restored}, restore_log, 60s);
  INFO(Slurp(restore_log));
  REQUIRE(rc == 0);  // restore checks the copy's version vector and digest against the manifest
  CHECK(Slurp(restore_log).find(manifest["digest"].get<std::string>()) != std::string::npos);
  // Restoring again into the now non-empty directory is refused.
  CHECK(RunCommand({PASSERELLE_BIN, "restore", backup, "--data-dir", restored}, restore_log, 60s) == 1);

  // bravo, which holds alpha's later ops, is down while alpha comes back.
  REQUIRE(b.Stop() == 0);
  a.SetExtraArgs({"--grpc-listen", grpc, "--data-dir", restored});
  a.Start();
  // Right after start it holds exactly the backup point...
  auto first = a.FederationStatus();
  REQUIRE(first.has_value());
  CHECK((*first)["version_vector"]["alpha"].get<uint64_t>() == backup_seq);
  // ...and writes nothing of its own: a new op would reuse a number bravo holds.
  CHECK((*first)["own_chain_confirmed"] == false);
  std::string error;
  CHECK(Post(a.http(), "institutions", Institution("after-restore", "Après restauration"), &error) == 503);
  CHECK(error.find("restored from a backup") != std::string::npos);
  auto ready = a.http().Get("/readyz");
  CHECK(ready.result_int() == 503);
  CHECK(ready.body().find("restored from a backup") != std::string::npos);
  // Once bravo is back alpha catches up, its own later ops included, then writes again.
  b.Start();
  REQUIRE(Eventually([&] {
    auto st = a.FederationStatus();
    return st && (*st)["own_chain_confirmed"] == true;
  }, 60s));
  CHECK(a.FederationStatus().value()["version_vector"]["alpha"].get<uint64_t>() == final_seq);
  CHECK(Post(a.http(), "institutions", Institution("after-restore", "Après restauration"), &error) == 201);
  fed.RequireConverged({"alpha", "bravo"});
  CHECK(a.FederationStatus().value()["version_vector"]["alpha"].get<uint64_t>() == final_seq + 1);
  CHECK(b.GetRecord("institutions", "after-restore").has_value());
  CHECK(MissingOn(a, acked) == 0);
  for (TestNode* n : {&a, &b}) CHECK(n->FederationStatus().value()["refused_total"] == 0);
}

TEST_CASE("Operations: `passerelle status` and `export` as an operator runs them", "[operations][cli]") {
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}, {"bravo", {"inst-bravo"}}});
  TestNode& a = fed.node("alpha");
  TestNode& b = fed.node("bravo");
  const std::string grpc = StartWithGrpcPort(a, b);
  REQUIRE(Post(a.http(), "institutions", Institution("inst-alpha", "Alpha college")) == 201);
  fed.RequireConverged({"alpha", "bravo"});
  // alpha dialled bravo before bravo was up: its next attempt reaches it.
  REQUIRE(Eventually([&] {
    auto s = a.FederationStatus();
    return s && s->value("peers", json::array()).size() == 1 && (*s)["peers"][0]["last_contact_ms_ago"].is_number();
  }, 60s));

  // status --json: the node's own status, as REST gives it, peers included.
  const std::string log = fed.dir() + "/status.log";
  int rc = RunCommand({PASSERELLE_BIN, "status", "--json", "--config", a.config_path(), "--grpc-listen", grpc}, log, 30s);
  INFO(Slurp(log));
  REQUIRE(rc == 0);
  json st = json::parse(Slurp(log));
  json rest = a.FederationStatus().value();
  CHECK(st["member_id"] == "alpha");
  CHECK(st["version_vector"] == rest["version_vector"]);
  CHECK(st["digest"] == rest["digest"]);
  REQUIRE(st["peers"].size() == 1);
  CHECK(st["peers"][0]["member_id"] == "bravo");
  CHECK(st["peers"][0]["address"] == fed.peer_address("bravo"));
  CHECK(st["peers"][0]["last_contact_ms_ago"].is_number());  // converged: they have talked
  CHECK(st["peers"][0]["behind"] == 0);
  CHECK(st["refused"] == rest["refused"]);
  CHECK(st["refused_total"] == 0);
  // The text form names the member and the peer.
  rc = RunCommand({PASSERELLE_BIN, "status", "--config", a.config_path(), "--grpc-listen", grpc}, log, 30s);
  CHECK(rc == 0);
  CHECK(Slurp(log).find("member   alpha") != std::string::npos);
  CHECK(Slurp(log).find("bravo at ") != std::string::npos);

  // export, on the stopped node: the record in the seed format; not over it again
  // without --force.
  REQUIRE(a.Stop() == 0);
  const std::string out = fed.dir() + "/export";
  rc = RunCommand({PASSERELLE_BIN, "export", out, "--config", a.config_path()}, log, 60s);
  INFO(Slurp(log));
  REQUIRE(rc == 0);
  json institutions = json::parse(Slurp(out + "/institutions.json"));
  bool found = false;
  for (const auto& i : institutions) found |= i.value("id", "") == "inst-alpha" && i.value("name", "") == "Alpha college";
  CHECK(found);
  rc = RunCommand({PASSERELLE_BIN, "export", out, "--config", a.config_path()}, log, 60s);
  CHECK(rc == 1);
  CHECK(Slurp(log).find("--force") != std::string::npos);
  CHECK(RunCommand({PASSERELLE_BIN, "export", out, "--force", "--config", a.config_path()}, log, 60s) == 0);
  // A status with no node to answer says so and fails.
  rc = RunCommand({PASSERELLE_BIN, "status", "--config", a.config_path(), "--grpc-listen", grpc}, log, 30s);
  CHECK(rc != 0);
}

}  // namespace passerelle::testing
