// Sections 4 and 5: REST over real loopback sockets with Boost.Beast keep-alive
// clients: agreement creates from concurrent clients, then the latency of a page of
// 100 agreements out of config.list_total (unfiltered and filtered by party).
#include <iostream>

#include "bench/records.h"
#include "bench/sections.h"
#include "bench/timing.h"
#include "node/http/http_server.h"
#include "tests/http/http_client.h"
#include "tests/http/test_sessions.h"

namespace passerelle::bench {
namespace {

using testing::HttpClient;

// A REST server on a free loopback port over the node's service, with an admin
// session for the clients (the accounts live in the node's store, beside the records).
struct RestServer {
  std::unique_ptr<testing::TestSessions> sessions;
  std::unique_ptr<http::HttpServer> server;
  explicit operator bool() const { return server != nullptr; }
  http::HttpServer* operator->() const { return server.get(); }
  // A keep-alive client logged in as the admin.
  std::shared_ptr<HttpClient> Client() const {
    auto s = sessions->LoginAs("admin");
    return std::make_shared<HttpClient>("127.0.0.1", server->port(), s.token, s.csrf_token);
  }
};

RestServer StartHttp(BenchNode* node, std::string* error) {
  RestServer out;
  out.sessions = std::make_unique<testing::TestSessions>(node->store.get());
  http::HttpOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.sessions = &out.sessions->sessions;
  out.server = std::make_unique<http::HttpServer>(node->service.get(), options);
  Status s = out.server->Start();
  if (!s.ok()) {
    *error = s.ToString();
    out.server.reset();
  }
  return out;
}

void RunCreates(const Config& config, Report* report) {
  std::cerr << "[4/5] REST: " << config.rpc_n << " agreement creates, " << config.clients
            << " keep-alive clients\n";
  auto node = OpenBenchNode(config.tmp_root, "rest");
  std::string error = node.ok() ? "" : node.status().ToString();
  auto server = node.ok() ? StartHttp(node->get(), &error) : RestServer{};
  if (!server) {
    std::cerr << "cannot start the REST node: " << error << "\n";
    report->Value("rest create agreement", 0, "calls/s", 1);
    return;
  }
  server.sessions->LoginAs("admin");  // the account exists before the clients log in
  RunResult creates = RunClients(config.clients, config.rpc_n, [&](int c) -> ClientOp {
    auto client = server.Client();
    for (int i = 0; i < 20; ++i) client->Get("/healthz");  // warm-up: connection, buffers
    // The body is this client's template with a fresh id: split around the id once.
    const std::string marker = "agr-marker-00000000";
    std::string body = MakeAgreement(marker, c, config.value_bytes).dump();
    size_t at = body.find(marker);
    auto head = std::make_shared<std::string>(body.substr(0, at));
    auto tail = std::make_shared<std::string>(body.substr(at + marker.size()));
    return [client, head, tail](size_t i, std::string* err) {
      try {
        auto res = client->Send(boost::beast::http::verb::post, "/api/v1/agreements",
                                *head + AgreementId("rest", i) + *tail);
        if (res.result_int() == 201) return true;
        *err = "HTTP " + std::to_string(res.result_int()) + ": " + res.body();
      } catch (const std::exception& e) {
        *err = e.what();
      }
      return false;
    };
  });
  if (creates.failed > 0) std::cerr << "  create: " << creates.first_error << "\n";
  report->Ratio("rest create agreement", creates.Rate(), "calls/s", kGrpcCreate, std::nullopt,
                creates.failed);
}

// Creates config.list_total agreements through the service, printing progress.
Status Populate(const Config& config, service::RecordService* svc) {
  Stopwatch watch;
  const service::Caller caller{"bench"};
  const size_t step = std::max<size_t>(config.list_total / 10, 1);
  for (size_t i = 0; i < config.list_total; ++i) {
    auto created = svc->Create(
        "agreement", MakeAgreement(AgreementId("list", i), i, config.value_bytes), caller);
    if (!created.ok()) return created.status();
    if ((i + 1) % step == 0 || i + 1 == config.list_total)
      std::cerr << "  populated " << i + 1 << " / " << config.list_total << " ("
                << FormatValue(watch.Seconds()) << " s)\n";
  }
  return Status::Ok();
}

// Times `requests` GETs of `target` on one keep-alive connection; adds p50 and p99.
void TimeList(const Config& config, HttpClient* client, const std::string& target,
              const std::string& name, Report* report) {
  for (int i = 0; i < 5; ++i) client->Get(target);  // warm-up
  std::vector<double> ms;
  size_t failed = 0, bytes = 0;
  std::string first_error;
  for (size_t i = 0; i < config.list_requests; ++i) {
    Stopwatch watch;
    std::string problem;
    try {
      auto res = client->Get(target);
      ms.push_back(watch.Millis());
      bytes = res.body().size();
      auto body = testing::JsonOf(res);
      if (res.result_int() != 200)
        problem = "HTTP " + std::to_string(res.result_int());
      else if (!body.contains("agreements") || body["agreements"].size() != 100)
        problem = "page without 100 agreements";
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (!problem.empty() && failed++ == 0) first_error = problem;
  }
  if (failed > 0) std::cerr << "  " << target << ": " << first_error << "\n";
  std::cerr << "  " << target << ": " << bytes / 1024 << " KiB per page\n";
  Figure p50;
  p50.name = name + " p50";
  p50.value = Percentile(&ms, 0.50);
  p50.unit = "ms";
  p50.target = TargetKind::kValueBelow;
  p50.target_value = 5.0;
  p50.errors = failed;
  report->Add(p50);
  report->Value(name + " p99", Percentile(&ms, 0.99), "ms", failed);
}

// The same page through RecordService::List in-process: how much of the REST latency
// is the store and the service, and how much JSON encoding and HTTP.
void TimeServiceList(const Config& config, const service::RecordService& svc,
                     const std::string& name, Report* report) {
  service::ListQuery query;
  query.page_size = 100;
  std::vector<double> ms;
  size_t failed = 0;
  for (size_t i = 0; i < config.list_requests; ++i) {
    Stopwatch watch;
    auto page = svc.List("agreement", query);
    ms.push_back(watch.Millis());
    if (!page.ok() || page->records.size() != 100) ++failed;
  }
  report->Value(name + " p50", Percentile(&ms, 0.50), "ms", failed);
}

void RunLists(const Config& config, Report* report) {
  std::cerr << "[5/5] REST list: populating " << config.list_total << " agreements\n";
  auto node = OpenBenchNode(config.tmp_root, "list");
  std::string error = node.ok() ? "" : node.status().ToString();
  if (node.ok()) {
    if (Status s = Populate(config, (*node)->service.get()); !s.ok()) error = s.ToString();
  }
  auto server = error.empty() ? StartHttp(node->get(), &error) : RestServer{};
  std::string of = std::to_string(config.list_total / 1000) + "k";
  if (!server) {
    std::cerr << "cannot set up the REST list node: " << error << "\n";
    report->Value("rest list 100/" + of, 0, "ms", 1);
    return;
  }
  TimeServiceList(config, *(*node)->service, "service list 100/" + of, report);
  auto client_ptr = server.Client();
  HttpClient& client = *client_ptr;
  TimeList(config, &client, "/api/v1/agreements?page_size=100", "rest list 100/" + of, report);
  TimeList(config, &client, "/api/v1/agreements?party=" + InstitutionId(3) + "&page_size=100",
           "rest list 100/" + of + " ?party=", report);
}

}  // namespace

void RunRest(const Config& config, Report* report) {
  RunCreates(config, report);
  RunLists(config, report);
}

}  // namespace passerelle::bench
