#include "tests/federation/test_federation.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <exception>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace passerelle::testing {
namespace {

using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string Tail(const std::string& text, size_t lines) {
  size_t start = text.size();
  if (start > 0 && text[start - 1] == '\n') --start;
  for (size_t n = 0; n < lines; ++n) {
    if (start == 0) return text;
    size_t p = text.rfind('\n', start - 1);
    if (p == std::string::npos) return text;
    start = p;
  }
  return text.substr(start + 1);
}

}  // namespace

// A loopback port free now, below the kernel's ephemeral range (32768 and up by
// default, where every outgoing connection of the nodes takes its port, so a pick
// there can be taken before the node binds it), never handed out twice in a process.
uint16_t PickFreePort() {
  static std::mutex mu;
  static std::set<uint16_t> handed_out;
  static std::mt19937 random(std::random_device{}());
  std::lock_guard lock(mu);
  for (int attempt = 0; attempt < 500; ++attempt) {
    uint16_t port = static_cast<uint16_t>(20000 + random() % 12000);
    if (handed_out.count(port)) continue;
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    if (ok && handed_out.insert(port).second) return port;
  }
  throw std::runtime_error("no free loopback port in 20000-31999");
}

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds deadline,
                std::chrono::milliseconds poll) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(poll);
  }
}

// ---- TestNode --------------------------------------------------------------------------

void TestNode::Start(const std::string& import_dir) {
  if (!admin_created_) {  // the node's first admin, as an operator would add it
    std::string log = log_path_ + ".users";
    int rc = RunCommand({PASSERELLE_BIN, "users", "add", kAdminUser, "--role", "admin",
                         "--password", kAdminPassword, "--config", config_path_},
                        log, 30s);
    if (rc != 0) throw std::runtime_error("users add failed on " + id_ + ":\n" + ReadFile(log));
    admin_created_ = true;
  }
  std::vector<std::string> argv = {PASSERELLE_BIN, "node",           "--config",
                                   config_path_,   "--members-file", members_path_};
  if (!import_dir.empty()) argv.insert(argv.end(), {"--import", import_dir});
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  http_.reset();
  process_.Start(argv, log_path_);
  if (!process_.WaitForLogLine("passerelle node " + id_ + " ready:", kStartDeadline)) {
    std::string log = process_.LogSinceStart();
    process_.Kill();
    throw std::runtime_error("node " + id_ + " did not start; its log:\n" + Tail(log, 40));
  }
}

int TestNode::Stop() {
  http_.reset();
  return process_.Stop();
}

void TestNode::Kill() {
  http_.reset();
  process_.Kill();
}

HttpClient& TestNode::http() {
  if (!http_) {
    http_ = std::make_unique<HttpClient>("127.0.0.1", http_port_);
    Authorize(http_.get());
  }
  return *http_;
}

void TestNode::Authorize(HttpClient* client) {
  auto res = client->Login(kAdminUser, kAdminPassword);
  if (res.result_int() != 200)
    throw std::runtime_error("login on " + id_ + " failed: HTTP " +
                             std::to_string(res.result_int()) + " " + res.body());
}

std::optional<json> TestNode::FederationStatus() {
  try {
    auto res = http().Get("/api/v1/federation/status");
    if (res.result_int() != 200) return std::nullopt;
    json j = JsonOf(res);
    if (!j.is_object()) return std::nullopt;
    return j;
  } catch (const std::exception&) {
    http_.reset();
    return std::nullopt;
  }
}

std::optional<json> TestNode::GetRecord(const std::string& plural, const std::string& id) {
  auto res = http().Get("/api/v1/" + plural + "/" + id);
  if (res.result_int() == 404) return std::nullopt;
  if (res.result_int() != 200)
    throw std::runtime_error("GET " + plural + "/" + id + " on " + id_ + ": HTTP " +
                             std::to_string(res.result_int()) + " " + res.body());
  return JsonOf(res);
}

std::string TestNode::LogTail(size_t lines) const { return Tail(ReadFile(log_path_), lines); }

// ---- TestFederation --------------------------------------------------------------------

