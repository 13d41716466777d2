#include "node/text/text_fold.h"

#include <cstdlib>
#include <utf8proc.h>

namespace passerelle::text {
namespace {

bool IsWordChar(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Replaces invalid UTF-8 sequences with U+FFFD so utf8proc never refuses the text.
// Called on runs of non-ASCII bytes only (FoldText folds ASCII, NUL included, itself).
std::string Sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      out += "\xEF\xBF\xBD";
      n = 1;
    } else {
      out.append(reinterpret_cast<const char*>(p), n);
    }
    p += n;
    left -= n;
  }
  return out;
}

// The utf8proc fold of text holding no ASCII byte.
void FoldNonAscii(std::string_view text, std::string* out) {
  std::string clean = Sanitize(text);
  utf8proc_uint8_t* folded = nullptr;
  utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
      static_cast<utf8proc_ssize_t>(clean.size()), &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE));
  if (n < 0) return;
  // utf8proc keeps the ligatures œ and æ (Œ and Æ fold to them): French writes "oeuvre"
  // and "œuvre" alike, so they become "oe" and "ae".
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    if (folded[i] == 0xC5 && i + 1 < n && folded[i + 1] == 0x93) {
      out->append("oe"), ++i;
    } else if (folded[i] == 0xC3 && i + 1 < n && folded[i + 1] == 0xA6) {
      out->append("ae"), ++i;
    } else {
      out->push_back(static_cast<char>(folded[i]));
    }
  }
  std::free(folded);
}

}  // namespace

// Without COMPOSE, utf8proc's fold maps each code point on its own (combining marks
// reorder only among themselves and are stripped), so ASCII runs, the usual case, are
// folded here and only the runs between them go through utf8proc: same output, less work.
std::string FoldText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && static_cast<unsigned char>(text[j]) < 0x80) {
      char c = text[j++];
      out.push_back(c == '\0' ? ' ' : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
    }
    i = j;
    while (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x80) ++j;
    if (j > i) FoldNonAscii(text.substr(i, j - i), &out);
    i = j;
  }
  return out;
}

std::vector<std::string> FoldedWords(std::string_view text) {
  std::string folded = FoldText(text);
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(folded.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(folded.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n;
    bool word_char;
    if (*p < 0x80) {  // ASCII: letters and digits are the word characters
      n = 1;
      word_char = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
    } else {
      n = utf8proc_iterate(p, left, &cp);
      if (n <= 0) n = 1, cp = -1;
      word_char = cp >= 0 && IsWordChar(cp);
    }
    if (word_char) {
      if (word.size() + static_cast<size_t>(n) <= kMaxTokenBytes)
        word.append(reinterpret_cast<const char*>(p), n);
    } else {
      flush();
    }
    p += n;
    left -= n;
  }
  flush();
  return words;
}

}  // namespace passerelle::text
