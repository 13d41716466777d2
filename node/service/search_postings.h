// SearchPostings: the search index's word -> records lists, held in memory. Each record's
// words are stored on disk once, in its search entry (search_index.h), written with the
// record; the lists are built from those entries at open and changed after each commit.
// So a create writes one search key, not one per word. Thread-safe: one writer, many readers.
#pragma once

#include <cstdint>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace passerelle::service {

// One word of a record as indexed: the folded word and whether it is in the title.
struct IndexedWord {
  std::string word;
  bool in_title = false;
};

// How one commit changes a record's postings: old words not among the new ones are
// dropped, new ones added (or their title flag updated). No new words: the record left
// the index.
struct SearchChange {
  std::string kind, id;
  std::vector<IndexedWord> old_words, new_words;
  uint64_t title_bytes = 0;
};

class SearchPostings {
 public:
  struct Candidate {
    std::string kind, id;
    bool exact = false;     // the posting's word is `word` itself, not longer
    bool in_title = false;
    uint64_t title_bytes = 0;
  };

  void Apply(const SearchChange& change);
  void Clear();

  // Records holding `word` (exactly, or as a prefix of one of their words when `prefix`),
  // in word order then record order, at most `max`, of family `kind` (empty: all).
  std::vector<Candidate> Find(std::string_view word, bool prefix, std::string_view kind,
                              size_t max) const;
  // How many postings Find would walk, counting no further than `cap`.
  size_t Count(std::string_view word, bool prefix, size_t cap) const;

  size_t words() const;
  size_t postings() const;

 private:
  struct Record {
    std::string kind, id;
    uint64_t title_bytes = 0;
  };
  // A posting: record number << 1 | in_title, kept sorted by record number.
  using List = std::vector<uint32_t>;

  uint32_t RecordNumber(const std::string& kind, const std::string& id);  // Requires mu_ held
  // Calls visit(word, list) for `word`'s list, or those of every word it prefixes, in word
  // order, until visit returns false. Requires mu_ held.
  template <typename Visit>
  void WalkLists(std::string_view word, bool prefix, Visit visit) const;

  struct WordHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable std::shared_mutex mu_;
  std::vector<Record> records_;                           // by number; never reused
  std::unordered_map<std::string, uint32_t> numbers_;     // kind \0 id -> number
  // By word: hashed for commits (a create touches ~16 words), with the words also in
  // order (views of lists_' keys, which do not move) for prefix walks.
  std::unordered_map<std::string, List, WordHash, std::equal_to<>> lists_;
  std::set<std::string_view> words_;
  size_t postings_ = 0;
};

}  // namespace passerelle::service
