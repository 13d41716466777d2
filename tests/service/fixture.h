// A RecordService over a real RocksDB store in a temporary directory, for one member
// of a small federation, with a controllable clock.
#pragma once

#include <memory>

#include "node/service/members.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"
#include "tests/test_util.h"

namespace passerelle::testing {

inline service::Members TestMembers() {
  auto m = service::Members::FromJson(nlohmann::json::parse(R"({
    "federation": "test",
    "members": [
      {"id": "quebec-consortium", "name": "Consortium", "node_address": "127.0.0.1:1",
       "acts_for": ["cegep-abitibi-temiscamingue", "cegep-thetford", "cegep-sept-iles", "inmq"]},
      {"id": "morocco", "name": "Maroc", "node_address": "127.0.0.1:2",
       "acts_for": ["maroc-ministere-energie-mines"]}
    ]})"));
  REQUIRE(m.ok());
  return std::move(m).value();
}

struct ServiceFixture {
  explicit ServiceFixture(std::string member = "quebec-consortium") : member_id(std::move(member)) {
    Reopen();
  }
  void Reopen() {
    service.reset();
    store.reset();
    auto s = storage::OpenRocksStore(dir.str());
    REQUIRE(s.ok());
    store = std::move(s).value();
    service = std::make_unique<service::RecordService>(store.get(), &members, member_id,
                                                       [this] { return now_ms; });
    REQUIRE(service->Open().ok());
  }
  TempDir dir;
  service::Members members = TestMembers();
  std::string member_id;
  uint64_t now_ms = 1'700'000'000'000;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<service::RecordService> service;
  service::Caller caller{"alice"};
};

// A store whose writes fail while `fail` is set (a full disk), or from the
// `fail_from`-th write on (a crash midway: that write and all after it are lost).
class FailingWrites : public storage::KvStore {
 public:
  explicit FailingWrites(storage::KvStore* kv) : kv_(kv) {}
  Status Get(storage::Column c, std::string_view key, std::string* value) const override {
    return kv_->Get(c, key, value);
  }
  Status Write(const storage::WriteBatch& batch) override {
    if (fail || (fail_from > 0 && ++writes >= fail_from))
      return Status::Internal("rocksdb: IO error: No space left on device");
    return kv_->Write(batch);
  }
  std::unique_ptr<storage::Iterator> Scan(storage::Column c, std::string_view prefix,
                                          std::string_view start) const override {
    return kv_->Scan(c, prefix, start);
  }
  Status Last(storage::Column c, std::string_view prefix, std::string* key, std::string* value) const override {
    return kv_->Last(c, prefix, key, value);
  }
  bool fail = false;
  int fail_from = 0;
  int writes = 0;

 private:
  storage::KvStore* kv_;
};

// Applies to `to` every op `from` holds and `to` lacks, as a peer's pull would; none may
// be refused.
inline void SyncPeers(service::RecordService& from, service::RecordService& to) {
  for (const auto& [origin, seq] : from.VersionVector()) {
    uint64_t have = to.VersionVector()[origin];
    if (have >= seq) continue;
    auto r = to.ApplyPeerBatch(from.OpsForPeer(origin, have, 1000).value());
    REQUIRE(r.refusal == core::Refusal::kNone);
    REQUIRE(r.local_error.ok());
  }
}

inline nlohmann::json Institution(const std::string& id, const std::string& country = "CA") {
  return {{"id", id}, {"name", "Institution " + id}, {"type", "college"}, {"country", country}};
}

}  // namespace passerelle::testing
