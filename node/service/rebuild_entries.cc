#include "node/service/rebuild_entries.h"

namespace passerelle::service {

using storage::Column;

namespace {
constexpr size_t kBatchEntries = 5000;  // deletes or puts per write
}  // namespace

Status RebuildDerivedEntries(storage::KvStore* kv, const DerivedEntries& entries) {
  storage::WriteBatch batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    Status w = kv->Write(batch);
    batch = storage::WriteBatch();
    return w;
  };
  // The version key goes with the first deletes: once any entry is gone, no version
  // (not even the one the entries had, should the node come back to it) says they are
  // whole, and an interrupted rebuild starts again at the next open.
  batch.Delete(Column::kMeta, entries.version_key);
  for (std::string_view prefix : entries.stale_prefixes) {
    auto it = kv->Scan(Column::kIndex, prefix);
    for (; it->Valid(); it->Next()) {
      batch.Delete(Column::kIndex, std::string(it->key()));
      if (batch.entries().size() >= kBatchEntries) PASSERELLE_RETURN_IF_ERROR(flush());
    }
    PASSERELLE_RETURN_IF_ERROR(it->status());
  }
  PASSERELLE_RETURN_IF_ERROR(flush());
  auto it = kv->Scan(Column::kRecords, "");
  for (; it->Valid(); it->Next()) {
    auto state = core::DecodeRecordState(it->value());
    if (!state.ok()) return Status(Code::kDataLoss, "stored record unreadable: " + state.status().message());
    const records::Family* family = records::FindFamily(state->kind);
    if (family == nullptr) continue;
    entries.put(*family, *state, &batch);
    if (batch.entries().size() >= kBatchEntries) PASSERELLE_RETURN_IF_ERROR(flush());
  }
  PASSERELLE_RETURN_IF_ERROR(it->status());
  batch.Put(Column::kMeta, entries.version_key, entries.version);
  return flush();
}

}  // namespace passerelle::service
