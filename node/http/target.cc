#include "node/http/target.h"

namespace passerelle::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text, bool plus_is_space,
                                  std::string_view field) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return Status::Invalid(std::string(field), "malformed percent escape");
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return Status::Invalid(std::string(field), "NUL byte not allowed");
    out.push_back(c);
  }
  return out;
}

Result<Target> ParseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/')
    return Status::Invalid("path", "request target must start with '/'");
  Target t;
  std::string_view raw_path = target, raw_query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    raw_path = target.substr(0, q);
    raw_query = target.substr(q + 1);
  }
  if (auto f = raw_query.find('#'); f != std::string_view::npos) raw_query = raw_query.substr(0, f);

  auto path = PercentDecode(raw_path, false, "path");
  if (!path.ok()) return path.status();
  t.path = std::move(path).value();

  size_t start = 1;
  while (start <= raw_path.size()) {
    size_t end = raw_path.find('/', start);
    if (end == std::string_view::npos) end = raw_path.size();
    if (end > start) {
      auto seg = PercentDecode(raw_path.substr(start, end - start), false, "path");
      if (!seg.ok()) return seg.status();
      t.segments.push_back(std::move(seg).value());
    }
    start = end + 1;
  }

  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view{} : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true, "query");
    if (!key.ok()) return key.status();
    std::string value;
    if (eq != std::string_view::npos) {
      auto v = PercentDecode(pair.substr(eq + 1), true, "query");
      if (!v.ok()) return v.status();
      value = std::move(v).value();
    }
    t.query.emplace_back(std::move(key).value(), std::move(value));
  }
  return t;
}

}  // namespace passerelle::http
