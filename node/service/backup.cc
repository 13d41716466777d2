#include "node/service/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "node/core/coding.h"
#include "node/core/json_text.h"
#include "node/service/keys.h"
#include "node/service/record_service.h"
#include "node/service/record_store.h"
#include "storage/kv_store.h"

namespace passerelle::service {
namespace fs = std::filesystem;

nlohmann::json BackupManifest::ToJson() const {
  return {{"member_id", member_id},       {"format_version", format_version},
          {"version_vector", version_vector}, {"digest", digest},
          {"created_at_ms", created_at_ms}};
}

Result<BackupManifest> BackupManifest::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::Invalid("backup.json", "must be a JSON object");
  BackupManifest m;
  auto str = [&](const char* key, std::string* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return Status::Invalid(key, "must be a string");
    *out = it->get<std::string>();
    return Status::Ok();
  };
  PASSERELLE_RETURN_IF_ERROR(str("member_id", &m.member_id));
  PASSERELLE_RETURN_IF_ERROR(str("digest", &m.digest));
  auto fv = j.find("format_version");
  if (fv == j.end() || !fv->is_number_integer())
    return Status::Invalid("format_version", "must be an integer");
  m.format_version = fv->get<int>();
  auto vv = j.find("version_vector");
  if (vv == j.end() || !vv->is_object())
    return Status::Invalid("version_vector", "must be an object of origin -> seq");
  for (const auto& [origin, seq] : vv->items()) {
    if (!seq.is_number_unsigned()) return Status::Invalid("version_vector", "seq of " + origin + " must be a non-negative integer");
    m.version_vector[origin] = seq.get<uint64_t>();
  }
  if (auto t = j.find("created_at_ms"); t != j.end() && t->is_number_unsigned())
    m.created_at_ms = t->get<uint64_t>();
  return m;
}

namespace {

struct StorePoint {
  std::map<std::string, uint64_t> version_vector;
  std::string digest_hex;
};

// Opens the store copy in `dir` on its own and reads its version vector and digest.
// Through the store alone, without the federation's members (which a backup does not
// carry): with no approver rule, the indexes are taken as they are, not rebuilt for a
// made-up members file (the node checks them against its own at its next start).
Result<StorePoint> ReadStorePoint(const std::string& dir) {
  auto store = storage::OpenRocksStore(dir);
  if (!store.ok()) return store.status();
  RecordStore records(store->get());
  PASSERELLE_RETURN_IF_ERROR(records.Open());
  auto digest = records.Digest();
  if (!digest.ok()) return digest.status();
  return StorePoint{records.VersionVector(), core::ToHex(*digest)};
}

// Writes content to path through a temporary file, synced and renamed, then syncs the
// directory: after a crash the file is whole or absent.
Status WriteFileDurably(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot write " + tmp.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Internal("cannot write " + path.string() + ": " + std::strerror(errno));
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

// The checkpoint, then its manifest (last: a directory without one is no backup).
Result<BackupManifest> WriteBackup(RecordService* service, const std::string& dir, uint64_t now_ms) {
  auto vv = service->Checkpoint(dir + "/db");
  if (!vv.ok()) return vv.status();
  // The digest is computed from the copy, off the write lock (it reads every record);
  // the copy must hold what the node held at the checkpoint.
  auto point = ReadStorePoint(dir + "/db");
  if (!point.ok()) return point.status();
  if (point->version_vector != *vv)
    return Status(Code::kDataLoss, "the checkpoint in " + dir + " does not hold the node's ops at the backup point");
  BackupManifest m;
  m.member_id = service->member_id();
  m.format_version = keys::kFormatVersion;
  m.version_vector = point->version_vector;
  m.digest = point->digest_hex;
  m.created_at_ms = now_ms;
  PASSERELLE_RETURN_IF_ERROR(WriteFileDurably(fs::path(dir) / "backup.json", m.ToJson().dump(2) + "\n"));
  return m;
}

}  // namespace

Result<BackupManifest> TakeBackup(RecordService* service, const std::string& dir, uint64_t now_ms) {
  if (dir.empty() || dir.front() != '/')
    return Status::Invalid("dir", "must be an absolute path on the node's host (got '" + dir + "')");
  std::error_code ec;
  if (fs::exists(dir, ec)) return Status(Code::kAlreadyExists, dir + " already exists", "dir");
  fs::create_directories(dir, ec);
  if (ec) return Status::Invalid("dir", "cannot create " + dir + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);  // password hashes
  auto m = WriteBackup(service, dir, now_ms);
  if (!m.ok()) fs::remove_all(dir, ec);  // no half backup left to be mistaken for one
  return m;
}

Result<BackupManifest> ReadBackupManifest(const std::string& backup_dir) {
  std::ifstream in(backup_dir + "/backup.json");
  if (!in) return Status::NotFound(backup_dir + "/backup.json not found: not a passerelle backup", "backup");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = core::ParseJson(ss.str(), "backup.json");
  if (!j.ok()) return j.status();
  return BackupManifest::FromJson(*j);
}

namespace {

// Flushes every file under `dir`, then the directories themselves, to the disk.
Status SyncTree(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> dirs = {dir};
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_directory(ec)) dirs.push_back(it->path());
    if (!it->is_regular_file(ec)) continue;
    int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) return Status::Internal("cannot flush " + it->path().string() + ": " + std::strerror(errno));
  }
  if (ec) return Status::Internal("cannot list " + dir.string() + ": " + ec.message());
  for (const auto& d : dirs) {
    int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  return Status::Ok();
}

