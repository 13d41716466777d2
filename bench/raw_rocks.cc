// Section 1: the raw RocksDB baseline, with the options storage/rocks_store.cc uses
// (a column family with a bloom filter, IncreaseParallelism(2), WAL on, no fsync) and
// keys shaped like the store's record keys. Values have the size an agreement of
// --value-bytes of JSON takes as a stored record in this run (measured, printed): the
// puts and gets are like-for-like with the store's record reads and writes.
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <numeric>
#include <random>

#include "bench/records.h"
#include "bench/sections.h"
#include "bench/timing.h"

namespace passerelle::bench {
namespace {

struct RawDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // [0] default, [1] records
  ~RawDb() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  }
};

bool OpenRaw(const std::string& dir, RawDb* raw, std::string* error) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.IncreaseParallelism(2);
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {{rocksdb::kDefaultColumnFamilyName, cf},
                                                      {"records", cf}};
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(options, dir, cfs, &raw->handles, &db);
  if (!s.ok()) {
    *error = s.ToString();
    return false;
  }
  raw->db.reset(db);
  return true;
}

// Keys like the store's record keys: kind \0 id.
std::string Key(const std::string& prefix, size_t i) {
  std::string key = "agreement";
  key.push_back('\0');
  return key + AgreementId(prefix, i);
}

// A value of `bytes` bytes cut from a large text buffer at an offset varying with i.
rocksdb::Slice Value(const std::string& text, size_t i, size_t bytes) {
  size_t span = text.size() - bytes;
  return rocksdb::Slice(text.data() + (i * 7919) % span, bytes);
}

}  // namespace

void RunRawRocks(const Config& config, Report* report) {
  StoredSizes sizes = MeasureStoredSizes(config.tmp_root, config.value_bytes);
  const size_t value_bytes = sizes.record_bytes > 0 ? sizes.record_bytes : config.value_bytes;
  std::cerr << "[1/5] raw RocksDB: " << config.n << " puts, gets and batched puts of "
            << value_bytes << " B (an agreement of " << config.value_bytes
            << " B of JSON is stored as a " << sizes.record_bytes << " B record and a "
            << sizes.op_bytes << " B op; sync=false, WAL on, as the store)\n";
  TempDir dir(config.tmp_root, "raw");
  RawDb raw;
  std::string error;
  if (!OpenRaw(dir.str(), &raw, &error)) {
    std::cerr << "cannot open RocksDB: " << error << "\n";
    report->Value(kRawPut, 0, "ops/s", 1);
    return;
  }
  rocksdb::ColumnFamilyHandle* cf = raw.handles[1];
  const std::string text = Words(42, std::max<size_t>(1 << 20, value_bytes * 4));
  rocksdb::WriteOptions wo;
  wo.sync = false;  // WAL on, as the store (sync=false): survives a killed process

  RunResult puts = RunSerial(config.n, [&](size_t i, std::string* err) {
    auto s = raw.db->Put(wo, cf, Key("raw", i), Value(text, i, value_bytes));
    if (!s.ok()) *err = s.ToString();
    return s.ok();
  });
  report->Value(kRawPut, puts.Rate(), "ops/s", puts.failed);

  std::vector<size_t> order(config.n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  std::string value;
  RunResult gets = RunSerial(config.n, [&](size_t i, std::string* err) {
    auto s = raw.db->Get(rocksdb::ReadOptions(), cf, Key("raw", order[i]), &value);
    if (!s.ok()) *err = s.ToString();
    return s.ok() && value.size() == value_bytes;
  });
  report->Value(kRawGet, gets.Rate(), "ops/s", gets.failed);

  size_t batches = (config.n + config.batch - 1) / config.batch;
  RunResult batched = RunSerial(batches, [&](size_t b, std::string* err) {
    rocksdb::WriteBatch batch;
    size_t end = std::min(config.n, (b + 1) * config.batch);
    for (size_t i = b * config.batch; i < end; ++i)
      batch.Put(cf, Key("rawb", i), Value(text, i, value_bytes));
    auto s = raw.db->Write(wo, &batch);
    if (!s.ok()) *err = s.ToString();
    return s.ok();
  });
  double per_put = batched.seconds > 0 ? config.n / batched.seconds : 0;
  report->Ratio("raw rocksdb put, batch of " + std::to_string(config.batch), per_put, "puts/s",
                kRawPut, std::nullopt, batched.failed);
}

}  // namespace passerelle::bench
