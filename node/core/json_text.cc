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

// The DOM nlohmann builds, through its own SAX builder, and the first key seen twice in
// one object (nlohmann would keep the last silently): one pass over the text. A parse
// callback would do the same but rescans each object's parent at its end (quadratic).
class DomWithoutDuplicates {
 public:
  using json = nlohmann::json;
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  explicit DomWithoutDuplicates(json* out) : dom_(*out, /*allow_exceptions=*/false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return dom_.number_float(v, s); }
  bool string(string_t& v) { return dom_.string(v); }
  bool binary(binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    open_.emplace_back();
    return dom_.start_object(n);
  }
  bool key(string_t& k) {
    if (!open_.back().insert(k).second) {
      duplicate_ = k;
      return false;  // stop: one is enough
    }
    return dom_.key(k);
  }
  bool end_object() {
    open_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  template <typename Exception>
  bool parse_error(std::size_t at, const std::string& token, const Exception& e) {
    return dom_.parse_error(at, token, e);
  }

  const std::string& duplicate() const { return duplicate_; }

 private:
  nlohmann::detail::json_sax_dom_parser<json> dom_;  // Debian's nlohmann 3.11
  std::vector<std::set<std::string>> open_;          // keys of each object being read
  std::string duplicate_;
};

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what, size_t max_depth) {
  if (NestingDepth(text, max_depth) > max_depth)
    return Status::Invalid(std::string(what), "JSON nested deeper than " +
                                                  std::to_string(max_depth) + " levels");
  nlohmann::json j;
  DomWithoutDuplicates builder(&j);
  const bool parsed = nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
  if (!builder.duplicate().empty())
    return Status::Invalid(std::string(what), "key \"" + builder.duplicate() + "\" appears twice in one object");
  if (!parsed) return Status::Invalid(std::string(what), "malformed JSON (or invalid UTF-8)");
  return j;
}

std::string DumpJson(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

}  // namespace passerelle::core
