// Timing helpers: a stopwatch, concurrent clients started together behind a barrier
// (their set-up is not timed), and percentiles of latency samples.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace passerelle::bench {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  double Millis() const { return Seconds() * 1000; }

 private:
  std::chrono::steady_clock::time_point start_;
};

// One client's operation: performs call number `i` (0-based, unique across clients);
// returns false and sets *error on failure.
using ClientOp = std::function<bool(size_t i, std::string* error)>;
// Builds one client (its connection, stub, request template): runs before the timer.
using ClientFactory = std::function<ClientOp(int client)>;

struct RunResult {
  double seconds = 0;
  size_t ok = 0;
  size_t failed = 0;
  std::string first_error;
  double Rate() const { return seconds > 0 ? ok / seconds : 0; }
};

// Runs `total` operations over `clients` threads, each doing a contiguous share of the
// indexes; times from the moment every client is ready until the last one finishes.
RunResult RunClients(int clients, size_t total, const ClientFactory& factory);

// Runs `total` operations on the calling thread.
RunResult RunSerial(size_t total, const ClientOp& op);

// The q-quantile (0..1) of the samples (sorted in place).
double Percentile(std::vector<double>* samples, double q);

}  // namespace passerelle::bench
