// Section 2: the store through service::RecordService over RocksDB on disk. A create
// validates, appends the op, folds the record and writes its indexes in one batch.
// Only the service calls are timed, not building the request JSON (a client's work).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <random>

#include "bench/records.h"
#include "node/service/record_store.h"
#include "bench/sections.h"
#include "bench/shaped_writes.h"
#include "bench/timing.h"

namespace passerelle::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Runs `n` calls of `call(i)`, timing only the calls; returns ok/failed and seconds.
template <typename Prepare, typename Call>
RunResult TimeCalls(size_t n, Prepare prepare, Call call) {
  RunResult result;
  Clock::duration spent{};
  for (size_t i = 0; i < n; ++i) {
    auto request = prepare(i);
    auto start = Clock::now();
    Status s = call(i, std::move(request));
    spent += Clock::now() - start;
    if (s.ok()) {
      ++result.ok;
    } else if (result.failed++ == 0) {
      result.first_error = s.ToString();
    }
  }
  result.seconds = std::chrono::duration<double>(spent).count();
  return result;
}

void ReportErrors(const char* what, const RunResult& r) {
  if (r.failed > 0)
    std::cerr << "  " << what << ": " << r.failed << " failed, first: " << r.first_error << "\n";
}

// Prints what one operation cost the store on average, from counters before and after.
void PrintCost(const char* what, const KvCounts& before, const KvCounts& after, size_t n) {
  if (n == 0) return;
  auto per = [n](uint64_t a, uint64_t b) { return static_cast<double>(b - a) / n; };
  char line[256];
  std::snprintf(line, sizeof line,
                "  per %s: %.1f kv gets, %.1f scans, %.2f batches, %.1f entries, %.0f B written\n",
                what, per(before.gets, after.gets), per(before.scans, after.scans),
                per(before.writes, after.writes), per(before.entries, after.entries),
                per(before.bytes, after.bytes));
  std::cerr << line;
}

constexpr char kCreateShaped[] = "raw create batches";

}  // namespace

void RunStore(const Config& config, Report* report) {
  std::cerr << "[2/5] store: " << config.n << " creates, updates and gets through "
            << "RecordService\n";
  auto opened = OpenBenchNode(config.tmp_root, "store");
  if (!opened.ok()) {
    std::cerr << "cannot open the bench node: " << opened.status().ToString() << "\n";
    report->Value("store create", 0, "ops/s", 1);
    return;
  }
  service::RecordService& svc = *(*opened)->service;
  const service::Caller caller{"bench"};
  const std::string sample = MakeAgreement(AgreementId("store", 0), 0, config.value_bytes).dump();
  std::cerr << "  agreement JSON: " << sample.size() << " B\n";

  CountingStore& counts = *(*opened)->counting;
  counts.TakeLargestBatch();  // the institutions' creates are not the shape measured
  KvCounts c0 = counts.counts();
  RunResult creates = TimeCalls(
      config.n,
      [&](size_t i) { return MakeAgreement(AgreementId("store", i), i, config.value_bytes); },
      [&](size_t, nlohmann::json record) {
        return svc.Create("agreement", std::move(record), caller).status();
      });
  ReportErrors("create", creates);
  KvCounts c1 = counts.counts();
  PrintCost("create", c0, c1, config.n);
  report->Ratio("store create (op+record+idx)", creates.Rate(), "ops/s", kRawPut, 0.40,
                creates.failed);
  // The same writes with nothing else to do: how much of a create is RocksDB's.
  BatchShape shape = counts.TakeLargestBatch();
  std::cerr << "  replaying " << config.n << " batches shaped as a create (" << DescribeShape(shape)
            << ") on a fresh store\n";
  ShapedRate shaped = ReplayShape(config.tmp_root, shape, config.n);
  report->Ratio(kCreateShaped, shaped.batches_per_s, "ops/s", kRawPut, std::nullopt, shaped.errors);
  report->Ratio("store create vs its batches", creates.Rate(), "ops/s", kCreateShaped,
                std::nullopt, creates.failed);

  RunResult updates = TimeCalls(
      config.n,
      [&](size_t i) {
        service::UpdateRequest u;
        u.patch["purpose"] = MakePurpose(i, config.value_bytes);
        u.expected_version = 1;
        return u;
      },
      [&](size_t i, service::UpdateRequest u) {
        return svc.Update("agreement", AgreementId("store", i), u, caller).status();
      });
  ReportErrors("update", updates);
  KvCounts c2 = counts.counts();
  PrintCost("update", c1, c2, config.n);
  report->Ratio("store update", updates.Rate(), "ops/s", kRawPut, std::nullopt, updates.failed);

  std::vector<size_t> order(config.n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  RunResult gets = TimeCalls(
      config.n, [&](size_t i) { return AgreementId("store", order[i]); },
      [&](size_t, std::string id) { return svc.Get("agreement", id).status(); });
  ReportErrors("get", gets);
  PrintCost("get", c2, counts.counts(), config.n);
  report->Ratio("store get", gets.Rate(), "ops/s", kRawGet, std::nullopt, gets.failed);

  // What a restart pays for the search postings kept in memory: reading every record's
  // search entry back (service/search_postings.h).
  service::RecordStore reopened((*opened)->store.get());
  auto start = Clock::now();
  Status open = reopened.Open();
  double open_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (!open.ok()) std::cerr << "  reopen: " << open.ToString() << "\n";
  const auto& postings = reopened.search_postings();
  std::cerr << "  search postings at open: " << postings.postings() << " postings of "
            << postings.words() << " words, ~" << postings.postings() * 4 / 1024 << " KiB of lists\n";
  report->Value("store open (" + std::to_string(config.n) + " records)", open_ms, "ms", open.ok() ? 0 : 1);
}

}  // namespace passerelle::bench
