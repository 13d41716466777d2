// What the store-level sections work on: a node (RecordService over RocksDB in a
// temporary directory) whose member acts for kInstitutions pre-created institutions,
// and agreements of about the configured size with parties among them.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/counting_store.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"

namespace passerelle::bench {

constexpr int kInstitutions = 20;
extern const char kMemberId[];

// A fresh directory under `root` (the system's temp dir when empty), removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::string& root, const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Field order matters: the service refers to the store and members.
struct BenchNode {
  BenchNode(const std::string& root, const std::string& name) : dir(root, name) {}
  TempDir dir;
  service::Members members;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<CountingStore> counting;  // over `store`; the service writes through it
  std::unique_ptr<service::RecordService> service;
};

// Opens a node on a fresh on-disk RocksDB store (WAL on, no fsync) and creates the
// institutions. Errors are the store's or the service's.
Result<std::unique_ptr<BenchNode>> OpenBenchNode(const std::string& root, const std::string& name);

// What one agreement of `json_bytes` bytes of JSON occupies in a node's store: its
// record value and its op value (the op is also what travels to peers), measured by
// creating one on a fresh bench node. Zero sizes when that fails.
struct StoredSizes {
  size_t record_bytes = 0;
  size_t op_bytes = 0;
};
StoredSizes MeasureStoredSizes(const std::string& root, size_t json_bytes);

std::string InstitutionId(size_t i);                           // "bench-inst-07"
std::string AgreementId(const std::string& prefix, size_t i);  // "agr-<prefix>-00000042"

// An agreement of about `bytes` bytes of JSON (title, purpose, notes, parties, dates);
// parties are InstitutionId(i % kInstitutions) and another one. Deterministic in i.
nlohmann::json MakeAgreement(const std::string& id, size_t i, size_t bytes);

// A replacement `purpose` for updates: a different text of about the same length.
std::string MakePurpose(size_t i, size_t bytes);

// Deterministic pseudo-random text of `len` characters (words and spaces).
std::string Words(uint64_t seed, size_t len);

}  // namespace passerelle::bench
