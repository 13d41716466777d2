// Section 7: equivalence lookups (issue 5) with 100,000 qualifications and 20,000 level
// mappings over 10 frameworks (--quick: 5,000 and 1,000): p50 / p99 of
// EquivalenceService::Lookup in-process and of GET /api/v1/equivalences over a loopback
// keep-alive connection. Targets: p99 < 2 ms in-process, < 10 ms over REST.
#include <iostream>
#include <random>
#include <time.h>

#include "bench/records.h"
#include "bench/sections.h"
#include "bench/timing.h"
#include "node/http/http_server.h"
#include "node/service/equivalence_service.h"
#include "tests/http/http_client.h"
#include "tests/http/test_sessions.h"

namespace passerelle::bench {
namespace {

using nlohmann::json;

constexpr int kFrameworks = 10;  // one regional + nine national
constexpr int kLevels = 8;
const char* const kCountries[] = {"CL", "CO", "MX", "PE", "CA", "MA", "AR", "BR", "FR"};
const char* const kSectors[] = {"Mines", "Énergie", "Mécanique", "Tourisme", "Environnement",
                                "Santé", "Numérique", "Soudage", "Agriculture", "Construction"};
const char* const kStatuses[] = {"approved", "approved", "approved", "completed", "proposed"};
const char* const kStrengths[] = {"exact", "best_fit", "best_fit", "partial"};

std::string FrameworkId(int f) { return f == 0 ? "bench-regional" : "bench-fw-" + std::string(kCountries[f - 1]); }

struct Sizes {
  size_t qualifications, mappings, lookups;
};

Status Populate(service::RecordService* svc, const Sizes& sizes) {
  const service::Caller caller{"bench"};
  for (int f = 0; f < kFrameworks; ++f) {
    json levels = json::array();
    for (int l = 1; l <= kLevels; ++l)
      levels.push_back({{"level", l}, {"title", "Level " + std::to_string(l)},
                        {"descriptors", {{"Knowledge", Words(f * 100 + l, 200)},
                                         {"Skills", Words(f * 100 + l + 50, 200)}}}});
    json fw = {{"id", FrameworkId(f)}, {"name", "Bench framework " + std::to_string(f)},
               {"scope", f == 0 ? "regional" : "national"}, {"levels_count", kLevels},
               {"dimensions", {"Knowledge", "Skills"}}, {"levels", levels},
               {"authority", InstitutionId(f)}, {"status", f == 0 ? "base_structure_defined" : "published"}};
    if (f > 0) fw["country"] = kCountries[f - 1];
    auto r = svc->Create("framework", fw, caller);
    if (!r.ok()) return r.status();
  }
  std::mt19937_64 rng(42);
  for (size_t i = 0; i < sizes.qualifications; ++i) {
    int f = 1 + static_cast<int>(i % (kFrameworks - 1));
    json q = {{"id", "bench-q-" + std::to_string(i)}, {"title", "Qualification " + std::to_string(i)},
              {"country", kCountries[f - 1]}, {"sector", kSectors[rng() % 10]},
              {"framework_id", FrameworkId(f)}, {"level", static_cast<int>(1 + rng() % kLevels)}};
    auto r = svc->Create("qualification", q, caller);
    if (!r.ok()) return r.status();
  }
  for (size_t i = 0; i < sizes.mappings; ++i) {
    // Mostly national -> regional at a nearby level; one in ten national -> national.
    int f = 1 + static_cast<int>(rng() % (kFrameworks - 1));
    int level = 1 + static_cast<int>(rng() % kLevels);
    int to_f = i % 10 == 0 ? 1 + static_cast<int>(rng() % (kFrameworks - 1)) : 0;
    if (to_f == f) to_f = 0;
    int to_level = std::clamp(level + static_cast<int>(rng() % 3) - 1, 1, kLevels);
    json m = {{"id", "bench-map-" + std::to_string(i)}, {"type", "level_mapping"},
              {"from", {{"framework_id", FrameworkId(f)}, {"level", level}}},
              {"to", {{"framework_id", FrameworkId(to_f)}, {"level", to_level}}},
              {"status", kStatuses[rng() % 5]}, {"strength", kStrengths[rng() % 4]},
              {"sector", kSectors[rng() % 10]}, {"basis", "bench"}};
    auto r = svc->Create("mapping", m, caller);
    if (!r.ok()) return r.status();
  }
  return Status::Ok();
}

// The i-th lookup: a qualification, a target country other than its own, and now and
// then a sector filter or proposed mappings.
service::EquivalenceRequest MakeLookup(size_t i, const Sizes& sizes) {
  service::EquivalenceRequest r;
  size_t q = (i * 7919) % sizes.qualifications;
  int f = 1 + static_cast<int>(q % (kFrameworks - 1));
  r.qualification = "bench-q-" + std::to_string(q);
  r.target_country = kCountries[(f + i % 7) % (kFrameworks - 1)];
  if (r.target_country == kCountries[f - 1]) r.target_country = kCountries[f % (kFrameworks - 1)];
  if (i % 3 == 0) r.sector = kSectors[i % 10];
  r.include_proposed = i % 4 == 0;
  return r;
}

std::string Target(const service::EquivalenceRequest& r) {
  std::string t = "/api/v1/equivalences?qualification=" + r.qualification + "&target_country=" + r.target_country;
  if (!r.sector.empty()) t += "&sector=" + std::string(r.sector == "Énergie" ? "%C3%89nergie" : r.sector == "Mécanique" ? "M%C3%A9canique" : r.sector == "Santé" ? "Sant%C3%A9" : r.sector == "Numérique" ? "Num%C3%A9rique" : r.sector);
  if (r.include_proposed) t += "&include_proposed=true";
  return t;
}

double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void AddLatency(Report* report, const std::string& name, std::vector<double>* ms, double p99_target, size_t failed) {
  report->Value(name + " p50", Percentile(ms, 0.50), "ms", failed);
  Figure p99;
  p99.name = name + " p99";
  p99.value = Percentile(ms, 0.99);
  p99.unit = "ms";
  p99.target = TargetKind::kValueBelow;
  p99.target_value = p99_target;
  p99.errors = failed;
  report->Add(p99);
}

}  // namespace

void RunEquivalence(const Config& config, Report* report) {
  Sizes sizes = config.quick ? Sizes{5'000, 1'000, 200} : Sizes{100'000, 20'000, 2'000};
  std::cerr << "[7] equivalences: " << sizes.qualifications << " qualifications, " << sizes.mappings
            << " level mappings over " << kFrameworks << " frameworks\n";
  auto node = OpenBenchNode(config.tmp_root, "equivalence");
  Status s = node.ok() ? Populate((*node)->service.get(), sizes) : node.status();
  if (!s.ok()) {
    std::cerr << "cannot populate the equivalence node: " << s.ToString() << "\n";
    report->Value("equivalence lookup in-process p99", 0, "ms", 1);
    return;
  }
  service::EquivalenceService equivalences((*node)->service.get());
  Stopwatch build;
  auto graph = equivalences.Current();
  report->Value("equivalence graph build", build.Millis(), "ms", graph.ok() ? 0 : 1);

  std::vector<double> ms, cpu_ms;
  size_t failed = 0, candidates = 0;
  for (size_t i = 0; i < sizes.lookups; ++i) {
    auto req = MakeLookup(i, sizes);
    double cpu_start = ThreadCpuMs();
    Stopwatch watch;
    auto answer = equivalences.Lookup(req);
    ms.push_back(watch.Millis());
    cpu_ms.push_back(ThreadCpuMs() - cpu_start);
    if (!answer.ok()) {
      if (failed++ == 0) std::cerr << "  lookup: " << answer.status().ToString() << "\n";
    } else {
      candidates += (*answer)["candidates"].size();
    }
  }
  std::cerr << "  " << FormatValue(static_cast<double>(candidates) / sizes.lookups) << " candidates per answer\n";
  AddLatency(report, "equivalence lookup in-process", &ms, 2.0, failed);
  // The same lookups in CPU time of the calling thread: on a loaded machine the wall-clock
  // tail is mostly time spent waiting for a core (multiples of the scheduler's slice).
  report->Value("equivalence lookup in-process cpu p50", Percentile(&cpu_ms, 0.50), "ms", failed);
  report->Value("equivalence lookup in-process cpu p99", Percentile(&cpu_ms, 0.99), "ms", failed);

  testing::TestSessions sessions((*node)->store.get());  // REST needs a session
  http::HttpOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.equivalences = &equivalences;
  options.sessions = &sessions.sessions;
  http::HttpServer server((*node)->service.get(), options);
  if (Status started = server.Start(); !started.ok()) {
    std::cerr << "cannot start REST: " << started.ToString() << "\n";
    report->Value("equivalence lookup REST p99", 0, "ms", 1);
    return;
  }
  auto session = sessions.LoginAs("officer", service::Role::kMobilityOfficer);
  testing::HttpClient client("127.0.0.1", server.port(), session.token, session.csrf_token);
  for (int i = 0; i < 20; ++i) client.Get(Target(MakeLookup(i, sizes)));  // warm-up
  ms.clear();
  failed = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < sizes.lookups; ++i) {
    std::string target = Target(MakeLookup(i, sizes));
    Stopwatch watch;
    try {
      auto res = client.Get(target);
      ms.push_back(watch.Millis());
      bytes += res.body().size();
      if (res.result_int() != 200 && failed++ == 0) std::cerr << "  " << target << ": " << res.body() << "\n";
    } catch (const std::exception& e) {
      if (failed++ == 0) std::cerr << "  " << target << ": " << e.what() << "\n";
    }
  }
  std::cerr << "  " << bytes / 1024 / std::max<size_t>(sizes.lookups, 1) << " KiB per answer\n";
  AddLatency(report, "equivalence lookup REST", &ms, 10.0, failed);
}

}  // namespace passerelle::bench
