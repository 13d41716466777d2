// Rebuilding entries derived from the records (secondary index, search entries) when
// their definition changed: the version key and the stale entries go, each record's are
// written again, and the version key last, in small batches, so a crash midway rebuilds
// again at next open, whatever version that open expects.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/fold.h"
#include "node/records/family.h"
#include "storage/kv_store.h"

namespace passerelle::service {

struct DerivedEntries {
  std::vector<std::string_view> stale_prefixes;  // in the index column
  // Adds one record's entries to the batch.
  std::function<void(const records::Family&, const core::RecordState&, storage::WriteBatch*)> put;
  std::string version_key;  // in the meta column
  std::string version;
};

// DATA_LOSS when a stored record cannot be decoded.
Status RebuildDerivedEntries(storage::KvStore* kv, const DerivedEntries& entries);

}  // namespace passerelle::service
