// The search index: for each live record, the folded words (text_fold.h) of its
// family's search_fields (records/family.h). The record's entry is kept in the `index`
// column in the same WriteBatch as the record, so it is never out of step with it:
//   'w' kind \0 id  -> title \0 (field \0 text \0 words \0)*
// The word -> records lists are in memory (search_postings.h), built from the entries at
// open: one key per record written instead of one per word (a create's main write cost).
// A query's words must all match, the last one as a prefix; see SearchIndex().
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "node/core/fold.h"
#include "node/records/family.h"
#include "node/service/search_postings.h"
#include "storage/kv_store.h"

namespace passerelle::service {

// Bumped when what the index holds changes: a store with another version is re-indexed
// at open (OpenSearchIndex), so no data directory needs converting by hand.
constexpr int kSearchIndexVersion = 4;  // 3: postings in memory, no 's' keys; 4: œ, æ folded to oe, ae
// At most this many distinct words of one record are indexed (the first ones).
constexpr size_t kMaxWordsPerRecord = 200;
// A query looks at the records of its rarest word, at most this many, in index order
// (word, kind, id: exact matches of the last word before longer words it prefixes).
constexpr size_t kMaxSearchCandidates = 2000;

// Adds to `batch` the search entry taking a record from `before` (nullptr: no record
// yet) to `after`, and to `changes` what the postings must do once the batch is written.
// Does nothing when the searched fields did not change.
void PutSearchEntries(const records::Family& family, const core::RecordState* before,
                      const core::RecordState& after, storage::WriteBatch* batch,
                      std::vector<SearchChange>* changes);

// (Re)builds every record's entry unless the store says it holds the current version,
// then fills `postings` from the entries. Call before serving, with no writer running.
Status OpenSearchIndex(storage::KvStore* kv, SearchPostings* postings);

// A record's title as search and the change feed show it: its first search field
// (lists joined with ", "), cut to 300 bytes; the id when that is empty.
std::string RecordTitle(const records::Family& family, const nlohmann::json& fields,
                        const std::string& id);

struct SearchHit {
  std::string kind, id, title, snippet;
};
// `words`: the query folded into words (non-empty); `kind` empty for every family.
// Best first: exact last word before prefix, then every word in the title, then shorter
// titles, then kind and id.
Result<std::vector<SearchHit>> SearchIndex(const storage::KvStore& kv,
                                           const SearchPostings& postings,
                                           const std::vector<std::string>& words,
                                           std::string_view kind, size_t limit);

}  // namespace passerelle::service
