// Decoding the parts of a REST request that are not routing: the JSON body, the
// expected version (If-Match or ?expected_version=), page sizes and field masks.
// Pure; errors are INVALID_ARGUMENT naming the offending part ("body", "If-Match").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/http/target.h"
#include "node/http/types.h"
#include "storage/status.h"

namespace passerelle::http {

// True when Content-Type is application/json or another "+json" type (parameters such
// as charset ignored). POST and PATCH answer 415 otherwise.
bool HasJsonContentType(const Request& request);

// The body as a JSON object: malformed JSON or any other JSON type is refused (field
// "body"). Parsed without exceptions, depth-limited.
Result<nlohmann::json> DecodeObjectBody(const Request& request);

// The version a write expects, from If-Match ("3", "\"3\"", or "*" for any) and/or the
// expected_version query parameter; nullopt when neither is given.
Result<std::optional<uint64_t>> DecodeExpectedVersion(const Request& request, const Target& target);

// A non-negative decimal integer; refused naming `field` otherwise.
Result<uint64_t> DecodeUnsigned(std::string_view text, std::string_view field);

// "a,b , c" -> {"a", "b", "c"}; empty items are refused.
Result<std::vector<std::string>> DecodeFieldMask(std::string_view text);

// `text` without the spaces and tabs around it (HTTP's optional whitespace).
std::string_view TrimOws(std::string_view text);

// The items of a comma-separated list (a header such as If-None-Match, Accept-Language
// or X-Forwarded-For, an option), each trimmed; empty items are skipped.
std::vector<std::string_view> CommaList(std::string_view text);

// Value of the only occurrence of a query parameter; refused when repeated.
Result<std::optional<std::string>> QueryParam(const Target& target, std::string_view name);

}  // namespace passerelle::http
