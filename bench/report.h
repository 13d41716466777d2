// The bench's figures: each a measured value, optionally a baseline measured in the same
// run (the ratio is value / baseline) and a target (on the ratio or on the value).
// Print() writes the table; WriteJson() the same figures as JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace passerelle::bench {

enum class TargetKind { kNone, kRatioAtLeast, kValueBelow };

struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
  std::string baseline;         // name of the baseline figure; empty: none
  std::optional<double> ratio;  // value / baseline's value
  TargetKind target = TargetKind::kNone;
  double target_value = 0;
  size_t errors = 0;         // failed operations while measuring
  std::optional<bool> pass;  // set by Report::Add when there is a target
};

class Report {
 public:
  // Adds a figure; with a baseline name, looks it up to compute the ratio. Returns it.
  const Figure& Add(Figure figure);
  // A plain measured figure without baseline or target.
  const Figure& Value(std::string name, double value, std::string unit, size_t errors = 0);
  // A figure with a baseline and an optional target on the ratio.
  const Figure& Ratio(std::string name, double value, std::string unit, std::string baseline,
                      std::optional<double> min_ratio = std::nullopt, size_t errors = 0);
  const Figure* Find(const std::string& name) const;
  // Any figure with failed operations?
  bool HasErrors() const;

  void Print(std::ostream& out) const;
  bool WriteJson(const std::string& path, const std::string& config_json) const;

 private:
  std::vector<Figure> figures_;
};

// "12,345" style rendering of a rate.
std::string FormatValue(double value);

}  // namespace passerelle::bench