// Copies the store files, flushes them to the disk (the operator may remove the old
// data directory as soon as this says "restored"), opens the copy and compares it with
// the manifest.
Status CopyAndCheck(const std::string& backup_dir, const std::string& data_dir,
                    const BackupManifest& manifest) {
  std::error_code ec;
  fs::copy(backup_dir + "/db", data_dir, fs::copy_options::recursive, ec);
  if (ec) return Status::Internal("cannot copy " + backup_dir + "/db to " + data_dir + ": " + ec.message());
  PASSERELLE_RETURN_IF_ERROR(SyncTree(data_dir));
  auto point = ReadStorePoint(data_dir);
  if (!point.ok()) return point.status();
  if (point->version_vector != manifest.version_vector || point->digest_hex != manifest.digest)
    return Status(Code::kDataLoss, "the restored data in " + data_dir +
                                       " does not match the backup's manifest (version vector or digest differ)");
  return Status::Ok();
}

// This member may have written ops after the backup point, which its peers hold: until a
// peer confirms its chain, the restored node writes nothing of its own (record_service.h).
Status MarkRestored(const std::string& data_dir) {
  auto store = storage::OpenRocksStore(data_dir, /*sync=*/true);  // survives a power cut
  if (!store.ok()) return store.status();
  storage::WriteBatch batch;
  batch.Put(storage::Column::kMeta, std::string(keys::kOwnHeadUnconfirmedKey), "restored from a backup");
  return (*store)->Write(batch);
}

}  // namespace

Result<BackupManifest> RestoreBackup(const std::string& backup_dir, const std::string& data_dir) {
  auto manifest = ReadBackupManifest(backup_dir);
  if (!manifest.ok()) return manifest.status();
  if (manifest->format_version > keys::kFormatVersion)
    return Status(Code::kFailedPrecondition,
                  "the backup has on-disk format " + std::to_string(manifest->format_version) +
                      "; this passerelle reads format " + std::to_string(keys::kFormatVersion) +
                      " (restore it with a newer passerelle)",
                  "backup");
  std::error_code ec;
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec))
    return Status(Code::kFailedPrecondition,
                  data_dir + " is not empty: restore only into a new or empty data directory",
                  "data_dir");
  fs::create_directories(data_dir, ec);
  if (ec) return Status::Invalid("data_dir", "cannot create " + data_dir + ": " + ec.message());
  Status s = CopyAndCheck(backup_dir, data_dir, *manifest);
  if (s.ok()) s = MarkRestored(data_dir);
  if (!s.ok()) {  // leave the directory empty again, so a retry is possible
    for (const auto& entry : fs::directory_iterator(data_dir, ec)) fs::remove_all(entry.path(), ec);
    return s;
  }
  return manifest;
}

}  // namespace passerelle::service
