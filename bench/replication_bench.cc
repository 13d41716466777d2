// Section 6: replication (issue 3), through the real peer path: RecordServices on RocksDB,
// PeerServer (PeerService.Pull) and PeerSync over insecure gRPC channels on loopback, all
// in this process. Figures: a fresh node's catch-up on a peer's backlog (ops/s and Ed25519
// verifications) against raw RocksDB batched writes and PouchDB HTTP replication, and the
// write-to-visible latency on the third node of a chain A -> B -> C.
#include <grpcpp/grpcpp.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "bench/counting_store.h"
#include "bench/records.h"
#include "bench/sections.h"
#include "bench/timing.h"
#include "node/core/chain.h"
#include "node/core/coding.h"
#include "node/core/op.h"
#include "node/core/signing.h"
#include "node/peer/peer_server.h"
#include "node/peer/peer_sync.h"
#include "node/records/family.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "passerelle/v1/peer.grpc.pb.h"
#include "storage/kv_store.h"

#ifndef PASSERELLE_BENCH_SOURCE_DIR
#define PASSERELLE_BENCH_SOURCE_DIR "bench"
#endif
#ifndef PASSERELLE_BENCH_POUCHDB_DIR
#define PASSERELLE_BENCH_POUCHDB_DIR "bench-pouchdb"
#endif

namespace passerelle::bench {
namespace {

using json = nlohmann::json;

constexpr size_t kRecordBytes = 500;  // JSON size of a replicated record / document
constexpr char kRawBatch[] = "raw rocksdb batch 1000 x 500 B";
constexpr char kPouchDefault[] = "pouchdb http repl (default)";
constexpr char kPouchBatch[] = "pouchdb http repl (batch 1000)";
const char* const kNodeIds[] = {"bench-a", "bench-b", "bench-c"};

// CPU time of the whole process (every thread), to tell work from waiting for a core.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::KeyPair NodeKey(int node) { return core::KeyPairFromSeed(std::string(32, 'a' + node)); }

// The members every node knows: keys and institutions, no addresses (who dials whom is
// each node's PeerSync view, built once the peer ports are known). bench-a acts for
// the institutions the records name.
Result<service::Members> KeyMembers() {
  json members = json::array();
  for (int n = 0; n < 3; ++n) {
    json acts_for = json::array();
    if (n == 0)
      for (int i = 0; i < kInstitutions; ++i) acts_for.push_back(InstitutionId(i));
    members.push_back({{"id", kNodeIds[n]},
                       {"name", std::string("Bench ") + kNodeIds[n]},
                       {"acts_for", acts_for},
                       {"public_key", core::ToHex(NodeKey(n).public_key)}});
  }
  return service::Members::FromJson({{"federation", "bench"}, {"members", members}});
}

// The members view a node's PeerSync dials: `peers` maps member index -> address.
Result<std::unique_ptr<service::Members>> DialMembers(const std::map<int, std::string>& peers) {
  json members = json::array();
  for (int n = 0; n < 3; ++n) {
    auto it = peers.find(n);
    members.push_back({{"id", kNodeIds[n]}, {"node_address", it == peers.end() ? "" : it->second}});
  }
  auto m = service::Members::FromJson({{"federation", "bench"}, {"members", members}});
  if (!m.ok()) return m.status();
  return std::make_unique<service::Members>(std::move(m).value());
}

// One node; members are destroyed in reverse order: sync, server, service, store, dir.
struct ReplNode {
  ReplNode(const std::string& root, const std::string& name) : dir(root, name) {}
  TempDir dir;
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<CountingStore> counting;
  std::unique_ptr<service::RecordService> service;
  std::unique_ptr<peer::PeerServer> server;
  std::unique_ptr<service::Members> dial;
  std::unique_ptr<peer::PeerSync> sync;

