// RecordService's read models for the web client: search over the search index and
// the change feed (what was committed lately). The dashboard is in dashboard.cc.
#include <algorithm>

#include "node/core/coding.h"
#include "node/core/fold.h"
#include "node/core/hlc.h"
#include "node/core/op.h"
#include "node/records/family.h"
#include "node/service/change_feed.h"
#include "node/service/keys.h"
#include "node/service/record_service.h"
#include "node/service/record_store.h"
#include "node/service/search_index.h"
#include "node/text/text_fold.h"
#include "storage/kv_store.h"

namespace passerelle::service {

using nlohmann::json;

namespace {

constexpr size_t kMaxQueryChars = 200;
constexpr size_t kMaxQueryWords = 10;
constexpr size_t kMaxSearchLimit = 100;

size_t CountChars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

Result<json> RecordService::Search(std::string_view q, std::string_view kind, size_t limit) const {
  size_t chars = CountChars(q);
  if (chars == 0) return Status::Invalid("q", "is required: the text to search for");
  if (chars > kMaxQueryChars)
    return Status::Invalid("q", "is longer than " + std::to_string(kMaxQueryChars) + " characters");
  if (limit == 0 || limit > kMaxSearchLimit)
    return Status::Invalid("limit", "must be between 1 and " + std::to_string(kMaxSearchLimit));
  std::string family_kind;
  if (!kind.empty()) {
    const records::Family* family = records::FindFamily(kind);
    if (family == nullptr) return Status::Invalid("kind", "unknown record family '" + std::string(kind) + "'");
    family_kind = family->kind;
  }
  std::vector<std::string> words = text::FoldedWords(q);
  if (words.empty()) return Status::Invalid("q", "has no letters or digits to search for");
  if (words.size() > kMaxQueryWords)
    return Status::Invalid("q", "has more than " + std::to_string(kMaxQueryWords) + " words");
  auto hits = SearchIndex(*kv_, store_->search_postings(), words, family_kind, limit);
  if (!hits.ok()) return hits.status();
  json results = json::array();
  for (const auto& h : *hits)
    results.push_back({{"kind", h.kind}, {"id", h.id}, {"title", h.title}, {"snippet", h.snippet}});
  return json{{"query", std::string(q)}, {"results", std::move(results)}};
}

void RecordService::PublishChanges(const core::Op* ops, size_t count,
                                   const std::map<std::string, std::string>& known) {
  size_t first = count > kChangeRingSize ? count - kChangeRingSize : 0;
  const uint64_t generation = Generation();
  std::map<std::string, std::string> titles;  // by record key: read once per record
  std::vector<Change> changes;
  changes.reserve(count - first);
  for (size_t i = first; i < count; ++i) {
    const core::Op& op = ops[i];
    const records::Family* family = records::FindFamily(op.kind);
    if (family == nullptr) continue;
    std::string rkey = keys::Record(op.kind, op.record_id);
    auto [it, fresh] = titles.try_emplace(rkey);
    if (fresh) {
      if (auto k = known.find(it->first); k != known.end()) {
        it->second = k->second;
      } else {
        auto state = store_->Get(op.kind, op.record_id);
        it->second = RecordTitle(*family, state.ok() ? state->fields : json::object(), op.record_id);
      }
    }
    changes.push_back({op.kind, op.record_id, it->second, op.origin, op.user, core::HlcToIso(op.hlc),
                       core::OpTypeName(op.type), op.origin != member_id_, generation});
  }
  changes_->Publish(std::move(changes));
}

// The newest kChangeRingSize ops by clock, from the last ones of each origin.
void RecordService::LoadRecentChanges() {
  std::vector<core::Op> ops;
  for (const auto& [origin, seq] : store_->VersionVector()) {
    uint64_t from = seq > kChangeRingSize ? seq - kChangeRingSize + 1 : 1;
    for (auto it = kv_->Scan(storage::Column::kOps, keys::OpPrefix(origin), keys::Op(origin, from)); it->Valid();
         it->Next()) {
      auto op = core::DecodeOp(it->value());
      if (op.ok()) ops.push_back(std::move(op).value());
    }
  }
  std::sort(ops.begin(), ops.end(), core::FoldsBefore);
  if (ops.size() > kChangeRingSize) ops.erase(ops.begin(), ops.end() - kChangeRingSize);
  PublishChanges(ops.data(), ops.size());
}

}  // namespace passerelle::service
