#include "bench/shaped_writes.h"

#include <algorithm>
#include <iostream>

#include "bench/records.h"
#include "bench/report.h"
#include "bench/timing.h"

namespace passerelle::bench {
namespace {

// A key of `bytes` bytes (at least 8) ending in `n` big-endian: distinct for distinct n,
// ascending with n.
std::string Key(size_t bytes, uint64_t n) {
  std::string key(std::max<size_t>(bytes, 8), 'k');
  for (size_t i = 0; i < 8; ++i) key[key.size() - 1 - i] = static_cast<char>(n >> (8 * i));
  return key;
}

}  // namespace

ShapedRate ReplayShape(const std::string& tmp_root, const BatchShape& shape, size_t count) {
  ShapedRate out;
  if (shape.entries.empty() || count == 0) {
    ++out.errors;
    return out;
  }
  TempDir dir(tmp_root, "shaped");
  auto store = storage::OpenRocksStore(dir.str(), /*sync=*/false);
  if (!store.ok()) {
    std::cerr << "  shaped writes: " << store.status().ToString() << "\n";
    ++out.errors;
    return out;
  }
  size_t largest = 0;
  for (const auto& e : shape.entries) largest = std::max(largest, e.value_bytes);
  const std::string text = Words(7, std::max<size_t>(1 << 20, largest * 4));
  const size_t span = text.size() - largest;
  // Batches are built before the timer starts: Write alone is measured.
  constexpr size_t kChunk = 1000;
  double seconds = 0;
  uint64_t n = 0;
  for (size_t done = 0; done < count;) {
    std::vector<storage::WriteBatch> batches(std::min(kChunk, count - done));
    for (auto& batch : batches) {
      batch.Reserve(shape.entries.size());
      for (const auto& e : shape.entries) {
        ++n;
        if (e.is_delete)
          batch.Delete(e.column, Key(e.key_bytes, n));
        else
          batch.Put(e.column, Key(e.key_bytes, n), text.substr((n * 7919) % span, e.value_bytes));
      }
    }
    Stopwatch watch;
    for (const auto& batch : batches) out.errors += !(*store)->Write(batch).ok();
    seconds += watch.Seconds();
    done += batches.size();
  }
  out.batches_per_s = seconds > 0 ? count / seconds : 0;
  return out;
}

std::string DescribeShape(const BatchShape& shape) {
  size_t bytes = 0;
  for (const auto& e : shape.entries) bytes += e.key_bytes + e.value_bytes;
  return std::to_string(shape.entries.size()) + " entries, " + FormatValue(static_cast<double>(bytes)) + " B";
}

}  // namespace passerelle::bench
