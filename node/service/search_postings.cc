#include "node/service/search_postings.h"

#include <algorithm>
#include <mutex>
#include <unordered_set>

namespace passerelle::service {
namespace {

uint32_t NumberOf(uint32_t posting) { return posting >> 1; }

bool ByNumber(uint32_t a, uint32_t b) { return NumberOf(a) < NumberOf(b); }

}  // namespace

uint32_t SearchPostings::RecordNumber(const std::string& kind, const std::string& id) {
  std::string key = kind;
  key.push_back('\0');
  key += id;
  auto [it, fresh] = numbers_.try_emplace(std::move(key), static_cast<uint32_t>(records_.size()));
  if (fresh) records_.push_back({kind, id, 0});
  return it->second;
}

void SearchPostings::Apply(const SearchChange& change) {
  std::unique_lock lock(mu_);
  uint32_t number = RecordNumber(change.kind, change.id);
  records_[number].title_bytes = change.title_bytes;
  std::unordered_set<std::string_view> kept;  // words in both: updated in place below
  if (!change.old_words.empty())
    for (const auto& w : change.new_words) kept.insert(w.word);
  for (const auto& w : change.old_words) {
    if (kept.count(w.word)) continue;
    auto it = lists_.find(w.word);
    if (it == lists_.end()) continue;
    List& list = it->second;
    auto at = std::lower_bound(list.begin(), list.end(), number << 1, ByNumber);
    if (at == list.end() || NumberOf(*at) != number) continue;
    list.erase(at);
    --postings_;
    if (list.empty()) {
      words_.erase(it->first);
      lists_.erase(it);
    }
  }
  for (const auto& w : change.new_words) {
    uint32_t posting = number << 1 | (w.in_title ? 1 : 0);
    auto it = lists_.find(w.word);
    if (it == lists_.end()) {
      it = lists_.try_emplace(w.word).first;
      words_.insert(it->first);
    }
    List& list = it->second;
    if (list.empty() || NumberOf(list.back()) < number) {  // a new record: the usual case
      list.push_back(posting);
      ++postings_;
      continue;
    }
    auto at = std::lower_bound(list.begin(), list.end(), posting, ByNumber);
    if (at != list.end() && NumberOf(*at) == number) {
      *at = posting;
    } else {
      list.insert(at, posting);
      ++postings_;
    }
  }
}

void SearchPostings::Clear() {
  std::unique_lock lock(mu_);
  records_.clear();
  numbers_.clear();
  words_.clear();
  lists_.clear();
  postings_ = 0;
}

template <typename Visit>
void SearchPostings::WalkLists(std::string_view word, bool prefix, Visit visit) const {
  for (auto it = words_.lower_bound(word); it != words_.end(); ++it) {
    if (prefix ? !it->starts_with(word) : *it != word) return;
    auto list = lists_.find(*it);
    if (!visit(list->first, list->second) || !prefix) return;
  }
}

std::vector<SearchPostings::Candidate> SearchPostings::Find(std::string_view word, bool prefix,
                                                            std::string_view kind,
                                                            size_t max) const {
  std::shared_lock lock(mu_);
  std::vector<Candidate> out;
  if (max == 0) return out;
  WalkLists(word, prefix, [&](const std::string& w, const List& list) {
    for (uint32_t posting : list) {
      const Record& r = records_[NumberOf(posting)];
      if (!kind.empty() && r.kind != kind) continue;
      out.push_back({r.kind, r.id, w == word, (posting & 1) != 0, r.title_bytes});
      if (out.size() == max) return false;
    }
    return true;
  });
  return out;
}

size_t SearchPostings::Count(std::string_view word, bool prefix, size_t cap) const {
  std::shared_lock lock(mu_);
  size_t n = 0;
  WalkLists(word, prefix, [&](const std::string&, const List& list) {
    n += list.size();
    return n < cap;
  });
  return std::min(n, cap);
}

size_t SearchPostings::words() const {
  std::shared_lock lock(mu_);
  return lists_.size();
}

size_t SearchPostings::postings() const {
  std::shared_lock lock(mu_);
  return postings_;
}

}  // namespace passerelle::service
