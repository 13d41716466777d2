// Byte-level encoding helpers (LevelDB style): varints, fixed big-endian integers
// that sort in key order, and length-prefixed strings. Get* functions consume from
// `in` and return false on truncated or malformed input, never reading past the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace passerelle::core {

void PutVarint64(std::string* out, uint64_t v);
void PutLengthPrefixed(std::string* out, std::string_view s);
void PutBigEndian64(std::string* out, uint64_t v);

bool GetVarint64(std::string_view* in, uint64_t* v);
bool GetLengthPrefixed(std::string_view* in, std::string_view* s);
bool GetBigEndian64(std::string_view* in, uint64_t* v);

std::string ToHex(std::string_view bytes);

}  // namespace passerelle::core
