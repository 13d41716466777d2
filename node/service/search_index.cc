#include "node/service/search_index.h"

#include <algorithm>
#include <map>
#include <set>
#include <optional>
#include <tuple>

#include "node/service/rebuild_entries.h"
#include "node/text/text_fold.h"

namespace passerelle::service {
namespace {

using nlohmann::json;
using storage::Column;

constexpr std::string_view kMetaKey = "search_index";
constexpr size_t kMaxTextBytes = 300;       // text kept per field for titles and snippets
constexpr size_t kMaxListItems = 50;        // values read from one list field

std::string EntryKey(std::string_view kind, std::string_view id) {
  std::string k = "w";
  k.append(kind).push_back('\0');
  k.append(id);
  return k;
}

// Cuts UTF-8 text at a character boundary, without control characters (NUL separates
// the parts of an entry).
std::string Clip(std::string_view text) {
  std::string out;
  for (char c : text) out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
  if (out.size() <= kMaxTextBytes) return out;
  size_t cut = kMaxTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "…";
}

struct FieldText {
  std::string field, text;
  std::vector<std::string> words;
};
struct Entry {
  std::string title;
  std::vector<FieldText> fields;
  std::set<std::string> words;  // distinct, at most kMaxWordsPerRecord
};

std::string TextOf(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (!v.is_array()) return {};
  std::string out;
  size_t n = 0;
  for (const auto& item : v) {
    if (!item.is_string() || n++ == kMaxListItems) continue;
    if (!out.empty()) out += ", ";
    out += item.get<std::string>();
  }
  return out;
}

// The entry of a live record with something to index; nullopt otherwise.
std::optional<Entry> MakeEntry(const records::Family& family, const core::RecordState& s) {
  if (!s.live() || family.search_fields.empty()) return std::nullopt;
  Entry e;
  for (const auto& field : family.search_fields) {
    std::string text = field == "id" ? s.id : "";
    if (auto it = s.fields.find(field); field != "id" && it != s.fields.end()) text = TextOf(*it);
    if (text.empty()) continue;
    FieldText ft{field, Clip(text), {}};
    for (auto& w : text::FoldedWords(text)) {
      if (e.words.size() >= kMaxWordsPerRecord && !e.words.count(w)) continue;
      e.words.insert(w);
      ft.words.push_back(std::move(w));
    }
    if (e.title.empty() && field == family.search_fields.front()) e.title = ft.text;
    e.fields.push_back(std::move(ft));
  }
  if (e.title.empty()) e.title = s.id;
  return e;
}

std::string Encode(const Entry& e) {
  std::string out = e.title;
  out.push_back('\0');
  for (const auto& f : e.fields) {
    out += f.field;
    out.push_back('\0');
    out += f.text;
    out.push_back('\0');
    for (size_t i = 0; i < f.words.size(); ++i) {
      if (i) out.push_back(' ');
      out += f.words[i];
    }
    out.push_back('\0');
  }
  return out;
}

std::vector<std::string_view> SplitNul(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\0') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

Entry Decode(std::string_view bytes) {
  Entry e;
  auto parts = SplitNul(bytes);
  if (parts.empty()) return e;
  e.title = std::string(parts[0]);
  for (size_t i = 1; i + 2 < parts.size(); i += 3) {
    FieldText f{std::string(parts[i]), std::string(parts[i + 1]), {}};
    std::string_view words = parts[i + 2];
    size_t start = 0;
    while (start < words.size()) {
      size_t sp = words.find(' ', start);
      if (sp == std::string_view::npos) sp = words.size();
      if (sp > start) {
        f.words.emplace_back(words.substr(start, sp - start));
        e.words.insert(f.words.back());
      }
      start = sp + 1;
    }
    e.fields.push_back(std::move(f));
  }
  return e;
}

// The entry's distinct words, each with whether it is in the title (the first search
// field, when that is what the title shows).
std::vector<IndexedWord> WordsOf(const Entry& e) {
  std::set<std::string_view> title_words;
  if (!e.fields.empty() && e.fields[0].text == e.title)
    title_words.insert(e.fields[0].words.begin(), e.fields[0].words.end());
  std::vector<IndexedWord> out;
  out.reserve(e.words.size());
  for (const auto& w : e.words) out.push_back({w, title_words.count(w) > 0});
  return out;
}

SearchChange ChangeOf(const std::string& kind, const std::string& id,
                      const std::optional<Entry>& before, const std::optional<Entry>& after) {
  SearchChange c{kind, id, {}, {}, 0};
  if (before) c.old_words = WordsOf(*before);
  if (after) {
    c.new_words = WordsOf(*after);
    c.title_bytes = after->title.size();
  }
  return c;
}

// Whether both states are live with equal search fields (so equal entries), cheaply.
bool SameSearchedFields(const records::Family& family, const core::RecordState& a,
                        const core::RecordState& b) {
  if (!a.live() || !b.live() || a.id != b.id) return false;
  for (const auto& field : family.search_fields) {
    if (field == "id") continue;
    auto x = a.fields.find(field), y = b.fields.find(field);
    bool has_x = x != a.fields.end(), has_y = y != b.fields.end();
    if (has_x != has_y || (has_x && *x != *y)) return false;
  }
  return true;
}

// The kind and id of an entry key "w" kind \0 id.
bool ParseEntryKey(std::string_view key, std::string* kind, std::string* id) {
  if (key.empty() || key[0] != 'w') return false;
  key.remove_prefix(1);
  size_t sep = key.find('\0');
  if (sep == std::string_view::npos) return false;
  *kind = std::string(key.substr(0, sep));
  *id = std::string(key.substr(sep + 1));
  return true;
}

}  // namespace

std::string RecordTitle(const records::Family& family, const json& fields, const std::string& id) {
  if (family.search_fields.empty()) return id;
  auto it = fields.find(family.search_fields.front());
  std::string text = it == fields.end() ? "" : TextOf(*it);
  return text.empty() ? id : Clip(text);
}

void PutSearchEntries(const records::Family& family, const core::RecordState* before,
                      const core::RecordState& after, storage::WriteBatch* batch,
                      std::vector<SearchChange>* changes) {
  if (before != nullptr && SameSearchedFields(family, *before, after)) return;
  std::optional<Entry> old_entry = before ? MakeEntry(family, *before) : std::nullopt;
  std::optional<Entry> new_entry = MakeEntry(family, after);
  if (!old_entry && !new_entry) return;
  std::string encoded = new_entry ? Encode(*new_entry) : "";
  if (old_entry && new_entry && Encode(*old_entry) == encoded) return;
  if (new_entry) batch->Put(Column::kIndex, EntryKey(family.kind, after.id), std::move(encoded));
  else batch->Delete(Column::kIndex, EntryKey(family.kind, after.id));
  changes->push_back(ChangeOf(family.kind, after.id, old_entry, new_entry));
}

namespace {

// Rebuilds every record's entry (the version on disk is not this one's). Whatever an
// older version held goes first ('s': version 2's per-word postings).
Status RebuildEntries(storage::KvStore* kv) {
  return RebuildDerivedEntries(
      kv, {{"s", "w"},
           [](const records::Family& family, const core::RecordState& state, storage::WriteBatch* batch) {
             if (auto entry = MakeEntry(family, state))
               batch->Put(Column::kIndex, EntryKey(family.kind, state.id), Encode(*entry));
           },
           std::string(kMetaKey), std::to_string(kSearchIndexVersion)});
}

}  // namespace

Status OpenSearchIndex(storage::KvStore* kv, SearchPostings* postings) {
  std::string version;
  Status s = kv->Get(Column::kMeta, kMetaKey, &version);
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  if (!s.ok() || version != std::to_string(kSearchIndexVersion))
    PASSERELLE_RETURN_IF_ERROR(RebuildEntries(kv));
  postings->Clear();
  auto it = kv->Scan(Column::kIndex, "w");
  std::string kind, id;
  for (; it->Valid(); it->Next()) {
    if (!ParseEntryKey(it->key(), &kind, &id)) continue;
    postings->Apply(ChangeOf(kind, id, std::nullopt, Decode(it->value())));
  }
  return it->status();
}

Result<std::vector<SearchHit>> SearchIndex(const storage::KvStore& kv,
                                           const SearchPostings& postings,
                                           const std::vector<std::string>& words,
                                           std::string_view kind, size_t limit) {
  std::vector<SearchHit> hits;
  if (words.empty() || limit == 0) return hits;
  const size_t last = words.size() - 1;  // exact words, but the last is a prefix
  // The rarest word drives: count postings of each, up to the best count so far.
  size_t driver = 0, best = kMaxSearchCandidates + 1;
  for (size_t i = 0; i < words.size(); ++i) {
    size_t n = postings.Count(words[i], i == last, best);
    if (n < best) best = n, driver = i;
    if (best == 0) return hits;
  }
  using Rank = std::tuple<int, int, uint64_t, std::string, std::string>;
  // Candidates (kind, id) of the driving word, with the rank its postings give: exact
  // or prefix match of the last word, word in the title, title length.
  std::map<std::pair<std::string, std::string>, Rank> candidates;
  for (auto& p : postings.Find(words[driver], driver == last, kind, kMaxSearchCandidates)) {
    Rank rank{driver == last && !p.exact ? 1 : 0, p.in_title ? 0 : 1, p.title_bytes, p.kind, p.id};
    auto [at, fresh] = candidates.try_emplace({std::move(p.kind), std::move(p.id)}, rank);
    if (!fresh && rank < at->second) at->second = rank;
  }

  // Checks a candidate's entry against every word; fills its rank and hit.
  auto evaluate = [&](const std::string& k, const std::string& id, Rank* rank, SearchHit* hit) {
    std::string bytes;
    if (!kv.Get(Column::kIndex, EntryKey(k, id), &bytes).ok()) return false;
    Entry e = Decode(bytes);
    bool last_exact = false, in_title = true;
    std::string snippet;
    for (size_t i = 0; i < words.size(); ++i) {
      bool found = false, found_in_title = false;
      for (size_t f = 0; f < e.fields.size(); ++f) {
        bool here = false;
        for (const auto& w : e.fields[f].words) {
          if (w == words[i]) {
            here = true;
            if (i == last) last_exact = true;
          } else if (i == last && w.compare(0, words[i].size(), words[i]) == 0) {
            here = true;
          }
        }
        if (!here) continue;
        found = true;
        if (f == 0 && e.fields[0].text == e.title) found_in_title = true;
        else if (snippet.empty()) snippet = e.fields[f].field + ": " + e.fields[f].text;
      }
      if (!found) return false;
      in_title = in_title && found_in_title;
    }
    if (in_title) snippet.clear();
    *rank = {last_exact ? 0 : 1, in_title ? 0 : 1, e.title.size(), k, id};
    *hit = {k, id, e.title, snippet};
    return true;
  };

  std::vector<std::pair<Rank, SearchHit>> ranked;
  if (words.size() == 1) {
    // One word: the postings rank; only the best `limit` entries are read.
    for (auto& [key, rank] : candidates) ranked.push_back({rank, {key.first, key.second, "", ""}});
    size_t n = std::min(limit, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
    ranked.resize(n);
    for (auto& [rank, hit] : ranked) {
      Rank checked;
      if (!evaluate(hit.kind, hit.id, &checked, &hit)) hit.title = hit.id;  // entry just removed
    }
  } else {
    for (const auto& [key, rank] : candidates) {
      Rank r;
      SearchHit hit;
      if (evaluate(key.first, key.second, &r, &hit)) ranked.push_back({std::move(r), std::move(hit)});
    }
    size_t n = std::min(limit, ranked.size());
    std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
    ranked.resize(n);
  }
  for (auto& [rank, hit] : ranked) hits.push_back(std::move(hit));
  return hits;
}

}  // namespace passerelle::service
