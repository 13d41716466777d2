#include "node/core/cbor.h"

#include <vector>

namespace passerelle::core {
namespace {

// Walks one CBOR data item sequence iteratively; false if malformed or deeper than
// max_depth. Each stack entry counts the items still expected in an open container
// (-1: indefinite length, ends with a break byte).
bool WellFormed(std::string_view in, size_t max_depth) {
  std::vector<int64_t> open;
  size_t pos = 0;
  auto read_arg = [&](uint8_t ai, uint64_t* v) -> bool {
    if (ai < 24) {
      *v = ai;
      return true;
    }
    int n = ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : ai == 27 ? 8 : 0;
    if (n == 0 || pos + n > in.size()) return false;
    uint64_t x = 0;
    for (int i = 0; i < n; ++i) x = (x << 8) | static_cast<uint8_t>(in[pos++]);
    *v = x;
    return true;
  };
  bool top_done = false;
  while (!top_done) {
    if (pos >= in.size()) return false;
    auto ib = static_cast<uint8_t>(in[pos++]);
    uint8_t major = ib >> 5, ai = ib & 31;
    if (ib == 0xff) {  // break: closes an indefinite container
      if (open.empty() || open.back() != -1) return false;
      open.pop_back();
    } else if (ai == 31) {  // indefinite length
      if (major == 2 || major == 3 || major == 4 || major == 5) {
        open.push_back(-1);
        if (open.size() > max_depth) return false;
        continue;  // its items follow; the container counts as one item when closed
      }
      return false;
    } else {
      uint64_t arg;
      if (!read_arg(ai, &arg)) return false;
      switch (major) {
        case 0: case 1: break;
        case 7:  // floats: JSON has no NaN or infinity, and NaN != NaN breaks round trips
          if ((ai == 25 && (arg & 0x7C00) == 0x7C00) ||
              (ai == 26 && (arg & 0x7F800000) == 0x7F800000) ||
              (ai == 27 && (arg & 0x7FF0000000000000ULL) == 0x7FF0000000000000ULL))
            return false;
          break;
        case 2: case 3:
          if (arg > in.size() - pos) return false;
          pos += arg;
          break;
        case 4: case 5: {
          uint64_t items = major == 5 ? arg * 2 : arg;
          if (arg > in.size() || items > in.size() - pos) return false;
          if (items > 0) {
            open.push_back(static_cast<int64_t>(items));
            if (open.size() > max_depth) return false;
            continue;
          }
          break;
        }
        case 6:  // a tag applies to the next item
          open.push_back(1);
          if (open.size() > max_depth) return false;
          continue;
      }
    }
    // One item finished: count it against the containers it completes.
    while (true) {
      if (open.empty()) {
        top_done = true;
        break;
      }
      if (open.back() == -1) break;
      if (--open.back() > 0) break;
      open.pop_back();
    }
  }
  return pos == in.size();
}

}  // namespace

std::string ToCbor(const nlohmann::json& j) {
  std::string out;
  nlohmann::json::to_cbor(j, nlohmann::detail::output_adapter<char>(out));
  return out;
}

Result<nlohmann::json> ParseCbor(std::string_view bytes, std::string_view what, size_t max_depth) {
  if (!WellFormed(bytes, max_depth))
    return Status::Invalid(std::string(what), "malformed or too deeply nested CBOR");
  auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end(), /*strict=*/true,
                                     /*allow_exceptions=*/false,
                                     nlohmann::json::cbor_tag_handler_t::ignore);
  if (j.is_discarded()) return Status::Invalid(std::string(what), "malformed CBOR");
  return j;
}

}  // namespace passerelle::core
