// LoginThrottle: slows down password guessing. Failures are counted per key (a username
// or a client address); from the 5th failure within the window the key is blocked for
// a delay that doubles with every further failure. No thread ever sleeps: callers get
// the seconds to wait and answer 429 with Retry-After. Time is passed in. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace passerelle::service {

struct ThrottleOptions {
  uint32_t free_failures = 5;              // failures allowed before the first block
  uint64_t window_ms = 15 * 60 * 1000;     // a key quiet this long starts afresh
  uint64_t base_delay_ms = 2000;           // first block; doubles per further failure
  uint64_t max_delay_ms = 15 * 60 * 1000;  // cap of one block
  // Keys remembered at most: when full, quiet keys are forgotten, then (a flood of
  // distinct keys) down to half: unblocked keys before blocked ones, fewest failures
  // and oldest first. Memory stays bounded, a failure costs O(1) amortised, and a
  // flood does not lift the block of a key under attack.
  size_t max_keys = 100000;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleOptions options = {}) : options_(options) {}

  // 0 when `key` may try now; else the whole seconds (rounded up) until it may.
  uint64_t RetryAfterSeconds(std::string_view key, uint64_t now_ms) const;
  // Counts a failed attempt; blocks the key once it has had its free failures.
  void Failure(std::string_view key, uint64_t now_ms);
  // Forgets the key's failures (a successful login for a username).
  void Success(std::string_view key);
  // Keys remembered now.
  size_t size() const;

 private:
  struct Entry {
    uint32_t failures = 0;
    uint64_t last_failure_ms = 0;
    uint64_t blocked_until_ms = 0;
  };
  void PruneLocked(uint64_t now_ms);

  ThrottleOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // Guarded by mu_
};

}  // namespace passerelle::service
