#include "storage/kv_store.h"
#include "tests/test_util.h"

using namespace passerelle;
using namespace passerelle::storage;
using passerelle::testing::TempDir;

namespace {

std::vector<std::string> Keys(const KvStore& kv, Column c, std::string_view prefix,
                              std::string_view start = {}) {
  std::vector<std::string> keys;
  for (auto it = kv.Scan(c, prefix, start); it->Valid(); it->Next()) keys.emplace_back(it->key());
  return keys;
}

void Exercise(KvStore* kv) {
  std::string v;
  CHECK(kv->Get(Column::kRecords, "missing", &v).code() == Code::kNotFound);
  WriteBatch b;
  b.Put(Column::kRecords, "agreement/a", "1");
  b.Put(Column::kRecords, "agreement/b", "2");
  b.Put(Column::kRecords, "forum/a", "3");
  b.Put(Column::kIndex, "agreement/a", "other column");
  REQUIRE_OK(kv->Write(b));
  REQUIRE_OK(kv->Get(Column::kRecords, "agreement/b", &v));
  CHECK(v == "2");
  CHECK(Keys(*kv, Column::kRecords, "agreement/") == std::vector<std::string>{"agreement/a", "agreement/b"});
  CHECK(Keys(*kv, Column::kRecords, "agreement/", "agreement/a\x01") == std::vector<std::string>{"agreement/b"});
  CHECK(Keys(*kv, Column::kIndex, "") == std::vector<std::string>{"agreement/a"});
  WriteBatch del;
  del.Delete(Column::kRecords, "agreement/a");
  del.Put(Column::kRecords, "agreement/c", "4");
  REQUIRE_OK(kv->Write(del));
  CHECK(Keys(*kv, Column::kRecords, "agreement/") == std::vector<std::string>{"agreement/b", "agreement/c"});

  // Last: the greatest key of a prefix, also when the next key up begins with 0xff
  // bytes or the prefix ends with them.
  WriteBatch edge;
  edge.Put(Column::kOps, std::string("org\0\x01", 5), "one");
  edge.Put(Column::kOps, std::string("org\0\xff\xff", 6), "last");
  edge.Put(Column::kOps, std::string("org\x01", 4), "next origin");
  edge.Put(Column::kOps, std::string("z\xff\xff\x01", 4), "all-ff prefix");
  REQUIRE_OK(kv->Write(edge));
  std::string key;
  REQUIRE_OK(kv->Last(Column::kOps, std::string("org\0", 4), &key, &v));
  CHECK(key == std::string("org\0\xff\xff", 6));
  CHECK(v == "last");
  REQUIRE_OK(kv->Last(Column::kOps, "z\xff\xff", &key, &v));
  CHECK(v == "all-ff prefix");
  CHECK(kv->Last(Column::kOps, "orh", &key, &v).code() == Code::kNotFound);
  CHECK(kv->Last(Column::kOps, std::string("org\0\x02", 5), &key, &v).code() == Code::kNotFound);
  CHECK(kv->Last(Column::kMeta, "org", &key, &v).code() == Code::kNotFound);
}

}  // namespace

TEST_CASE("KvStore: RocksDB and the in-memory twin behave alike", "[storage]") {
  TempDir dir;
  auto rocks = OpenRocksStore(dir.str());
  REQUIRE_OK(rocks);
  Exercise(rocks->get());
  auto mem = NewMemStore();
  Exercise(mem.get());
}

TEST_CASE("KvStore: a reopened RocksDB store has exactly the acknowledged writes", "[storage]") {
  TempDir dir;
  {
    auto kv = OpenRocksStore(dir.str());
    REQUIRE_OK(kv);
    for (int i = 0; i < 1000; ++i) {
      WriteBatch b;
      b.Put(Column::kOps, "op" + std::to_string(i), std::string(100, 'x'));
      b.Put(Column::kMeta, "head", std::to_string(i));
      REQUIRE_OK((*kv)->Write(b));
    }
  }  // closed without flush: the WAL holds everything
  auto kv = OpenRocksStore(dir.str());
  REQUIRE_OK(kv);
  std::string head;
  REQUIRE_OK((*kv)->Get(Column::kMeta, "head", &head));
  CHECK(head == "999");
  CHECK(Keys(**kv, Column::kOps, "op").size() == 1000);
}

TEST_CASE("KvStore: a second process-level open of the same directory is refused clearly", "[storage]") {
  TempDir dir;
  auto first = OpenRocksStore(dir.str());
  REQUIRE_OK(first);
  auto second = OpenRocksStore(dir.str());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Code::kFailedPrecondition);
  CHECK(second.status().message().find("in use") != std::string::npos);
}