  std::string address() const { return "127.0.0.1:" + std::to_string(server->port()); }
  Status Serve() {
    auto s = peer::StartPeerServer(service.get(), "127.0.0.1:0", grpc::InsecureServerCredentials());
    if (!s.ok()) return s.status();
    server = std::move(s).value();
    return Status::Ok();
  }
  Status Follow(const std::map<int, std::string>& peers) {
    auto d = DialMembers(peers);
    if (!d.ok()) return d.status();
    dial = std::move(d).value();
    peer::PeerSyncOptions options;  // empty tls: insecure channels (a bench on loopback)
    options.backoff_min_ms = 20;
    sync = std::make_unique<peer::PeerSync>(service.get(), dial.get(), options);
    return sync->Start();
  }
};

Result<std::unique_ptr<ReplNode>> OpenNode(const std::string& root, int n,
                                           const service::Members* keys) {
  auto node = std::make_unique<ReplNode>(root, std::string("repl-") + kNodeIds[n]);
  auto store = storage::OpenRocksStore(node->dir.str(), /*sync=*/false);
  if (!store.ok()) return store.status();
  node->store = std::move(store).value();
  node->counting = std::make_unique<CountingStore>(node->store.get());
  node->service =
      std::make_unique<service::RecordService>(node->counting.get(), keys, kNodeIds[n], WallMs);
  PASSERELLE_RETURN_IF_ERROR(node->service->Open());
  node->service->SetSigningKey(NodeKey(n));
  return node;
}

// Creates the institutions and `records` agreements of ~kRecordBytes on node A.
Status Populate(service::RecordService* a, size_t records) {
  service::Caller caller{"bench"};
  for (int i = 0; i < kInstitutions; ++i) {
    json inst = {{"id", InstitutionId(i)},
                 {"name", "Institution " + std::to_string(i)},
                 {"type", "college"},
                 {"country", "CA"}};
    auto created = a->Create("institution", std::move(inst), caller);
    if (!created.ok()) return created.status();
  }
  for (size_t i = 0; i < records; ++i) {
    auto created =
        a->Create("agreement", MakeAgreement(AgreementId("repl", i), i, kRecordBytes), caller);
    if (!created.ok()) return created.status();
  }
  return Status::Ok();
}

uint64_t TotalOps(const std::map<std::string, uint64_t>& vv) {
  uint64_t total = 0;
  for (const auto& [origin, seq] : vv) total += seq;
  return total;
}

// Waits until `node`'s version vector reaches `want` (every origin at least as far).
bool WaitForVector(const service::RecordService& node, const std::map<std::string, uint64_t>& want,
                   std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    uint64_t generation = node.Generation();
    auto have = node.VersionVector();
    bool done = true;
    for (const auto& [origin, seq] : want) done &= have[origin] >= seq;
    if (done) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    node.WaitForChange(generation, static_cast<int>(std::min<int64_t>(left, 100)));
  }
}

// ---- Baseline A: raw RocksDB batched writes, options as storage/rocks_store.cc ----

double RawBatchedRate(const Config& config, size_t n, size_t* errors) {
  TempDir dir(config.tmp_root, "repl-raw");
  rocksdb::Options options;
  options.create_if_missing = true;
  options.IncreaseParallelism(2);
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir.str(), &raw).ok()) {
    ++*errors;
    return 0;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string text = Words(42, 1 << 20);
  rocksdb::WriteOptions wo;
  wo.sync = false;  // WAL on, no fsync: as the store
  Stopwatch watch;
  for (size_t b = 0; b * 1000 < n; ++b) {
    rocksdb::WriteBatch batch;
    for (size_t i = b * 1000; i < std::min(n, (b + 1) * 1000); ++i) {
      std::string key = "agreement";
      key.push_back('\0');
      batch.Put(
          key + AgreementId("raw", i),
          rocksdb::Slice(text.data() + (i * 7919) % (text.size() - kRecordBytes), kRecordBytes));
    }
    if (!db->Write(wo, &batch).ok()) ++*errors;
  }
  return n / watch.Seconds();
}

// ---- Figure 1: catch-up ----

struct CatchUp {
  uint64_t ops = 0;
  double seconds = 0;
  uint64_t verifications = 0;
  double cpu_seconds = 0;  // both nodes, every thread
  size_t errors = 0;
};

