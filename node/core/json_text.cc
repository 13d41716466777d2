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

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what, size_t max_depth) {
  if (NestingDepth(text, max_depth) > max_depth)
    return Status::Invalid(std::string(what), "JSON nested deeper than " +
                                                  std::to_string(max_depth) + " levels");
  // A key twice in one object: nlohmann keeps the last one silently, so two readers of
  // the same text could disagree on what it says. Refused, naming the key.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  nlohmann::json::parser_callback_t check = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      open_objects.emplace_back();
    } else if (event == E::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == E::key && !open_objects.empty() && parsed.is_string() &&
               !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), check,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded())
    return Status::Invalid(std::string(what), "malformed JSON (or invalid UTF-8)");
  if (!duplicate.empty())
    return Status::Invalid(std::string(what), "key \"" + duplicate + "\" appears twice in one object");
  return j;
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace passerelle::core
