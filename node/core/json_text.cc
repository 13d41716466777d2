#include "node/core/json_text.h"

#include <set>
#include <string>
#include <vector>

namespace passerelle::core {
namespace {

// Depth of the deepest array/object, counting only brackets outside strings. Stops
// early once `limit` is exceeded so hostile input costs O(n) at most.
size_t NestingDepth(std::string_view text, size_t limit) {
  size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// SAX events of an already valid text: the first key seen twice in one object.
struct DuplicateKeys final : nlohmann::json_sax<nlohmann::json> {
  std::vector<std::set<std::string>> open;  // keys of each object being read
  std::string duplicate;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    open.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    if (open.back().insert(k).second) return true;
    duplicate = k;
    return false;  // stop: one is enough
  }
  bool end_object() override {
    open.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what, size_t max_depth) {
  if (NestingDepth(text, max_depth) > max_depth)
    return Status::Invalid(std::string(what), "JSON nested deeper than " +
                                                  std::to_string(max_depth) + " levels");
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded())
    return Status::Invalid(std::string(what), "malformed JSON (or invalid UTF-8)");
  // A key twice in one object: nlohmann keeps the last one silently, so two readers of
  // the same text could disagree on what it says. Found by a second, linear pass (a
  // parse callback would make nlohmann rescan each object's parent at its end).
  DuplicateKeys finder;
  nlohmann::json::sax_parse(text.begin(), text.end(), &finder);
  if (!finder.duplicate.empty())
    return Status::Invalid(std::string(what), "key \"" + finder.duplicate + "\" appears twice in one object");
  return j;
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace passerelle::core