// What serving alone costs: a client that drains A's backlog through PeerService.Pull
// without applying it (diagnostic, printed on stderr).
void PrintServeRate(const std::string& address, uint64_t ops) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto stub = v1::PeerService::NewStub(channel);
  grpc::ClientContext ctx;
  v1::PullRequest request;
  request.set_member_id(kNodeIds[1]);
  Stopwatch watch;
  auto reader = stub->Pull(&ctx, request);
  v1::OpBatch batch;
  uint64_t got = 0, batches = 0;
  while (reader->Read(&batch)) {
    got += batch.ops_size();
    ++batches;
  }
  auto status = reader->Finish();
  char line[200];
  std::snprintf(
      line, sizeof line,
      "  serving alone (Pull drained, not applied): %s ops/s, %llu ops in %llu batches%s\n",
      FormatValue(got / watch.Seconds()).c_str(), static_cast<unsigned long long>(got),
      static_cast<unsigned long long>(batches), status.ok() && got == ops ? "" : " (INCOMPLETE)");
  std::cerr << line;
}

// Where a catch-up's time goes (stderr): each piece of the serve and apply paths timed
// alone, single-threaded, on A's ops, in microseconds per op.
void PrintBreakdown(const Config& config, const service::Members& keys,
                    service::RecordService* a) {
  std::vector<std::vector<core::Op>> batches;
  size_t n = 0;
  Stopwatch read;
  for (const auto& [origin, seq] : a->VersionVector()) {
    for (uint64_t after = 0; after < seq;) {
      auto ops = a->OpsForPeer(origin, after, peer::kMaxBatchOps);
      if (!ops.ok() || ops->empty()) break;
      after = ops->back().seq;
      n += ops->size();
      batches.push_back(std::move(ops).value());
    }
  }
  double t_read = read.Seconds();
  std::vector<std::string> wire;
  wire.reserve(n);
  Stopwatch encode;
  for (const auto& batch : batches)
    for (const auto& op : batch) wire.push_back(core::EncodeOp(op));
  double t_encode = encode.Seconds();
  size_t wire_bytes = 0, bad = 0;
  Stopwatch decode;
  for (const auto& bytes : wire) {
    wire_bytes += bytes.size();
    bad += !core::DecodeOp(bytes).ok();
  }
  double t_decode = decode.Seconds();
  Stopwatch validate;
  for (const auto& batch : batches)
    for (const auto& op : batch) {
      if (op.type != core::OpType::kCreate) continue;
      std::vector<records::Reference> refs;
      bad += !records::Validate(*records::FindFamily(op.kind), service::ContentFields(op.fields), &refs).ok();
    }
  double t_validate = validate.Seconds();
  std::string key;
  core::FromHex(keys.Find(kNodeIds[0])->public_key, &key);
  core::ChainHead head;
  Stopwatch check;
  for (const auto& batch : batches) {
    bad += core::CheckBatch(kNodeIds[0], key, head, batch, core::MakeHlc(WallMs(), 0), 60'000).refusal !=
           core::Refusal::kNone;
    head = {batch.back().seq, core::OpHash(batch.back())};
  }
  double t_check = check.Seconds();
  double t_apply = 0;
  if (auto fresh = OpenNode(config.tmp_root, 2, &keys); fresh.ok()) {
    Stopwatch apply;
    for (const auto& batch : batches)
      bad += (*fresh)->service->ApplyPeerBatch(batch).refusal != core::Refusal::kNone;
    t_apply = apply.Seconds();
  } else {
    ++bad;
  }
  auto us = [n](double seconds) { return seconds * 1e6 / std::max<size_t>(n, 1); };
  char line[512];
  std::snprintf(line, sizeof line,
                "  breakdown, us per op (%zu ops, %zu B each on the wire%s):\n"
                "    serve: OpsForPeer (RocksDB scan + DecodeOp) %.1f, EncodeOp %.1f\n"
                "    apply: DecodeOp %.1f, ApplyPeerBatch %.1f = Validate %.1f + CheckBatch %.1f"
                " (OpHash per op, 1 verify per batch) + store commit %.1f\n",
                n, wire_bytes / std::max<size_t>(n, 1), bad ? ", SOME FAILED" : "", us(t_read),
                us(t_encode), us(t_decode), us(t_apply), us(t_validate), us(t_check),
                us(t_apply - t_validate - t_check));
  std::cerr << line;
}

CatchUp RunCatchUp(const Config& config, const service::Members& keys, size_t records) {
  CatchUp out;
  auto fail = [&](const std::string& what) {
    std::cerr << "  catch-up: " << what << "\n";
    ++out.errors;
    return out;
  };
  auto a = OpenNode(config.tmp_root, 0, &keys);
  if (!a.ok()) return fail("open A: " + a.status().ToString());
  Stopwatch fill;
  if (auto s = Populate((*a)->service.get(), records); !s.ok())
    return fail("populate A: " + s.ToString());
  auto want = (*a)->service->VersionVector();
  out.ops = TotalOps(want);
  std::cerr << "  A wrote " << out.ops << " ops (local creates) in " << FormatValue(fill.Seconds())
            << " s\n";
  if (auto s = (*a)->Serve(); !s.ok()) return fail("serve A: " + s.ToString());

  auto b = OpenNode(config.tmp_root, 1, &keys);
  if (!b.ok()) return fail("open B: " + b.status().ToString());
  KvCounts before = (*b)->counting->counts();
  uint64_t generation = (*b)->service->Generation();
  double cpu0 = CpuSeconds();
  Stopwatch watch;
  if (auto s = (*b)->Follow({{0, (*a)->address()}}); !s.ok())
    return fail("start B's sync: " + s.ToString());
  bool done = WaitForVector(*(*b)->service, want,
                            std::chrono::steady_clock::now() + std::chrono::minutes(10));
  out.seconds = watch.Seconds();
  out.cpu_seconds = CpuSeconds() - cpu0;
  // Every batch B stored went through one CheckBatch, i.e. one Ed25519 verification,
  // and one commit (one generation); nothing else writes to B.
  out.verifications = (*b)->service->Generation() - generation;
  (*b)->sync->Stop();
  if (!done) return fail("B did not catch up within 10 minutes");
  KvCounts after = (*b)->counting->counts();
  char line[256];
  std::snprintf(line, sizeof line,
                "  B's store per op: %.2f gets, %.3f batches, %.1f entries, %.0f B written\n",
                double(after.gets - before.gets) / out.ops,
                double(after.writes - before.writes) / out.ops,
                double(after.entries - before.entries) / out.ops,
                double(after.bytes - before.bytes) / out.ops);
  std::cerr << line;
  std::snprintf(line, sizeof line, "  catch-up took %.2f s, %.2f s of CPU (A and B): %s ops per CPU-second\n",
                out.seconds, out.cpu_seconds, FormatValue(out.ops / out.cpu_seconds).c_str());
  std::cerr << line;
  auto da = (*a)->service->Digest(), db = (*b)->service->Digest();
  if (!da.ok() || !db.ok() || *da != *db) return fail("A and B digests differ");
  PrintServeRate((*a)->address(), out.ops);
  PrintBreakdown(config, keys, (*a)->service.get());
  return out;
}

// ---- Baseline B: PouchDB over HTTP (node.js, installed from npm into the build tree) ----

struct Pouch {
  std::optional<double> rate;  // docs/s
  std::string why;             // when unavailable
};

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command, returning its exit status and standard output.
int Run(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, pipe)) > 0) out->append(buf, got);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Installs bench/pouchdb/package.json's dependencies into the build tree unless the
// same package.json is installed there already. Returns "" or why it failed.
std::string InstallPouchDb(const std::filesystem::path& dir, bool quick) {
  std::string ignored;
  if (Run("command -v node >/dev/null && command -v npm >/dev/null", &ignored) != 0)
    return "node or npm not installed";
  std::filesystem::path source = std::filesystem::path(PASSERELLE_BENCH_SOURCE_DIR) / "pouchdb";
  std::string manifest = ReadFile(source / "package.json");
  if (manifest.empty()) return "cannot read " + (source / "package.json").string();
  std::filesystem::path marker = dir / "node_modules" / ".passerelle-installed";
  if (ReadFile(marker) == manifest) return "";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::ofstream(dir / "package.json") << manifest;
  std::cerr << "  npm install into " << dir.string() << " ...\n";
  Stopwatch watch;
  std::string log = (dir / "npm-install.log").string();
  int rc = Run("cd " + Quote(dir.string()) + " && timeout " + (quick ? "90" : "300") +
                   " npm install --no-audit --no-fund --loglevel=error >" + Quote(log) + " 2>&1",
               &ignored);
  if (rc != 0) return "npm install failed (exit " + std::to_string(rc) + "; see " + log + ")";
  std::ofstream(marker) << manifest;
  std::cerr << "  npm install took " << FormatValue(watch.Seconds()) << " s\n";
  return "";
}

