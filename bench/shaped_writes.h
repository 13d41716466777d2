// The floor under the store's write rates: batches of exactly the shape the store wrote
// (the same columns, entry count, key and value sizes; counting_store.h) replayed with
// nothing else to do, on a store opened as nodes open theirs. A store rate divided by
// this rate is about the share of its time spent writing; this rate over the raw single-put
// rate bounds what any CPU saving outside RocksDB could bring.
#pragma once

#include <cstddef>
#include <string>

#include "bench/counting_store.h"

namespace passerelle::bench {

struct ShapedRate {
  double batches_per_s = 0;
  size_t errors = 0;
};

// Writes `count` batches of `shape` to a fresh storage::OpenRocksStore (WAL on, no fsync)
// under `tmp_root`: keys of the recorded sizes, distinct and ascending (the cheapest order
// for RocksDB, so the floor is not understated), values cut from a text buffer.
ShapedRate ReplayShape(const std::string& tmp_root, const BatchShape& shape, size_t count);

// "9 entries, 3,057 B" for figure names.
std::string DescribeShape(const BatchShape& shape);

}  // namespace passerelle::bench
