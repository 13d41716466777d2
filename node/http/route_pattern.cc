#include "node/http/route_pattern.h"

#include <set>
#include <vector>

#include "node/records/family.h"

namespace passerelle::http {
namespace {

// The routes the API has (handler.cc and the *_routes.cc it calls), as label patterns:
// a closed set, so that no request, however made up, adds a label value to /metrics.
bool IsTopWord(std::string_view s) {
  static const std::set<std::string, std::less<>> kWords = {
      "node", "equivalences", "session", "users", "search", "dashboard", "changes", "events"};
  return kWords.count(s) > 0;
}

const records::Family* FamilyByPlural(std::string_view plural) {
  const records::Family* f = records::FindFamily(plural);
  return f != nullptr && f->plural == plural ? f : nullptr;
}

// True when `word` may follow /api/v1/<family>/{id}/: history, approve, a child family.
bool IsItemWord(const records::Family& family, std::string_view word) {
  if (word == "history" || word == "approve") return true;
  const records::Family* child = FamilyByPlural(word);
  return child != nullptr && child->parent_kind == family.kind;
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
  const std::string kUnmatched = "/api/v1/{unmatched}";
  const size_t n = seg.size() - 2;
  if (n == 0 || n > 3) return kUnmatched;
  const std::string_view top = seg[2];
  const records::Family* family = FamilyByPlural(top);
  const std::string base = "/api/v1/" + std::string(top);
  if (n == 1) return family != nullptr || IsTopWord(top) ? base : kUnmatched;
  if (n == 2) {
    if ((top == "federation" && seg[3] == "status") || (top == "changes" && seg[3] == "stream"))
      return base + "/" + std::string(seg[3]);
    return family != nullptr || top == "users" ? base + "/{id}" : kUnmatched;
  }
  if (family != nullptr && IsItemWord(*family, seg[4])) return base + "/{id}/" + std::string(seg[4]);
  return kUnmatched;
}

}  // namespace passerelle::http