Pouch RunPouchDb(const std::filesystem::path& dir, size_t docs, size_t batch_size, bool quick) {
  std::string script =
      (std::filesystem::path(PASSERELLE_BENCH_SOURCE_DIR) / "pouchdb" / "replicate.js").string();
  std::string command = "NODE_PATH=" + Quote((dir / "node_modules").string()) + " timeout " +
                        (quick ? "300" : "1200") + " node " + Quote(script) + " --docs " +
                        std::to_string(docs) + " --bytes " + std::to_string(kRecordBytes);
  if (batch_size > 0) command += " --batch-size " + std::to_string(batch_size);
  std::string out;
  int rc = Run(command + " 2>" + Quote((dir / "replicate.err").string()), &out);
  if (rc != 0)
    return {std::nullopt, "replicate.js failed (exit " + std::to_string(rc) + "; see " +
                              (dir / "replicate.err").string() + ")"};
  json j = json::parse(out, nullptr, false);
  if (!j.is_object() || !j.contains("docs_per_s") || !j["docs_per_s"].is_number())
    return {std::nullopt, "replicate.js printed no figure: " + out.substr(0, 200)};
  std::cerr << "  pouchdb" << (batch_size ? " batch_size " + std::to_string(batch_size) : "")
            << ": " << out;
  return {j["docs_per_s"].get<double>(), ""};
}

