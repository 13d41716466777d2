// Backups of a node's store: a backup directory holds db/ (a consistent store copy) and
// backup.json (the manifest: member, format version, version vector and digest at the
// backup point). TakeBackup runs inside the serving node (it alone holds the store's
// lock); RestoreBackup works on files only, before a node starts on the restored data.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "storage/status.h"

namespace passerelle::service {

class RecordService;

struct BackupManifest {
  std::string member_id;
  int format_version = 0;
  std::map<std::string, uint64_t> version_vector;
  std::string digest;  // hex
  uint64_t created_at_ms = 0;

  nlohmann::json ToJson() const;
  static Result<BackupManifest> FromJson(const nlohmann::json& j);
};

// Writes `dir`/db and `dir`/backup.json; `dir` must be absolute and must not exist.
Result<BackupManifest> TakeBackup(RecordService* service, const std::string& dir, uint64_t now_ms);

// Reads `backup_dir`/backup.json (INVALID_ARGUMENT naming the field when malformed).
Result<BackupManifest> ReadBackupManifest(const std::string& backup_dir);

// Copies the backup's store into `data_dir` (absent or empty, else FAILED_PRECONDITION
// naming data_dir), after checking its format version is one this binary reads; then
// opens the copy and checks its version vector and digest equal the manifest's
// (DATA_LOSS otherwise). Returns the manifest.
Result<BackupManifest> RestoreBackup(const std::string& backup_dir, const std::string& data_dir);

}  // namespace passerelle::service
