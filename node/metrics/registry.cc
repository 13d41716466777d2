#include "node/metrics/registry.h"

#include <cmath>
#include <cstdio>

namespace passerelle::metrics {
namespace {

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// Inserts `extra` (already rendered, e.g. le="0.5") into a rendered label set.
std::string WithLabel(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

void Histogram::ObserveMicros(uint64_t us) {
  const double seconds = static_cast<double>(us) / 1e6;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  sum_us_.fetch_add(us, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\') out += "\\\\";
      else if (c == '"') out += "\\\"";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += "\"";
  }
  return out + "}";
}

void AppendFamily(std::string* out, const std::string& name, const std::string& help,
                  const char* type, const std::vector<std::pair<Labels, double>>& samples) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  for (const auto& [labels, value] : samples)
    *out += name + RenderLabels(labels) + " " + FormatValue(value) + "\n";
}

Registry::Family& Registry::FamilyFor(const std::string& name, const std::string& help,
                                      const char* type) {
  Family& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  return f;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, "counter").counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, "gauge").gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, "histogram").histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

void Registry::AddCollector(std::function<void(std::string*)> collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::Render() const {
  std::string out;
  std::vector<std::function<void(std::string*)>> collectors;
  {
    std::lock_guard lock(mu_);
    collectors = collectors_;
    for (const auto& [name, f] : families_) {
      out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
      for (const auto& [labels, c] : f.counters)
        out += name + labels + " " + std::to_string(c->value()) + "\n";
      for (const auto& [labels, g] : f.gauges)
        out += name + labels + " " + std::to_string(g->value()) + "\n";
      for (const auto& [labels, h] : f.histograms) {
        uint64_t cumulative = 0;
        for (size_t i = 0; i < Histogram::kBounds.size(); ++i) {
          cumulative += h->buckets_[i].load(std::memory_order_relaxed);
          out += name + "_bucket" +
                 WithLabel(labels, "le=\"" + FormatValue(Histogram::kBounds[i]) + "\"") + " " +
                 std::to_string(cumulative) + "\n";
        }
        const uint64_t count = h->count();
        out += name + "_bucket" + WithLabel(labels, "le=\"+Inf\"") + " " +
               std::to_string(std::max(count, cumulative)) + "\n";
        out += name + "_sum" + labels + " " +
               FormatValue(static_cast<double>(h->sum_us_.load(std::memory_order_relaxed)) / 1e6) +
               "\n";
        out += name + "_count" + labels + " " + std::to_string(std::max(count, cumulative)) + "\n";
      }
    }
  }
  for (const auto& c : collectors) c(&out);
  return out;
}

Registry& Global() {
  static Registry* registry = new Registry();  // never destroyed: used until exit
  return *registry;
}

}  // namespace passerelle::metrics
