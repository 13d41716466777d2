// Parsing a request target ("/api/v1/forums?page_size=2") into decoded path segments
// and query parameters. Pure; refuses targets that are not origin-form, bad percent
// escapes and NUL bytes with INVALID_ARGUMENT (field "path" or "query").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.h"

namespace passerelle::http {

struct Target {
  std::string path;                                        // percent-decoded path, starts with '/'
  std::vector<std::string> segments;                       // decoded non-empty path segments
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
};

Result<Target> ParseTarget(std::string_view target);

// Decodes %XX escapes (and '+' as space when plus_is_space); INVALID_ARGUMENT on a
// malformed escape or a decoded NUL byte.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space,
                                  std::string_view field);

}  // namespace passerelle::http
