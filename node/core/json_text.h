// Parsing JSON text from untrusted sources without exceptions: malformed text, nesting
// deeper than max_depth, invalid UTF-8 or a key twice in one object yields
// InvalidArgument naming `what`.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "storage/status.h"

namespace passerelle::core {

constexpr size_t kMaxJsonDepth = 32;  // records are at most 4 levels deep; 32 is ample

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what = "body",
                                 size_t max_depth = kMaxJsonDepth);

// Serialises without throwing: invalid UTF-8 in strings is replaced (U+FFFD).
std::string DumpJson(const nlohmann::json& j, int indent = -1);

}  // namespace passerelle::core
