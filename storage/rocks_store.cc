// The one file that includes RocksDB: KvStore over a RocksDB database with one
// column family per storage::Column.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

#include "storage/kv_store.h"

namespace passerelle::storage {
namespace {

const char* const kColumnNames[kColumnCount] = {"ops", "records", "index", "meta"};

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound("key not found");
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
    return {Code::kFailedPrecondition,
            "data directory is in use by another passerelle process (only one node may run on a "
            "data directory; stop the other one, or use `passerelle backup` to copy a running "
            "node's data) (" + s.ToString() + ")"};
  if (s.IsCorruption()) return {Code::kDataLoss, "store corruption: " + s.ToString()};
  return Status::Internal("rocksdb: " + s.ToString());
}

// Iterates one prefix; the upper bound (the prefix's successor, owned here as RocksDB
// wants it to outlive the iterator) stops RocksDB at the prefix's end instead of
// skipping every deleted key up to the next live one.
class RocksIterator final : public Iterator {
 public:
  RocksIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* column, std::string prefix,
                std::string_view start)
      : prefix_(std::move(prefix)), upper_(PrefixSuccessor(prefix_)), upper_slice_(upper_) {
    rocksdb::ReadOptions ro;
    if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro, column));
    std::string_view from = start.empty() ? std::string_view(prefix_) : start;
    it_->Seek(rocksdb::Slice(from.data(), from.size()));
  }
  bool Valid() const override { return it_->Valid() && it_->key().starts_with(prefix_); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return {it_->key().data(), it_->key().size()}; }
  std::string_view value() const override { return {it_->value().data(), it_->value().size()}; }
  Status status() const override { return FromRocks(it_->status()); }

 private:
  std::string prefix_;
  std::string upper_;  // empty: no bound (the empty prefix, or one of 0xFF bytes only)
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksStore final : public KvStore {
 public:
  RocksStore(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles, bool sync)
      : db_(db), handles_(std::move(handles)), sync_(sync) {}
  ~RocksStore() override {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    db_->Close();
    delete db_;
  }

  Status Get(Column column, std::string_view key, std::string* value) const override {
    return FromRocks(db_->Get(rocksdb::ReadOptions(), Handle(column),
                              rocksdb::Slice(key.data(), key.size()), value));
  }

  Status Write(const WriteBatch& batch) override {
    // Reserved up front: a peer batch is ~1.7 MB, built without regrowing the buffer.
    size_t bytes = 64;
    for (const auto& e : batch.entries()) bytes += e.key.size() + e.value.size() + 16;
    rocksdb::WriteBatch wb(bytes);
    for (const auto& e : batch.entries()) {
      auto s = e.is_delete ? wb.Delete(Handle(e.column), e.key)
                           : wb.Put(Handle(e.column), e.key, e.value);
      if (!s.ok()) return FromRocks(s);
    }
    rocksdb::WriteOptions wo;
    wo.sync = sync_;
    return FromRocks(db_->Write(wo, &wb));
  }

  std::unique_ptr<Iterator> Scan(Column column, std::string_view prefix,
                                 std::string_view start) const override {
    return std::make_unique<RocksIterator>(db_, Handle(column), std::string(prefix), start);
  }

  Status Last(Column column, std::string_view prefix, std::string* key,
              std::string* value) const override {
    rocksdb::ReadOptions ro;
    std::string after = PrefixSuccessor(prefix);
    rocksdb::Slice bound(after);
    if (!after.empty()) ro.iterate_upper_bound = &bound;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, Handle(column)));
    it->SeekToLast();
    if (!it->Valid()) return it->status().ok() ? Status::NotFound("no key with this prefix")
                                               : FromRocks(it->status());
    if (!it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size())))
      return Status::NotFound("no key with this prefix");
    key->assign(it->key().data(), it->key().size());
    value->assign(it->value().data(), it->value().size());
    return Status::Ok();
  }

  std::map<std::string, uint64_t> Stats() const override {
    // Integer properties summed over the columns (names as they appear in /metrics).
    static const std::pair<const char*, const std::string*> kProps[] = {
        {"live_sst_bytes", &rocksdb::DB::Properties::kLiveSstFilesSize},
        {"total_sst_bytes", &rocksdb::DB::Properties::kTotalSstFilesSize},
        {"memtable_bytes", &rocksdb::DB::Properties::kCurSizeAllMemTables},
        {"estimated_keys", &rocksdb::DB::Properties::kEstimateNumKeys},
        {"compactions_running", &rocksdb::DB::Properties::kNumRunningCompactions},
        {"compaction_pending", &rocksdb::DB::Properties::kCompactionPending},
        {"pending_compaction_bytes", &rocksdb::DB::Properties::kEstimatePendingCompactionBytes},
        {"flushes_running", &rocksdb::DB::Properties::kNumRunningFlushes},
        {"level0_files", nullptr},
    };
    std::map<std::string, uint64_t> out;
    for (auto* h : handles_) {
      for (const auto& [name, prop] : kProps) {
        uint64_t v = 0;
        std::string key = prop ? *prop : rocksdb::DB::Properties::kNumFilesAtLevelPrefix + "0";
        if (prop) {
          if (db_->GetIntProperty(h, *prop, &v)) out[name] += v;
        } else {
          std::string text;
          if (db_->GetProperty(h, key, &text)) out[name] += std::strtoull(text.c_str(), nullptr, 10);
        }
      }
      // Compaction totals since the node started (all levels).
      std::map<std::string, std::string> cf;
      if (db_->GetMapProperty(h, rocksdb::DB::Properties::kCFStats, &cf)) {
        auto add = [&](const char* from, const char* to, double scale) {
          auto it = cf.find(from);
          if (it != cf.end()) out[to] += static_cast<uint64_t>(std::strtod(it->second.c_str(), nullptr) * scale);
        };
        add("compaction.Sum.CompCount", "compactions_total", 1);
        add("compaction.Sum.CompSec", "compaction_micros_total", 1e6);
        add("compaction.Sum.WriteGB", "compaction_write_bytes_total", 1024.0 * 1024 * 1024);
        add("compaction.Sum.ReadGB", "compaction_read_bytes_total", 1024.0 * 1024 * 1024);
      }
    }
    return out;
  }

  Status Checkpoint(const std::string& dir) const override {
    std::error_code ec;
    if (std::filesystem::exists(dir, ec))
      return {Code::kAlreadyExists, "checkpoint directory " + dir + " already exists", "dir"};
    rocksdb::Checkpoint* raw = nullptr;
    auto s = rocksdb::Checkpoint::Create(db_, &raw);
    if (!s.ok()) return FromRocks(s);
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // log_size_for_flush 0: memtables are flushed first, so the copy needs no WAL replay
    // beyond what it holds; the checkpoint is one consistent point across columns.
    s = checkpoint->CreateCheckpoint(dir, 0);
    if (!s.ok()) {
      Status st = FromRocks(s);
      return Status(st.code(), "cannot write checkpoint to " + dir + ": " + st.message());
    }
    return Status::Ok();
  }

 private:
  rocksdb::ColumnFamilyHandle* Handle(Column c) const {
    return handles_[static_cast<int>(c) + 1];  // [0] is RocksDB's "default"
  }
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  bool sync_;
};

}  // namespace

Result<std::unique_ptr<KvStore>> OpenRocksStore(const std::string& dir, bool sync) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  // The meta column is written rarely: without a cap, one of its entries not yet flushed
  // keeps every log file since alive, up to 4 x all write buffers (~2.5 GB here), all
  // replayed after a crash. Past this, RocksDB flushes the columns holding the oldest log.
  options.max_total_wal_size = 256 << 20;
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {{rocksdb::kDefaultColumnFamilyName, cf}};
  for (const char* name : kColumnNames) cfs.emplace_back(name, cf);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(options, dir, cfs, &handles, &db);
  if (!s.ok()) {
    Status st = FromRocks(s);
    return Status(st.code(), "cannot open store in " + dir + ": " + st.message());
  }
  return std::unique_ptr<KvStore>(new RocksStore(db, std::move(handles), sync));
}

}  // namespace passerelle::storage
