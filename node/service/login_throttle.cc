#include "node/service/login_throttle.h"

#include <algorithm>
#include <tuple>
#include <vector>

namespace passerelle::service {
namespace {

// Quiet for a whole window since its last failure and since its block ended: a key that
// starts afresh. (Counting from the failure alone would reset a key the moment its
// longest block, as long as the window, ended: five free guesses again.)
bool Quiet(uint64_t last_failure_ms, uint64_t blocked_until_ms, uint64_t window_ms, uint64_t now_ms) {
  return now_ms > std::max(last_failure_ms, blocked_until_ms) + window_ms;
}

}  // namespace

uint64_t LoginThrottle::RetryAfterSeconds(std::string_view key, uint64_t now_ms) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end() || it->second.blocked_until_ms <= now_ms) return 0;
  return (it->second.blocked_until_ms - now_ms + 999) / 1000;
}

void LoginThrottle::Failure(std::string_view key, uint64_t now_ms) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= options_.max_keys) PruneLocked(now_ms);
  Entry& e = entries_[std::string(key)];
  if (e.failures > 0 && Quiet(e.last_failure_ms, e.blocked_until_ms, options_.window_ms, now_ms)) e = Entry{};
  e.failures++;
  e.last_failure_ms = now_ms;
  if (e.failures >= options_.free_failures) {
    uint32_t doublings = std::min<uint32_t>(e.failures - options_.free_failures, 30);
    uint64_t delay = std::min(options_.base_delay_ms << doublings, options_.max_delay_ms);
    e.blocked_until_ms = now_ms + delay;
  }
}

void LoginThrottle::Success(std::string_view key) {
  std::lock_guard lock(mu_);
  entries_.erase(std::string(key));
}

size_t LoginThrottle::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void LoginThrottle::PruneLocked(uint64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    const Entry& e = it->second;
    bool quiet = Quiet(e.last_failure_ms, e.blocked_until_ms, options_.window_ms, now_ms);
    it = quiet ? entries_.erase(it) : std::next(it);
  }
  const size_t keep = std::max<size_t>(1, options_.max_keys / 2);
  if (entries_.size() <= keep) return;
  // Still full: forget the keys that matter least, so that a flood cannot reset the
  // backoff of a key under attack: unblocked before blocked, then fewest failures,
  // then oldest failure.
  using Rank = std::tuple<bool, uint32_t, uint64_t>;
  std::vector<std::pair<Rank, const std::string*>> ranked;
  ranked.reserve(entries_.size());
  for (const auto& [key, e] : entries_)
    ranked.push_back({{e.blocked_until_ms > now_ms, e.failures, e.last_failure_ms}, &key});
  auto forget_end = ranked.begin() + static_cast<std::ptrdiff_t>(entries_.size() - keep);
  std::nth_element(ranked.begin(), forget_end, ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> forget;
  forget.reserve(static_cast<size_t>(forget_end - ranked.begin()));
  for (auto it = ranked.begin(); it != forget_end; ++it) forget.push_back(*it->second);
  for (const auto& key : forget) entries_.erase(key);
}

}  // namespace passerelle::service
