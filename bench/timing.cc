// Concurrent client runs and percentiles (see timing.h).
#include "bench/timing.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace passerelle::bench {

RunResult RunClients(int clients, size_t total, const ClientFactory& factory) {
  std::mutex mu;
  std::condition_variable cv;
  int ready = 0;     // Guarded by mu
  bool go = false;   // Guarded by mu
  RunResult result;  // counts guarded by mu
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    size_t begin = total * c / clients, end = total * (c + 1) / clients;
    threads.emplace_back([&, c, begin, end] {
      ClientOp op = factory(c);
      {
        std::unique_lock lock(mu);
        ++ready;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
      }
      size_t ok = 0, failed = 0;
      std::string first_error;
      for (size_t i = begin; i < end; ++i) {
        std::string error;
        if (op(i, &error)) {
          ++ok;
        } else {
          if (failed++ == 0) first_error = std::move(error);
        }
      }
      std::lock_guard lock(mu);
      result.ok += ok;
      result.failed += failed;
      if (result.first_error.empty()) result.first_error = std::move(first_error);
    });
  }
  std::optional<Stopwatch> watch;
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return ready == clients; });
    watch.emplace();
    go = true;
    cv.notify_all();
  }
  for (auto& t : threads) t.join();
  result.seconds = watch->Seconds();
  return result;
}

RunResult RunSerial(size_t total, const ClientOp& op) {
  RunResult result;
  Stopwatch watch;
  for (size_t i = 0; i < total; ++i) {
    std::string error;
    if (op(i, &error)) {
      ++result.ok;
    } else if (result.failed++ == 0) {
      result.first_error = std::move(error);
    }
  }
  result.seconds = watch.Seconds();
  return result;
}

double Percentile(std::vector<double>* samples, double q) {
  if (samples->empty()) return 0;
  std::sort(samples->begin(), samples->end());
  size_t rank = static_cast<size_t>(std::ceil(q * samples->size()));
  if (rank > 0) --rank;
  return (*samples)[std::min(rank, samples->size() - 1)];
}

}  // namespace passerelle::bench