TestFederation::TestFederation(std::vector<MemberSpec> members, json node_defaults) {
  dir_ = temp_.str() + "/federation";
  json spec = {{"federation", "test-federation"}, {"members", json::array()}};
  if (!node_defaults.is_null()) spec["node_defaults"] = node_defaults;
  for (const auto& m : members) {
    std::string peer = "127.0.0.1:" + std::to_string(PickFreePort());
    peer_addresses_[m.id] = peer;
    json entry = {{"id", m.id},
                  {"name", "member " + m.id},
                  {"acts_for", m.acts_for},
                  {"peer", peer},
                  {"claim_unowned", m.claim_unowned}};
    if (m.runs_node) {
      auto node = std::make_unique<TestNode>();
      node->id_ = m.id;
      node->http_port_ = PickFreePort();
      node->config_path_ = dir_ + "/" + m.id + ".json";
      node->members_path_ = dir_ + "/members-" + m.id + ".json";
      node->log_path_ = temp_.str() + "/" + m.id + ".log";
      entry["http"] = "127.0.0.1:" + std::to_string(node->http_port_);
      entry["grpc"] = "127.0.0.1:0";
      nodes_[m.id] = std::move(node);
    }
    spec["members"].push_back(entry);
  }
  std::string spec_path = temp_.str() + "/spec.json";
  WriteFile(spec_path, spec.dump(2));
  std::string log = temp_.str() + "/new-federation.log";
  int rc = RunCommand({PASSERELLE_NEW_FEDERATION, spec_path, dir_, "--passerelle", PASSERELLE_BIN},
                      log, 120s);
  if (rc != 0)
    throw std::runtime_error("new-federation.sh failed (" + std::to_string(rc) + "):\n" +
                             ReadFile(log));
  members_json_ = json::parse(ReadFile(dir_ + "/members.json"));
  for (const auto& m : members) {
    std::set<std::string> all;
    for (const auto& other : members)
      if (other.id != m.id) all.insert(other.id);
    if (m.runs_node) SetDials(m.id, all);
  }
}

TestFederation::~TestFederation() {
  const bool failing = std::uncaught_exceptions() > 0;
  for (auto& [id, node] : nodes_)
    if (node->Running()) ::kill(node->process_.pid(), SIGTERM);  // all stop in parallel
  for (auto& [id, node] : nodes_) node->Stop();
  if (failing) {
    for (auto& [id, node] : nodes_)
      std::cerr << "---- last lines of " << id << "'s log (" << node->log_path_ << ")\n"
                << node->LogTail(30) << "\n";
  }
}

TestNode& TestFederation::node(const std::string& id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) throw std::runtime_error("no node " + id);
  return *it->second;
}

std::string TestFederation::peer_address(const std::string& member) const {
  return peer_addresses_.at(member);
}

void TestFederation::SetDials(const std::string& member, const std::set<std::string>& peers) {
  dials_[member] = peers;
  WriteMembersFile(member);
}

// The shared members.json with node_address kept only for the node itself and the peers
// it dials: public keys and acts_for stay identical in every node's file.
void TestFederation::WriteMembersFile(const std::string& member) {
  json view = members_json_;
  for (auto& m : view["members"]) {
    std::string id = m["id"];
    if (id != member && !dials_[member].count(id)) m.erase("node_address");
  }
  WriteFile(node(member).members_path_, view.dump(2));
}

bool TestFederation::Converged(const std::vector<std::string>& ids, std::string* why) {
  std::optional<json> first;
  for (const auto& id : ids) {
    auto status = node(id).FederationStatus();
    if (!status) {
      if (why) *why = id + " does not answer";
      return false;
    }
    if (status->value("digest", "").empty()) {
      if (why) *why = id + " reports no digest";
      return false;
    }
    if (!first) {
      first = status;
      continue;
    }
    if ((*status)["version_vector"] != (*first)["version_vector"] ||
        (*status)["digest"] != (*first)["digest"]) {
      if (why)
        *why = ids[0] + " has " + (*first)["version_vector"].dump() + " digest " +
               (*first)["digest"].get<std::string>().substr(0, 12) + "…, " + id + " has " +
               (*status)["version_vector"].dump() + " digest " +
               (*status)["digest"].get<std::string>().substr(0, 12) + "…";
      return false;
    }
  }
  return true;
}

void TestFederation::RequireConverged(const std::vector<std::string>& ids,
                                      std::chrono::milliseconds deadline) {
  std::string why;
  bool ok = Eventually([&] { return Converged(ids, &why); }, deadline, 100ms);
  if (!ok) {
    std::string statuses;
    for (const auto& id : ids) {
      auto s = node(id).FederationStatus();
      statuses += id + ": " + (s ? s->dump() : std::string("no answer")) + "\n";
    }
    INFO("not converged: " << why << "\n" << statuses);
    REQUIRE(ok);
  }
}

}  // namespace passerelle::testing
