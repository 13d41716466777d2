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
