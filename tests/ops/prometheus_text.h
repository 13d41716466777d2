// A strict reader of the Prometheus text exposition format (0.0.4) for the tests: every
// sample line must belong to a family declared by # HELP and # TYPE lines, names and
// label names must be valid, label values correctly escaped, values numbers.
#pragma once

#include <map>
#include <string>

#include "storage/status.h"

namespace passerelle::testing {

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter|gauge|histogram|...
  std::map<std::string, double> samples;     // `name{labels}` as written -> value
  // Sum of the samples of `name` whose label text contains every `key="value"` given.
  double Sum(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
};

Result<Exposition> ParsePrometheusText(const std::string& text);

}  // namespace passerelle::testing
