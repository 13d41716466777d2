// In-memory twin of the RocksDB store: same ordering and atomicity, no durability.
#include <map>
#include <mutex>

#include "storage/kv_store.h"

namespace passerelle::storage {
namespace {

class MemIterator final : public Iterator {
 public:
  // Copies the matching range so the iterator is stable under concurrent writes.
  MemIterator(std::vector<std::pair<std::string, std::string>> rows) : rows_(std::move(rows)) {}
  bool Valid() const override { return i_ < rows_.size(); }
  void Next() override { ++i_; }
  std::string_view key() const override { return rows_[i_].first; }
  std::string_view value() const override { return rows_[i_].second; }
  Status status() const override { return Status::Ok(); }

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
  size_t i_ = 0;
};

class MemStore final : public KvStore {
 public:
  Status Get(Column column, std::string_view key, std::string* value) const override {
    std::lock_guard lock(mu_);
    const auto& m = columns_[static_cast<int>(column)];
    auto it = m.find(std::string(key));
    if (it == m.end()) return Status::NotFound("key not found");
    *value = it->second;
    return Status::Ok();
  }
  Status Write(const WriteBatch& batch) override {
    std::lock_guard lock(mu_);
    for (const auto& e : batch.entries()) {
      auto& m = columns_[static_cast<int>(e.column)];
      if (e.is_delete) m.erase(e.key);
      else m[e.key] = e.value;
    }
    return Status::Ok();
  }
  std::unique_ptr<Iterator> Scan(Column column, std::string_view prefix,
                                 std::string_view start) const override {
    std::lock_guard lock(mu_);
    const auto& m = columns_[static_cast<int>(column)];
    std::vector<std::pair<std::string, std::string>> rows;
    for (auto it = m.lower_bound(std::string(start.empty() ? prefix : start));
         it != m.end() && it->first.starts_with(prefix); ++it)
      rows.emplace_back(*it);
    return std::make_unique<MemIterator>(std::move(rows));
  }

  Status Last(Column column, std::string_view prefix, std::string* key,
              std::string* value) const override {
    std::lock_guard lock(mu_);
    const auto& m = columns_[static_cast<int>(column)];
    std::string after = PrefixSuccessor(prefix);
    auto it = after.empty() ? m.end() : m.lower_bound(after);
    if (it == m.begin() || !std::prev(it)->first.starts_with(prefix))
      return Status::NotFound("no key with this prefix");
    --it;
    *key = it->first;
    *value = it->second;
    return Status::Ok();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> columns_[kColumnCount];  // Guarded by mu_
};

}  // namespace

std::unique_ptr<KvStore> NewMemStore() { return std::make_unique<MemStore>(); }

}  // namespace passerelle::storage
