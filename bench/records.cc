// Bench node set-up and record generation (see records.h).
#include "bench/records.h"

#include <chrono>
#include <cstdio>
#include <random>

namespace passerelle::bench {

const char kMemberId[] = "bench-member";

TempDir::TempDir(const std::string& root, const std::string& name) {
  std::filesystem::path base =
      root.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(root);
  std::random_device rd;
  path_ = base / ("passerelle-bench-" + name + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string InstitutionId(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "bench-inst-%02zu", i);
  return buf;
}

std::string AgreementId(const std::string& prefix, size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "agr-%s-%08zu", prefix.c_str(), i);
  return buf;
}

std::string Words(uint64_t seed, size_t len) {
  static const char* const kWords[] = {
      "coopération", "formation",   "minière",   "qualifications", "partenariat",   "collège",
      "programme",   "compétences", "mission",   "énergie",        "développement", "secteur",
      "institut",    "échange",     "pratiques", "planification",  "besoins",       "analyse",
      "prospective", "consortium",  "entente",   "projet",         "forum",         "national"};
  std::mt19937_64 rng(seed);
  std::string out;
  out.reserve(len + 16);
  while (out.size() < len) {
    if (!out.empty()) out += ' ';
    out += kWords[rng() % std::size(kWords)];
  }
  // Cut on a character boundary (never inside a UTF-8 sequence).
  size_t cut = len;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out;
}

std::string MakePurpose(size_t i, size_t bytes) { return Words(i * 7 + 3, bytes * 6 / 10); }

nlohmann::json MakeAgreement(const std::string& id, size_t i, size_t bytes) {
  int year = 2020 + static_cast<int>(i % 8);
  char start[16], end[16];
  std::snprintf(start, sizeof start, "%04d-%02zu-01", year, 1 + i % 12);
  std::snprintf(end, sizeof end, "%04d-%02zu-28", year + 3, 1 + i % 12);
  nlohmann::json record = {
      {"id", id},
      {"title", "Entente " + Words(i, 80)},
      {"parties", {InstitutionId(i % kInstitutions), InstitutionId((i + 7) % kInstitutions)}},
      {"kind", "cooperation"},
      {"status", "active"},
      {"start_date", start},
      {"end_date", end},
      {"place", "Montréal"},
      {"place_country", "CA"},
      {"notes", {Words(i * 7 + 2, 80), Words(i * 7 + 5, 80)}},
  };
  // The purpose fills the record up to `bytes` of JSON (at least 100 characters).
  size_t fixed = record.dump().size() + std::string_view(R"(,"purpose":"")").size();
  record["purpose"] = Words(i * 7 + 1, bytes > fixed + 100 ? bytes - fixed : 100);
  return record;
}

Result<std::unique_ptr<BenchNode>> OpenBenchNode(const std::string& root, const std::string& name) {
  auto node = std::make_unique<BenchNode>(root, name);
  nlohmann::json acts_for = nlohmann::json::array();
  for (int i = 0; i < kInstitutions; ++i) acts_for.push_back(InstitutionId(i));
  nlohmann::json member = {{"id", kMemberId},
                           {"name", "Bench"},
                           {"node_address", "127.0.0.1:1"},
                           {"acts_for", acts_for}};
  nlohmann::json federation = nlohmann::json::object();
  federation["federation"] = "bench";
  federation["members"] = nlohmann::json::array({member});
  auto members = service::Members::FromJson(federation);
  if (!members.ok()) return members.status();
  node->members = std::move(members).value();
  auto store = storage::OpenRocksStore(node->dir.str(), /*sync=*/false);
  if (!store.ok()) return store.status();
  node->store = std::move(store).value();
  node->counting = std::make_unique<CountingStore>(node->store.get());
  node->service =
      std::make_unique<service::RecordService>(node->counting.get(), &node->members, kMemberId, [] {
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
      });
  PASSERELLE_RETURN_IF_ERROR(node->service->Open());
  service::Caller caller{"bench"};
  for (int i = 0; i < kInstitutions; ++i) {
    nlohmann::json inst = {{"id", InstitutionId(i)},
                           {"name", "Institution " + std::to_string(i)},
                           {"type", "college"},
                           {"country", "CA"}};
    auto created = node->service->Create("institution", std::move(inst), caller);
    if (!created.ok()) return created.status();
  }
  return node;
}

StoredSizes MeasureStoredSizes(const std::string& root, size_t json_bytes) {
  StoredSizes out;
  auto node = OpenBenchNode(root, "sizes");
  if (!node.ok()) return out;
  const std::string id = AgreementId("size", 0);
  if (!(*node)->service->Create("agreement", MakeAgreement(id, 0, json_bytes), {"bench"}).ok())
    return out;
  std::string key = "agreement", value;
  key.push_back('\0');
  if ((*node)->store->Get(storage::Column::kRecords, key + id, &value).ok())
    out.record_bytes = value.size();
  std::string origin = std::string(kMemberId) + '\0';
  for (auto it = (*node)->store->Scan(storage::Column::kOps, origin); it->Valid(); it->Next())
    out.op_bytes = it->value().size();  // the last op: the agreement's create
  return out;
}

}  // namespace passerelle::bench