// ---- Figure 3: write-to-visible latency on C in A -> B -> C ----

struct Latency {
  std::vector<double> ms;
  size_t errors = 0;
};

Latency RunChain(const Config& config, const service::Members& keys, size_t samples) {
  Latency out;
  auto fail = [&](const std::string& what) {
    std::cerr << "  chain: " << what << "\n";
    ++out.errors;
    return out;
  };
  std::unique_ptr<ReplNode> nodes[3];
  for (int n = 0; n < 3; ++n) {
    auto node = OpenNode(config.tmp_root, n, &keys);
    if (!node.ok()) return fail("open node: " + node.status().ToString());
    nodes[n] = std::move(node).value();
  }
  ReplNode &a = *nodes[0], &b = *nodes[1], &c = *nodes[2];
  constexpr size_t kRecords = 100, kWarmUp = 20;
  if (auto s = Populate(a.service.get(), kRecords); !s.ok())
    return fail("populate A: " + s.ToString());
  if (auto s = a.Serve(); !s.ok()) return fail("serve A: " + s.ToString());
  if (auto s = b.Serve(); !s.ok()) return fail("serve B: " + s.ToString());
  // B pulls from A only, C from B only: A and C never talk.
  if (auto s = b.Follow({{0, a.address()}}); !s.ok())
    return fail("start B's sync: " + s.ToString());
  if (auto s = c.Follow({{1, b.address()}}); !s.ok())
    return fail("start C's sync: " + s.ToString());
  auto deadline = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(30); };
  if (!WaitForVector(*c.service, a.service->VersionVector(), deadline()))
    return fail("C did not receive A's records through B");

  service::Caller caller{"bench"};
  std::vector<std::string> purposes(samples + kWarmUp);
  for (size_t i = 0; i < purposes.size(); ++i) purposes[i] = Words(1000 + i, 300);
  for (size_t i = 0; i < purposes.size(); ++i) {
    service::UpdateRequest update;
    update.patch = {{"purpose", purposes[i]}};
    std::string id = AgreementId("repl", i % kRecords);
    Stopwatch watch;
    auto updated = a.service->Update("agreement", id, update, caller);
    if (!updated.ok()) return fail("update on A: " + updated.status().ToString());
    auto want = a.service->VersionVector();
    if (!WaitForVector(*c.service, want, deadline())) return fail("write not visible on C");
    double ms = watch.Millis();
    if (i >= kWarmUp) out.ms.push_back(ms);
  }
  // Visible means readable: C's copies of the last records carry the last writes.
  for (size_t i = purposes.size() - std::min(kRecords, purposes.size()); i < purposes.size(); ++i) {
    auto record = c.service->Get("agreement", AgreementId("repl", i % kRecords));
    if (!record.ok() || record->value("purpose", "") != purposes[i]) {
      std::cerr << "  chain: C's copy of " << AgreementId("repl", i % kRecords) << " is stale\n";
      ++out.errors;
      break;
    }
  }
  auto da = a.service->Digest(), dc = c.service->Digest();
  if (!da.ok() || !dc.ok() || *da != *dc) fail("A and C digests differ");
  return out;
}

}  // namespace

