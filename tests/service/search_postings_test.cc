// The search index's in-memory word lists, and the text fold's ASCII fast path checked
// against utf8proc folding the whole text.
#include <catch2/catch.hpp>
#include <utf8proc.h>

#include <cstdlib>
#include <random>

#include "node/service/search_postings.h"
#include "node/text/text_fold.h"

using namespace passerelle;
using service::IndexedWord;
using service::SearchChange;
using service::SearchPostings;

namespace {

// utf8proc's fold of the whole text (valid UTF-8 without NUL), as before the fast path.
std::string ReferenceFold(const std::string& text) {
  utf8proc_uint8_t* folded = nullptr;
  utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
      &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE));
  REQUIRE(n >= 0);
  std::string out(reinterpret_cast<const char*>(folded), static_cast<size_t>(n));
  std::free(folded);
  for (auto [lig, spelled] : {std::pair{"\xC5\x93", "oe"}, std::pair{"\xC3\xA6", "ae"}})
    for (size_t at; (at = out.find(lig)) != std::string::npos;) out.replace(at, 2, spelled);
  return out;
}

std::vector<std::string> Ids(const std::vector<SearchPostings::Candidate>& found) {
  std::vector<std::string> ids;
  for (const auto& c : found) ids.push_back(c.kind + "/" + c.id);
  return ids;
}

SearchChange Create(std::string kind, std::string id, std::vector<IndexedWord> words) {
  return {std::move(kind), std::move(id), {}, std::move(words), 10};
}

}  // namespace

TEST_CASE("FoldText: the ASCII fast path folds exactly as utf8proc does", "[search][fold]") {
  const std::vector<std::string> table = {
      "Cégep de Sept-Îles",      "TELEMÁTICA Industrial", "e\xCC\x81" "cole",  // e + combining acute
      "Stra\xC3\x9F" "e",        "\xEF\xAC\x81" "nance",  // ß, the fi ligature
      "Institut\xC2\xAD" "national",  // soft hyphen: ignorable
      "\xD8\xA7\xD9\x84\xD9\x85\xD8\xBA\xD8\xB1\xD8\xA8 MAROC",  // Arabic
      "ÅNGSTRÖM 123 ½",          "plain ascii, with: punctuation!", "",
  };
  for (const auto& text : table) {
    INFO(text);
    CHECK(text::FoldText(text) == ReferenceFold(text));
  }
  // Random mixes of ASCII and multi-byte pieces, combining marks next to ASCII letters.
  const std::vector<std::string> pieces = {"a", "Z", " ", "-", "9", "é", "\xCC\x81", "\xCC\xA7", "Ç",
                                           "ñ", "Ñ", "İ", "ǅ", "Ω", "\xE2\x80\x8B", "한", "ß", "x", "œ", "Æ"};
  for (uint64_t seed = 0; seed < 500; ++seed) {
    std::mt19937_64 rng(seed);
    std::string text;
    for (size_t i = rng() % 24; i > 0; --i) text += pieces[rng() % pieces.size()];
    INFO("seed " << seed << ": " << text);
    REQUIRE(text::FoldText(text) == ReferenceFold(text));
  }
  CHECK(text::FoldText(std::string("A\0B", 3)) == "a b");  // NUL separates entry parts
  CHECK(text::FoldText("Main-d’Œuvre, sœurs, Cæsar") == "main-d’oeuvre, soeurs, caesar");
  CHECK(text::FoldedWords("Cégep de SEPT-ÎLES, 2024") ==
        std::vector<std::string>{"cegep", "de", "sept", "iles", "2024"});
}

TEST_CASE("SearchPostings: words find records, exactly or by prefix", "[search][postings]") {
  SearchPostings p;
  p.Apply(Create("institution", "inmq", {{"institut", true}, {"mines", true}, {"inmq", false}}));
  p.Apply(Create("agreement", "agr-1", {{"accord", true}, {"minier", true}, {"inmq", false}}));
  p.Apply(Create("institution", "thetford", {{"cegep", true}, {"thetford", true}}));
  CHECK(p.words() == 7);
  CHECK(p.postings() == 8);

  CHECK(Ids(p.Find("inmq", false, "", 10)) == std::vector<std::string>{"institution/inmq", "agreement/agr-1"});
  CHECK(Ids(p.Find("inmq", false, "agreement", 10)) == std::vector<std::string>{"agreement/agr-1"});
  CHECK(Ids(p.Find("min", false, "", 10)).empty());  // not a word
  auto prefix = p.Find("min", true, "", 10);         // "mines" then "minier", word order
  CHECK(Ids(prefix) == std::vector<std::string>{"institution/inmq", "agreement/agr-1"});
  CHECK_FALSE(prefix[0].exact);
  auto exact = p.Find("mines", true, "", 10);
  REQUIRE(exact.size() == 1);
  CHECK(exact[0].exact);
  CHECK(exact[0].in_title);
  CHECK(p.Find("inmq", false, "", 1).size() == 1);  // max
  CHECK(p.Count("inmq", false, 10) == 2);
  CHECK(p.Count("i", true, 10) == 3);  // institut, inmq x2
  CHECK(p.Count("i", true, 2) == 2);   // capped

  SECTION("an update replaces the record's words; a delete removes them") {
    SearchChange rename{"institution", "inmq", {{"institut", true}, {"mines", true}, {"inmq", false}},
                        {{"ecole", true}, {"mines", false}, {"inmq", false}}, 5};
    p.Apply(rename);
    CHECK(p.Find("institut", false, "", 10).empty());
    CHECK(Ids(p.Find("ecole", false, "", 10)) == std::vector<std::string>{"institution/inmq"});
    auto mines = p.Find("mines", false, "", 10);
    REQUIRE(mines.size() == 1);
    CHECK_FALSE(mines[0].in_title);  // the flag follows the new title
    CHECK(mines[0].title_bytes == 5);
    CHECK(p.postings() == 8);
    CHECK(p.words() == 7);  // "institut" gone, "ecole" new

    p.Apply({"institution", "inmq", rename.new_words, {}, 0});
    CHECK(Ids(p.Find("inmq", false, "", 10)) == std::vector<std::string>{"agreement/agr-1"});
    CHECK(p.Find("mines", false, "", 10).empty());
    CHECK(p.postings() == 5);
    // Created again later: found again, after records numbered before it.
    p.Apply(Create("institution", "inmq", {{"inmq", false}}));
    CHECK(Ids(p.Find("inmq", false, "", 10)) == std::vector<std::string>{"institution/inmq", "agreement/agr-1"});
  }
  SECTION("Clear empties everything") {
    p.Clear();
    CHECK(p.words() == 0);
    CHECK(p.postings() == 0);
    CHECK(p.Find("inmq", false, "", 10).empty());
  }
}
