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
  for (std::string_view prefix : entries.stale_prefixes) {
    for (auto it = kv->Scan(Column::kIndex, prefix); it->Valid(); it->Next()) {
      batch.Delete(Column::kIndex, std::string(it->key()));
      if (batch.entries().size() >= kBatchEntries) PASSERELLE_RETURN_IF_ERROR(flush());
    }
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
