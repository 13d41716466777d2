#include "node/http/route_pattern.h"

#include <set>
#include <vector>

#include "node/records/family.h"

namespace passerelle::http {
namespace {

// Words of the API that are not family plurals (kept literally in patterns).
bool IsApiWord(std::string_view s) {
  static const std::set<std::string, std::less<>> kWords = {
      "federation", "status",   "node",    "history",   "approve", "session",
      "users",      "search",   "dashboard", "changes", "events",  "equivalences", "stream",
      "me"};
  if (kWords.count(s)) return true;
  for (const auto& f : records::Families())
    if (f.plural == s) return true;
  return false;
}

}  // namespace

std::string RoutePattern(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") return std::string(path);
  std::vector<std::string_view> seg;
  for (size_t i = 0; i < path.size();) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) seg.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (seg.size() < 2 || seg[0] != "api" || seg[1] != "v1") return "/static";
  std::string out = "/api/v1";
  for (size_t i = 2; i < seg.size() && i < 8; ++i) {
    if (IsApiWord(seg[i])) out += "/" + std::string(seg[i]);
    else out += i % 2 == 1 ? "/{id}" : "/{unknown}";
  }
  if (seg.size() > 8) out += "/{more}";
  return out;
}

}  // namespace passerelle::http
