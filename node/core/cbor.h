// CBOR (RFC 8949) for ops and stored records: compact, fast, and deterministic for
// nlohmann objects (keys sorted). ParseCbor accepts hostile bytes: it checks nesting
// depth and structure without recursion before handing the bytes to nlohmann.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace passerelle::core {

std::string ToCbor(const nlohmann::json& j);
// INVALID_ARGUMENT naming `what` for malformed, truncated or too deeply nested input.
Result<nlohmann::json> ParseCbor(std::string_view bytes, std::string_view what,
                                 size_t max_depth = 32);

}  // namespace passerelle::core
