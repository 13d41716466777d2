// A small Prometheus metrics registry: counters, gauges and histograms with labels,
// rendered in the text exposition format (version 0.0.4) with HELP and TYPE lines.
// Thread-safe. Looking a series up takes a mutex; the returned reference is stable for
// the registry's life, and incrementing it is a lock-free atomic (cache it on hot paths).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace passerelle::metrics {

// Label pairs in the order given, e.g. {{"route", "/api/v1/{plural}"}, {"status", "200"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Latency histogram with fixed buckets (seconds), observed in microseconds.
class Histogram {
 public:
  // Upper bounds in seconds: 1 ms .. 10 s covers a local read up to a slow import batch.
  static constexpr std::array<double, 11> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1.0,  10.0};
  void ObserveMicros(uint64_t us);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class Registry;
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};  // non-cumulative
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

class Registry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const Labels& labels = {});
  // A function that appends families computed at scrape time (e.g. store statistics)
  // to the text; it runs outside the registry's lock.
  void AddCollector(std::function<void(std::string*)> collector);
  // Every family, sorted by name, then the collectors' output.
  std::string Render() const;

 private:
  struct Family {
    std::string help, type;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(const std::string& name, const std::string& help, const char* type);
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;                     // Guarded by mu_
  std::vector<std::function<void(std::string*)>> collectors_;  // Guarded by mu_
};

// The process-wide registry the node's modules report to.
Registry& Global();

// `{a="x",b="y"}` with Prometheus escaping (\\, \", \n); "" for no labels.
std::string RenderLabels(const Labels& labels);
// Appends "# HELP", "# TYPE" and one sample per (labels, value) for a family computed
// at scrape time.
void AppendFamily(std::string* out, const std::string& name, const std::string& help,
                  const char* type, const std::vector<std::pair<Labels, double>>& samples);

}  // namespace passerelle::metrics
