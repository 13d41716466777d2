#include "node/http/request_decoding.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "node/core/json_text.h"

namespace passerelle::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> CommaList(std::string_view text) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = TrimOws(text.substr(0, comma));
    if (!item.empty()) items.push_back(item);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return items;
}

bool HasJsonContentType(const Request& request) {
  auto it = request.find(beast_http::field::content_type);
  if (it == request.end()) return false;
  std::string_view value(it->value().data(), it->value().size());
  value = TrimOws(value.substr(0, value.find(';')));
  std::string type = Lower(value);
  if (type == "application/json") return true;
  return type.rfind("application/", 0) == 0 && type.size() > 5 &&
         type.compare(type.size() - 5, 5, "+json") == 0;
}

Result<nlohmann::json> DecodeObjectBody(const Request& request) {
  auto parsed = core::ParseJson(request.body(), "body");
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return Status::Invalid("body", "the body must be a JSON object");
  return std::move(parsed).value();
}

Result<uint64_t> DecodeUnsigned(std::string_view text, std::string_view field) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end)
    return Status::Invalid(std::string(field), "expected a whole number, got '" +
                                                   std::string(text.substr(0, 40)) + "'");
  return value;
}

Result<std::optional<std::string>> QueryParam(const Target& target, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& [key, value] : target.query) {
    if (key != name) continue;
    if (found) return Status::Invalid(std::string(name), "query parameter given twice");
    found = value;
  }
  return found;
}

Result<std::optional<uint64_t>> DecodeExpectedVersion(const Request& request,
                                                      const Target& target) {
  std::optional<uint64_t> from_header, from_query;
  if (auto it = request.find(beast_http::field::if_match); it != request.end()) {
    std::string_view v = TrimOws(std::string_view(it->value().data(), it->value().size()));
    if (v != "*") {
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      auto n = DecodeUnsigned(v, "If-Match");
      if (!n.ok()) return n.status();
      from_header = *n;
    }
  }
  auto q = QueryParam(target, "expected_version");
  if (!q.ok()) return q.status();
  if (q.value()) {
    auto n = DecodeUnsigned(**q, "expected_version");
    if (!n.ok()) return n.status();
    from_query = *n;
  }
  if (from_header && from_query && *from_header != *from_query)
    return Status::Invalid("expected_version", "differs from the If-Match header");
  return from_header ? from_header : from_query;
}

Result<std::vector<std::string>> DecodeFieldMask(std::string_view text) {
  std::vector<std::string> mask;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = TrimOws(text.substr(0, comma));
    if (item.empty()) return Status::Invalid("update_mask", "empty field name in the mask");
    mask.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return mask;
}

}  // namespace passerelle::http
