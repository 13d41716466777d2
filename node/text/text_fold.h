// Text folding for search: NFKD, combining marks removed, case folded (utf8proc), and
// the ligatures œ, æ spelled out, so "Télématique", "TELEMATIQUE" and "telematique" fold
// alike, as do "Main-d'Œuvre" and "main d'oeuvre". Pure functions; invalid
// UTF-8 is replaced, never refused, so any stored text can be indexed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace passerelle::text {

// Longest token kept, in bytes of folded UTF-8 (longer ones are cut at a character).
constexpr size_t kMaxTokenBytes = 48;

// The folded form of `text` (lower case, no accents).
std::string FoldText(std::string_view text);
// The folded words of `text`: maximal runs of letters and digits, in order, duplicates
// kept, each at most kMaxTokenBytes.
std::vector<std::string> FoldedWords(std::string_view text);

}  // namespace passerelle::text
