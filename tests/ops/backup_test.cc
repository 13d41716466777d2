// Backups on a real RocksDB store: a backup taken while another thread writes is a
// consistent point (its restored copy has the manifest's version vector and digest, and
// holds exactly the writes acknowledged before it); restore refuses a non-empty target
// and a newer format; a data directory newer than the binary is refused.
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "node/service/backup.h"
#include "node/service/keys.h"
#include "tests/service/fixture.h"

using namespace passerelle;
using namespace passerelle::testing;

TEST_CASE("Backup: taken during a stream of writes, restored: equal to the source at the backup point",
          "[ops][backup]") {
  ServiceFixture f;
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::string writer_error;  // the writer thread's first failure, asserted on this thread
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto r = f.service->Create("institutions", Institution("inmq-b" + std::to_string(i)), f.caller);
      if (!r.ok()) {
        writer_error = r.status().ToString();
        stop = true;
        return;
      }
      ++written;
    }
  });
  // Waits for `n` writes, or for the writer to stop or a minute to pass.
  auto wait_for_writes = [&](int n) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (written < n && !stop && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling a condition, with a deadline
    return written >= n;
  };
  bool started = wait_for_writes(200);
  TempDir out;
  const std::string backup = out.str() + "/backup-1";
  auto manifest = service::TakeBackup(f.service.get(), backup, 1234);
  const int at_backup = written.load();
  bool kept_serving = wait_for_writes(at_backup + 200);  // the node keeps serving
  stop = true;
  writer.join();
  CHECK(writer_error.empty());
  REQUIRE(started);
  CHECK(kept_serving);
  REQUIRE_OK(manifest);
  CHECK(manifest->member_id == "quebec-consortium");
  CHECK(manifest->format_version == service::keys::kFormatVersion);
  const uint64_t seq = manifest->version_vector.at("quebec-consortium");
  CHECK(seq >= 200);
  CHECK(seq < f.service->VersionVector().at("quebec-consortium"));

  const std::string restored = out.str() + "/restored";
  auto m2 = service::RestoreBackup(backup, restored);
  REQUIRE_OK(m2);
  // Open the copy: same version vector and digest as the manifest says the source had.
  auto store = storage::OpenRocksStore(restored);
  REQUIRE_OK(store);
  service::RecordService copy(store->get(), &f.members, "quebec-consortium", [] { return uint64_t{1}; });
  REQUIRE_OK(copy.Open());
  CHECK(copy.VersionVector() == manifest->version_vector);
  auto digest = copy.Digest();
  REQUIRE_OK(digest);
  CHECK(core::ToHex(*digest) == manifest->digest);
  // Exactly the records of ops 1..seq: the last one before the backup is there, the next is not.
  CHECK(copy.Get("institutions", "inmq-b" + std::to_string(seq - 1)).ok());
  CHECK(copy.Get("institutions", "inmq-b" + std::to_string(seq)).status().code() == Code::kNotFound);
}

TEST_CASE("Backup: restore refuses a non-empty target, a newer format and a non-backup", "[ops][backup]") {
  ServiceFixture f;
  REQUIRE_OK(f.service->Create("institutions", Institution("inmq-x"), f.caller));
  TempDir out;
  const std::string backup = out.str() + "/b";
  REQUIRE_OK(service::TakeBackup(f.service.get(), backup, 1));
  CHECK(service::TakeBackup(f.service.get(), backup, 1).status().code() == Code::kAlreadyExists);
  CHECK(service::TakeBackup(f.service.get(), "relative/dir", 1).status().field() == "dir");

  const std::string busy = out.str() + "/busy";
  std::filesystem::create_directories(busy);
  std::ofstream(busy + "/something") << "x";
  auto s = service::RestoreBackup(backup, busy);
  CHECK(s.status().code() == Code::kFailedPrecondition);
  CHECK(s.status().field() == "data_dir");
  CHECK(s.status().message().find(busy) != std::string::npos);

  auto m = service::ReadBackupManifest(backup);
  REQUIRE_OK(m);
  m->format_version = service::keys::kFormatVersion + 1;
  std::ofstream(backup + "/backup.json") << m->ToJson().dump();
  s = service::RestoreBackup(backup, out.str() + "/new");
  CHECK(s.status().code() == Code::kFailedPrecondition);
  CHECK(s.status().message().find("newer passerelle") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out.str() + "/new"));

  CHECK(service::RestoreBackup(out.str() + "/nothing", out.str() + "/new2").status().code() ==
        Code::kNotFound);
}

TEST_CASE("Backup: a data directory written by a newer passerelle is refused, naming both formats",
          "[ops][lifecycle]") {
  ServiceFixture f;
  storage::WriteBatch b;
  b.Put(storage::Column::kMeta, std::string(service::keys::kFormat),
        std::to_string(service::keys::kFormatVersion + 1));
  REQUIRE_OK(f.store->Write(b));
  service::RecordService again(f.store.get(), &f.members, f.member_id, [] { return uint64_t{1}; });
  Status s = again.Open();
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(s.message().find("format " + std::to_string(service::keys::kFormatVersion + 1)) != std::string::npos);
  CHECK(s.message().find("upgrade passerelle") != std::string::npos);
}

TEST_CASE("Backup: a second open of a data directory is refused, naming the directory", "[ops][lifecycle]") {
  ServiceFixture f;
  auto second = storage::OpenRocksStore(f.dir.str());
  CHECK(second.status().code() == Code::kFailedPrecondition);
  CHECK(second.status().message().find(f.dir.str()) != std::string::npos);
  CHECK(second.status().message().find("in use by another passerelle process") != std::string::npos);
}