void RunReplication(const Config& config, Report* report) {
  const size_t records = config.quick ? 10'000 : 100'000;
  const size_t samples = config.quick ? 200 : 1000;
  auto keys = KeyMembers();
  if (!keys.ok()) {
    std::cerr << "replication: members: " << keys.status().ToString() << "\n";
    report->Value("catch-up (members)", 0, "ops/s", 1);
    return;
  }

  std::cerr << "[replication] raw RocksDB batches of 1000 x " << kRecordBytes << " B, " << records
            << " puts\n";
  size_t raw_errors = 0;
  double raw = RawBatchedRate(config, records, &raw_errors);

  std::cerr << "      catch-up: fresh node B pulls ~" << records << " ops from A (PeerSync)\n";
  CatchUp catchup = RunCatchUp(config, keys.value(), records);
  double catchup_rate = catchup.seconds > 0 ? catchup.ops / catchup.seconds : 0;

  std::cerr << "      PouchDB: " << records << " docs of ~" << kRecordBytes
            << " B replicated over HTTP on loopback\n";
  std::filesystem::path pouch_dir = PASSERELLE_BENCH_POUCHDB_DIR;
  std::string why = config.pouchdb ? InstallPouchDb(pouch_dir, config.quick) : "--no-pouchdb";
  Pouch pouch_default{std::nullopt, why}, pouch_batch{std::nullopt, why};
  if (why.empty()) {
    pouch_default = RunPouchDb(pouch_dir, records, 0, config.quick);
    pouch_batch = RunPouchDb(pouch_dir, records, 1000, config.quick);
  }

  std::cerr << "      chain A -> B -> C: " << samples << " writes on A, each awaited on C\n";
  Latency latency = RunChain(config, keys.value(), samples);

  report->Value(kRawBatch, raw, "puts/s", raw_errors);
  std::string catchup_name = "catch-up " + FormatValue(static_cast<double>(catchup.ops)) + " ops";
  report->Ratio(catchup_name, catchup_rate, "ops/s", kRawBatch, 0.40, catchup.errors);
  report->Value("catch-up: signatures verified", static_cast<double>(catchup.verifications),
                "sigs");
  for (const auto& [name, result] :
       {std::pair{kPouchDefault, &pouch_default}, std::pair{kPouchBatch, &pouch_batch}}) {
    if (!result->rate) {
      std::cerr << "  " << name << ": unavailable: " << result->why << "\n";
      std::cout << name << ": unavailable: " << result->why << "\n";
      continue;
    }
    report->Value(name, *result->rate, "docs/s");
    report->Ratio(result == &pouch_default ? "catch-up vs pouchdb (default)"
                                           : "catch-up vs pouchdb (batch 1000)",
                  catchup_rate, "ops/s", name, 20.0, catchup.errors);
  }
  Figure p50, p99;
  p50.name = "A->B->C write-to-visible p50";
  p50.value = Percentile(&latency.ms, 0.50);
  p50.unit = "ms";
  p50.errors = latency.errors;
  report->Add(p50);
  p99.name = "A->B->C write-to-visible p99";
  p99.value = Percentile(&latency.ms, 0.99);
  p99.unit = "ms";
  p99.target = TargetKind::kValueBelow;
  p99.target_value = 20;
  p99.errors = latency.errors;
  report->Add(p99);
}

}  // namespace passerelle::bench
