// A KvStore decorator that counts what passes through it (gets, scans, batches, entries
// and bytes written), to show what one service operation costs the store. Counters
// are atomic; the wrapped store must outlive the decorator.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "storage/kv_store.h"

namespace passerelle::bench {

struct KvCounts {
  uint64_t gets = 0, scans = 0, writes = 0, entries = 0, bytes = 0;
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

 private:
  storage::KvStore* inner_;
  mutable std::atomic<uint64_t> gets_{0}, scans_{0};
  std::atomic<uint64_t> writes_{0}, entries_{0}, bytes_{0};
};

}  // namespace passerelle::bench
