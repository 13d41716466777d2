#include "tests/ops/prometheus_text.h"

#include <cstdlib>
#include <sstream>

namespace passerelle::testing {
namespace {

bool ValidName(const std::string& n) {
  if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_' || n[0] == ':'))
    return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) return false;
  return true;
}

// The family a sample belongs to (histograms: strip _bucket/_sum/_count).
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return "";
}

}  // namespace

double Exposition::Sum(const std::string& name,
                       const std::map<std::string, std::string>& labels) const {
  double total = 0;
  for (const auto& [key, value] : samples) {
    std::string n = key.substr(0, key.find('{'));
    if (n != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) match &= key.find(k + "=\"" + v + "\"") != std::string::npos;
    if (match) total += value;
  }
  return total;
}

Result<Exposition> ParsePrometheusText(const std::string& text) {
  Exposition out;
  std::map<std::string, bool> has_help;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string where = "line " + std::to_string(n) + ": " + line;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, kind, name, rest;
      words >> hash >> kind >> name;
      if (kind == "HELP") {
        if (!ValidName(name)) return Status::Invalid("metrics", "bad name in " + where);
        has_help[name] = true;
      } else if (kind == "TYPE") {
        words >> rest;
        if (rest != "counter" && rest != "gauge" && rest != "histogram" && rest != "summary" && rest != "untyped")
          return Status::Invalid("metrics", "bad type in " + where);
        if (out.types.count(name)) return Status::Invalid("metrics", "family declared twice: " + where);
        out.types[name] = rest;
      }
      continue;
    }
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    std::string name = line.substr(0, i);
    if (!ValidName(name)) return Status::Invalid("metrics", "bad sample name in " + where);
    std::string family = FamilyOf(name, out.types);
    if (family.empty() || !has_help[family])
      return Status::Invalid("metrics", "sample without # HELP/# TYPE: " + where);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos || !ValidName(line.substr(i, eq - i)))
          return Status::Invalid("metrics", "bad label name in " + where);
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') return Status::Invalid("metrics", "unquoted label in " + where);
        ++i;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            if (i + 1 >= line.size() || (line[i + 1] != '\\' && line[i + 1] != '"' && line[i + 1] != 'n'))
              return Status::Invalid("metrics", "bad escape in " + where);
            ++i;
          }
          ++i;
        }
        if (i >= line.size()) return Status::Invalid("metrics", "unterminated label in " + where);
        ++i;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) return Status::Invalid("metrics", "unterminated labels in " + where);
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') return Status::Invalid("metrics", "no value in " + where);
    std::string key = line.substr(0, i);
    std::string value = line.substr(i + 1);
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (value == "+Inf") v = 1e308;
    else if (end == value.c_str() || *end != '\0') return Status::Invalid("metrics", "bad value in " + where);
    if (out.samples.count(key)) return Status::Invalid("metrics", "duplicate sample: " + where);
    out.samples[key] = v;
  }
  return out;
}

}  // namespace passerelle::testing
