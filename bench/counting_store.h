// A KvStore decorator that counts what passes through it (gets, scans, batches, entries
// and bytes written), to show what one service operation costs the store, and keeps
// the shape of the largest batch. Thread-safe; the wrapped store must outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "storage/kv_store.h"

namespace passerelle::bench {

struct KvCounts {
  uint64_t gets = 0, scans = 0, writes = 0, entries = 0, bytes = 0;
};

// What one batch wrote: each entry's column and key and value sizes, in batch order.
struct BatchShape {
  struct Entry {
    storage::Column column;
    bool is_delete;
    size_t key_bytes, value_bytes;
  };
  std::vector<Entry> entries;
};

class CountingStore final : public storage::KvStore {
 public:
  explicit CountingStore(storage::KvStore* inner) : inner_(inner) {}

  Status Get(storage::Column column, std::string_view key, std::string* value) const override {
    gets_.fetch_add(1, std::memory_order_relaxed);
    return inner_->Get(column, key, value);
  }
  Status Write(const storage::WriteBatch& batch) override {
    uint64_t bytes = 0;
    for (const auto& e : batch.entries()) bytes += e.key.size() + e.value.size();
    writes_.fetch_add(1, std::memory_order_relaxed);
    entries_.fetch_add(batch.entries().size(), std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    {
      std::lock_guard lock(shape_mu_);
      if (batch.entries().size() > largest_.entries.size()) {
        largest_.entries.clear();
        for (const auto& e : batch.entries())
          largest_.entries.push_back({e.column, e.is_delete, e.key.size(), e.value.size()});
      }
    }
    return inner_->Write(batch);
  }
  std::unique_ptr<storage::Iterator> Scan(storage::Column column, std::string_view prefix,
                                          std::string_view start) const override {
    scans_.fetch_add(1, std::memory_order_relaxed);
    return inner_->Scan(column, prefix, start);
  }
  Status Last(storage::Column column, std::string_view prefix, std::string* key,
              std::string* value) const override {
    return inner_->Last(column, prefix, key, value);
  }

  KvCounts counts() const {
    return {gets_.load(), scans_.load(), writes_.load(), entries_.load(), bytes_.load()};
  }
  // The batch with the most entries written since the last call (the first of equals),
  // for replaying its shape (shaped_writes.h); empty when nothing was written.
  BatchShape TakeLargestBatch() {
    std::lock_guard lock(shape_mu_);
    return std::exchange(largest_, {});
  }

 private:
  storage::KvStore* inner_;
  mutable std::atomic<uint64_t> gets_{0}, scans_{0};
  std::atomic<uint64_t> writes_{0}, entries_{0}, bytes_{0};
  std::mutex shape_mu_;
  BatchShape largest_;  // guarded by shape_mu_
};

}  // namespace passerelle::bench
