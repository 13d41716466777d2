#include "node/service/search_index.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "node/core/coding.h"
#include "node/service/text_fold.h"

namespace passerelle::service {
namespace {

using nlohmann::json;
using storage::Column;

constexpr std::string_view kMetaKey = "search_index";
constexpr size_t kMaxTextBytes = 300;       // text kept per field for titles and snippets
constexpr size_t kMaxListItems = 50;        // values read from one list field
constexpr size_t kRebuildBatchRecords = 500;

std::string PostingPrefix(std::string_view word) {
  std::string k = "s";
  k.append(word);
  return k;
}
std::string Posting(std::string_view word, std::string_view kind, std::string_view id) {
  std::string k = PostingPrefix(word);
  k.push_back('\0');
  k.append(kind).push_back('\0');
  k.append(id);
  return k;
}
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
    for (auto& w : FoldedWords(text)) {
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
      if (sp > start) f.words.emplace_back(words.substr(start, sp - start));
      start = sp + 1;
    }
    e.fields.push_back(std::move(f));
  }
  return e;
}

// A posting's value: whether the word is in the title, and the title's length, so a
// one-word query ranks from the postings alone.
std::string PostingValue(const Entry& e, const std::string& word) {
  std::string v(1, '0');
  if (!e.fields.empty() && e.fields[0].text == e.title &&
      std::find(e.fields[0].words.begin(), e.fields[0].words.end(), word) != e.fields[0].words.end())
    v[0] = '1';
  core::PutVarint64(&v, e.title.size());
  return v;
}

void PutEntry(const std::string& kind, const std::string& id, const std::optional<Entry>& before,
              const std::optional<Entry>& after, storage::WriteBatch* batch) {
  static const std::set<std::string> kNone;
  const auto& old_words = before ? before->words : kNone;
  const auto& new_words = after ? after->words : kNone;
  for (const auto& w : old_words)
    if (!new_words.count(w)) batch->Delete(Column::kIndex, Posting(w, kind, id));
  for (const auto& w : new_words)  // all rewritten: the title (in the values) may have changed
    batch->Put(Column::kIndex, Posting(w, kind, id), PostingValue(*after, w));
  if (after) batch->Put(Column::kIndex, EntryKey(kind, id), Encode(*after));
  else if (before) batch->Delete(Column::kIndex, EntryKey(kind, id));
}

// The part of a posting key after "s": word \0 kind \0 id.
struct PostingKey {
  std::string_view word, kind, id;
};
bool ParsePosting(std::string_view key, PostingKey* out) {
  if (key.empty() || key[0] != 's') return false;
  key.remove_prefix(1);
  size_t a = key.find('\0');
  if (a == std::string_view::npos) return false;
  size_t b = key.find('\0', a + 1);
  if (b == std::string_view::npos) return false;
  *out = {key.substr(0, a), key.substr(a + 1, b - a - 1), key.substr(b + 1)};
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
                      const core::RecordState& after, storage::WriteBatch* batch) {
  std::optional<Entry> old_entry = before ? MakeEntry(family, *before) : std::nullopt;
  std::optional<Entry> new_entry = MakeEntry(family, after);
  if (old_entry && new_entry && Encode(*old_entry) == Encode(*new_entry)) return;
  if (!old_entry && !new_entry) return;
  PutEntry(family.kind, after.id, old_entry, new_entry, batch);
}

Status EnsureSearchIndex(storage::KvStore* kv) {
  std::string version;
  Status s = kv->Get(Column::kMeta, kMetaKey, &version);
  if (s.ok() && version == std::to_string(kSearchIndexVersion)) return Status::Ok();
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  storage::WriteBatch batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    Status w = kv->Write(batch);
    batch = storage::WriteBatch();
    return w;
  };
  // Whatever an older version held goes first.
  for (std::string_view prefix : {"s", "w"}) {
    for (auto it = kv->Scan(Column::kIndex, prefix); it->Valid(); it->Next()) {
      batch.Delete(Column::kIndex, std::string(it->key()));
      if (batch.entries().size() >= 10 * kRebuildBatchRecords) PASSERELLE_RETURN_IF_ERROR(flush());
    }
  }
  PASSERELLE_RETURN_IF_ERROR(flush());
  size_t records = 0;
  auto it = kv->Scan(Column::kRecords, "");
  for (; it->Valid(); it->Next()) {
    auto state = core::DecodeRecordState(it->value());
    if (!state.ok()) return Status(Code::kDataLoss, "stored record unreadable: " + state.status().message());
    const records::Family* family = records::FindFamily(state->kind);
    if (family == nullptr) continue;
    PutEntry(family->kind, state->id, std::nullopt, MakeEntry(*family, *state), &batch);
    if (++records % kRebuildBatchRecords == 0) PASSERELLE_RETURN_IF_ERROR(flush());
  }
  if (!it->status().ok()) return it->status();
  batch.Put(Column::kMeta, std::string(kMetaKey), std::to_string(kSearchIndexVersion));
  return flush();
}

Result<std::vector<SearchHit>> SearchIndex(const storage::KvStore& kv,
                                           const std::vector<std::string>& words,
                                           std::string_view kind, size_t limit) {
  std::vector<SearchHit> hits;
  if (words.empty() || limit == 0) return hits;
  const size_t last = words.size() - 1;
  // The scan prefix of each word: exact words end at their NUL, the last is a prefix.
  auto prefix_of = [&](size_t i) {
    std::string p = PostingPrefix(words[i]);
    if (i != last) p.push_back('\0');
    return p;
  };
  // The rarest word drives: count postings of each, up to the best count so far.
  size_t driver = 0, best = kMaxSearchCandidates + 1;
  for (size_t i = 0; i < words.size(); ++i) {
    size_t n = 0;
    for (auto it = kv.Scan(Column::kIndex, prefix_of(i)); it->Valid() && n < best; it->Next()) ++n;
    if (n < best) best = n, driver = i;
    if (best == 0) return hits;
  }
  using Rank = std::tuple<int, int, uint64_t, std::string, std::string>;
  // Candidates (kind, id) of the driving word, with the rank its postings give: exact
  // or prefix match of the last word, word in the title, title length.
  std::map<std::pair<std::string, std::string>, Rank> candidates;
  for (auto it = kv.Scan(Column::kIndex, prefix_of(driver));
       it->Valid() && candidates.size() < kMaxSearchCandidates; it->Next()) {
    PostingKey p;
    if (!ParsePosting(it->key(), &p)) continue;
    if (!kind.empty() && p.kind != kind) continue;
    std::string_view value = it->value();
    bool in_title = !value.empty() && value[0] == '1';
    uint64_t title_len = 0;
    if (!value.empty()) value.remove_prefix(1);
    core::GetVarint64(&value, &title_len);
    Rank rank{driver == last && p.word != words[last] ? 1 : 0, in_title ? 0 : 1, title_len,
              std::string(p.kind), std::string(p.id)};
    auto [at, fresh] = candidates.try_emplace({std::string(p.kind), std::string(p.id)}, rank);
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
