// KvStore: the ordered key-value store every node keeps its data in, split into
// columns (RocksDB column families). Write() applies a WriteBatch atomically: after
// it returns OK the whole batch survives a crash of the process; after an error none
// of it is visible. All methods are thread-safe. Only rocks_store.cc includes RocksDB;
// mem_store.h is the in-memory twin for tests.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace passerelle::storage {

enum class Column : int {
  kOps = 0,      // op log: origin \0 seq(be64) -> encoded op
  kRecords = 1,  // materialised records: kind \0 id -> encoded record state
  kIndex = 2,    // secondary indexes and per-record history; values mostly empty
  kMeta = 3,     // node metadata: version vector, chain heads, format version
};
constexpr int kColumnCount = 4;

class WriteBatch {
 public:
  struct Entry {
    Column column;
    bool is_delete;
    std::string key;
    std::string value;
  };
  void Put(Column c, std::string key, std::string value) {
    entries_.push_back({c, false, std::move(key), std::move(value)});
  }
  void Delete(Column c, std::string key) { entries_.push_back({c, true, std::move(key), {}}); }
  void Reserve(size_t entries) { entries_.reserve(entries); }
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

// Iterates keys in byte order within one column, from a start key, while the key
// starts with a prefix. Valid() is false at the end or after an error (see status()).
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
};

class KvStore {
 public:
  virtual ~KvStore() = default;
  // NotFound when the key is absent.
  virtual Status Get(Column column, std::string_view key, std::string* value) const = 0;
  virtual Status Write(const WriteBatch& batch) = 0;
  // Keys >= start that begin with prefix (start may be empty: from the prefix).
  virtual std::unique_ptr<Iterator> Scan(Column column, std::string_view prefix,
                                         std::string_view start = {}) const = 0;

  // The greatest key that begins with `prefix` (non-empty), and its value; NotFound
  // when there is none.
  virtual Status Last(Column column, std::string_view prefix, std::string* key,
                      std::string* value) const = 0;
  // Operational figures for monitoring (name -> value, summed over columns), e.g.
  // "live_sst_bytes", "compactions_running". Empty for stores without any.
  virtual std::map<std::string, uint64_t> Stats() const { return {}; }
  // Writes a consistent copy of the whole store (every column at one point in time) to
  // `dir`, which must not exist; the store keeps serving meanwhile. UNIMPLEMENTED for
  // stores that cannot; ALREADY_EXISTS when `dir` exists.
  virtual Status Checkpoint(const std::string& dir) const {
    return {Code::kUnimplemented, "this store cannot take checkpoints"};
  }
};

// The least string greater than every string that begins with `prefix`; empty when
// there is none (the prefix is all 0xff bytes).
std::string PrefixSuccessor(std::string_view prefix);

// Opens (creating if needed) a RocksDB store in `dir`. `sync` makes every Write fsync
// its WAL (survives power loss); without it a write survives a killed process.
Result<std::unique_ptr<KvStore>> OpenRocksStore(const std::string& dir, bool sync = false);

// An empty in-memory store with the same contract.
std::unique_ptr<KvStore> NewMemStore();

}  // namespace passerelle::storage
