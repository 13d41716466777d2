// Figures table and JSON output (see report.h).
#include "bench/report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace passerelle::bench {

std::string FormatValue(double value) {
  char buf[64];
  if (std::fabs(value) >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    std::string digits = buf, out;
    int count = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
      if (count > 0 && count % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
      out.insert(out.begin(), *it);
      ++count;
    }
    return out;
  }
  std::snprintf(buf, sizeof buf, "%.2f", value);
  return buf;
}

const Figure& Report::Add(Figure f) {
  if (!f.baseline.empty()) {
    if (const Figure* base = Find(f.baseline); base != nullptr && base->value > 0)
      f.ratio = f.value / base->value;
  }
  if (f.target == TargetKind::kRatioAtLeast)
    f.pass = f.errors == 0 && f.ratio.has_value() && *f.ratio >= f.target_value;
  else if (f.target == TargetKind::kValueBelow)
    f.pass = f.errors == 0 && f.value < f.target_value;
  figures_.push_back(std::move(f));
  return figures_.back();
}

const Figure& Report::Value(std::string name, double value, std::string unit, size_t errors) {
  Figure f;
  f.name = std::move(name);
  f.value = value;
  f.unit = std::move(unit);
  f.errors = errors;
  return Add(std::move(f));
}

const Figure& Report::Ratio(std::string name, double value, std::string unit, std::string baseline,
                            std::optional<double> min_ratio, size_t errors) {
  Figure f;
  f.name = std::move(name);
  f.value = value;
  f.unit = std::move(unit);
  f.baseline = std::move(baseline);
  f.errors = errors;
  if (min_ratio) {
    f.target = TargetKind::kRatioAtLeast;
    f.target_value = *min_ratio;
  }
  return Add(std::move(f));
}

const Figure* Report::Find(const std::string& name) const {
  for (const auto& f : figures_)
    if (f.name == name) return &f;
  return nullptr;
}

bool Report::HasErrors() const {
  for (const auto& f : figures_)
    if (f.errors > 0) return true;
  return false;
}

namespace {

std::string TargetText(const Figure& f) {
  char buf[64];
  switch (f.target) {
    case TargetKind::kRatioAtLeast:
      std::snprintf(buf, sizeof buf, ">= %.0f%%", f.target_value * 100);
      return buf;
    case TargetKind::kValueBelow:
      std::snprintf(buf, sizeof buf, "< %s %s", FormatValue(f.target_value).c_str(),
                    f.unit.c_str());
      return buf;
    case TargetKind::kNone:
      break;
  }
  return "";
}

std::string RatioText(const Figure& f) {
  if (!f.ratio) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *f.ratio * 100);
  return buf;
}

std::string ResultText(const Figure& f) {
  if (f.errors > 0) return "ERRORS(" + std::to_string(f.errors) + ")";
  if (!f.pass) return "";
  return *f.pass ? "PASS" : "MISS";
}

}  // namespace

void Report::Print(std::ostream& out) const {
  char line[256];
  std::snprintf(line, sizeof line, "%-40s %12s %-7s %-22s %7s %10s  %s\n", "figure", "value",
                "unit", "baseline", "ratio", "target", "result");
  out << line << std::string(112, '-') << "\n";
  for (const auto& f : figures_) {
    std::snprintf(line, sizeof line, "%-40s %12s %-7s %-22s %7s %10s  %s\n", f.name.c_str(),
                  FormatValue(f.value).c_str(), f.unit.c_str(), f.baseline.c_str(),
                  RatioText(f).c_str(), TargetText(f).c_str(), ResultText(f).c_str());
    out << line;
  }
}

bool Report::WriteJson(const std::string& path, const std::string& config_json) const {
  nlohmann::json figures = nlohmann::json::array();
  for (const auto& f : figures_) {
    nlohmann::json j = {
        {"name", f.name}, {"value", f.value}, {"unit", f.unit}, {"errors", f.errors}};
    if (!f.baseline.empty()) j["baseline"] = f.baseline;
    if (f.ratio) j["ratio"] = *f.ratio;
    if (f.target != TargetKind::kNone) {
      j["target"] = TargetText(f);
      j["pass"] = f.pass.value_or(false);
    }
    figures.push_back(std::move(j));
  }
  nlohmann::json doc = {{"figures", std::move(figures)},
                        {"config", nlohmann::json::parse(config_json, nullptr, false)}};
  std::ofstream out(path);
  out << doc.dump(2) << "\n";
  return static_cast<bool>(out);
}

}  // namespace passerelle::bench
