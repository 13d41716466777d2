// Section 6: replication (issue 3), through the real peer path: RecordServices on RocksDB,
// PeerServer (PeerService.Pull) and PeerSync over insecure gRPC channels on loopback, all
// in this process (repl_nodes.h). Figures: a fresh node's catch-up on a peer's backlog
// (ops/s, Ed25519 verifications) against raw RocksDB batched writes and PouchDB HTTP
// replication, and the write-to-visible latency on the third node of a chain A -> B -> C.
// Diagnostics (where the catch-up's time goes) go to stderr.
#include <grpcpp/grpcpp.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "bench/pouchdb_baseline.h"
#include "bench/repl_nodes.h"
#include "bench/sections.h"
#include "bench/shaped_writes.h"
#include "bench/timing.h"
#include "node/core/chain.h"
#include "node/core/op.h"
#include "node/core/signing.h"
#include "node/records/family.h"
#include "passerelle/v1/peer.grpc.pb.h"

#ifndef PASSERELLE_BENCH_POUCHDB_DIR  // set by bench/CMakeLists.txt (in the build tree)
#define PASSERELLE_BENCH_POUCHDB_DIR "bench-pouchdb"
#endif

namespace passerelle::bench {
namespace {

// Figure names that serve as baselines (the table's baseline column is 22 wide).
constexpr char kPouchDefault[] = "pouchdb (default)";
constexpr char kPouchBatch[] = "pouchdb (batch 1000)";
constexpr char kCatchUpShaped[] = "raw catch-up batches";

// CPU time of the whole process (every thread), to tell work from waiting for a core.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Baseline A: `n` puts of `value_bytes` (the size of a replicated op as stored, measured
// in this run) in WriteBatches of 1000, WAL on, no fsync, with the options
// storage/rocks_store.cc uses. Returns puts/s.
double RawBatchedRate(const Config& config, size_t n, size_t value_bytes, size_t* errors) {
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
  wo.sync = false;
  Stopwatch watch;
  for (size_t b = 0; b * 1000 < n; ++b) {
    rocksdb::WriteBatch batch;
    for (size_t i = b * 1000; i < std::min(n, (b + 1) * 1000); ++i) {
      std::string key = "agreement";
      key.push_back('\0');
      size_t offset = (i * 7919) % (text.size() - value_bytes);
      batch.Put(key + AgreementId("raw", i),
                rocksdb::Slice(text.data() + offset, value_bytes));
    }
    if (!db->Write(wo, &batch).ok()) ++*errors;
  }
  return n / watch.Seconds();
}

// ---- Figure 1: catch-up ----

struct CatchUp {
  uint64_t ops = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // both nodes, every thread
  uint64_t verifications = 0;
  size_t errors = 0;
  BatchShape largest_batch;  // of B's writes
  double entries_per_op = 0;
};

// Serving alone: a client drains A's backlog through PeerService.Pull without applying it.
void PrintServeRate(const std::string& address, uint64_t ops) {
  auto stub =
      v1::PeerService::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  v1::PullRequest request;
  request.set_member_id(kReplNodeIds[1]);
  Stopwatch watch;
  auto reader = stub->Pull(&ctx, request);
  v1::OpBatch batch;
  uint64_t got = 0;
  while (reader->Read(&batch)) got += batch.ops_size();
  bool ok = reader->Finish().ok() && got == ops;
  std::cerr << "  serving alone (Pull drained by a client, not applied): "
            << FormatValue(got / watch.Seconds()) << " ops/s" << (ok ? "" : " (INCOMPLETE)")
            << "\n";
}

// Where a catch-up's time goes: each piece of the serve and apply paths timed alone,
// single-threaded, on A's ops, in microseconds per op.
void PrintBreakdown(const Config& config, const service::Members& keys, service::RecordService* a) {
  std::vector<std::vector<std::string>> batches;  // encoded, as served
  size_t n = 0, bad = 0;
  Stopwatch read;
  for (const auto& [origin, seq] : a->VersionVector()) {
    for (uint64_t after = 0; after < seq;) {
      auto ops = a->OpsForPeer(origin, after, peer::kMaxBatchOps);
      if (!ops.ok() || ops->empty()) break;
      after += ops->size();
      n += ops->size();
      batches.push_back(std::move(ops).value());
    }
  }
  double t_read = read.Seconds();
  double t_encode = 0;  // ops are served as stored: nothing is re-encoded
  size_t wire_bytes = 0;
  std::vector<std::vector<core::Op>> decoded(batches.size());
  std::vector<std::vector<std::string>> hashes(batches.size());
  Stopwatch decode;
  for (size_t b = 0; b < batches.size(); ++b)
    for (const auto& bytes : batches[b]) {
      wire_bytes += bytes.size();
      std::string hash;
      auto op = core::DecodeOp(bytes, &hash);
      bad += !op.ok();
      if (op.ok()) decoded[b].push_back(std::move(op).value()), hashes[b].push_back(hash);
    }
  double t_decode = decode.Seconds();
  Stopwatch validate;  // what ApplyPeerBatch checks on each create before storing
  for (const auto& batch : decoded) {
    for (const auto& op : batch) {
      if (op.type != core::OpType::kCreate) continue;
      std::vector<records::Reference> refs;
      auto content = service::ContentFields(op.fields);
      bad += !records::Validate(*records::FindFamily(op.kind), content, &refs).ok();
    }
  }
  double t_validate = validate.Seconds();
  std::string key;
  core::FromHex(keys.Find(kReplNodeIds[0])->public_key, &key);
  core::ChainHead head;
  Stopwatch check;
  for (size_t b = 0; b < decoded.size(); ++b) {
    auto result = core::CheckBatch(kReplNodeIds[0], key, head, decoded[b],
                                   core::MakeHlc(WallMs(), 0), 60'000, &hashes[b]);
    bad += result.refusal != core::Refusal::kNone;
    head = {decoded[b].back().seq, hashes[b].back(), decoded[b].back().hlc};
  }
  double t_check = check.Seconds();
  double t_apply = 0;
  if (auto fresh = OpenReplNode(config.tmp_root, 2, &keys); fresh.ok()) {
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
                "  breakdown, us per op, one thread (%zu ops, %zu B each on the wire%s):\n"
                "    serve: OpsForPeer (RocksDB scan, bytes as stored) %.1f, re-encode %.1f\n"
                "    apply: ApplyPeerBatch %.1f = DecodeOp+hash %.1f + Validate %.1f + CheckBatch"
                " %.1f (1 verify per batch) + store commit %.1f\n",
                n, wire_bytes / std::max<size_t>(n, 1), bad ? ", SOME FAILED" : "", us(t_read),
                us(t_encode), us(t_apply), us(t_decode), us(t_validate), us(t_check),
                us(t_apply - t_decode - t_validate - t_check));
  std::cerr << line;
}

// A writes `records` records; then a fresh B pulls them all through PeerSync.
CatchUp RunCatchUp(const Config& config, const service::Members& keys, size_t records) {
  CatchUp out;
  auto fail = [&](const std::string& what) {
    std::cerr << "  catch-up: " << what << "\n";
    ++out.errors;
    return out;
  };
  auto a = OpenReplNode(config.tmp_root, 0, &keys);
  if (!a.ok()) return fail("open A: " + a.status().ToString());
  Stopwatch fill;
  if (auto s = PopulateReplNode((*a)->service.get(), records); !s.ok())
    return fail("populate A: " + s.ToString());
  auto want = (*a)->service->VersionVector();
  out.ops = TotalOps(want);
  std::cerr << "  A wrote " << out.ops << " ops (local creates) in " << FormatValue(fill.Seconds())
            << " s\n";
  if (auto s = (*a)->Serve(); !s.ok()) return fail("serve A: " + s.ToString());

  auto b = OpenReplNode(config.tmp_root, 1, &keys);
  if (!b.ok()) return fail("open B: " + b.status().ToString());
  (*b)->counting->TakeLargestBatch();
  KvCounts before = (*b)->counting->counts();
  double write_seconds = (*b)->timed->write_seconds();
  uint64_t generation = (*b)->service->Generation();
  double cpu = CpuSeconds();
  Stopwatch watch;
  if (auto s = (*b)->Follow({{0, (*a)->address()}}); !s.ok())
    return fail("start B's sync: " + s.ToString());
  bool done = WaitForVector(*(*b)->service, want,
                            std::chrono::steady_clock::now() + std::chrono::minutes(10));
  out.seconds = watch.Seconds();
  out.cpu_seconds = CpuSeconds() - cpu;
  // Each batch B stored went through one CheckBatch (one Ed25519 verification) and one
  // commit (one generation); nothing else writes to B.
  out.verifications = (*b)->service->Generation() - generation;
  (*b)->sync->Stop();
  if (!done) return fail("B did not catch up within 10 minutes");
  KvCounts after = (*b)->counting->counts();
  auto per_op = [&](uint64_t x, uint64_t y) { return static_cast<double>(y - x) / out.ops; };
  out.largest_batch = (*b)->counting->TakeLargestBatch();
  out.entries_per_op = per_op(before.entries, after.entries);
  double write_us = ((*b)->timed->write_seconds() - write_seconds) * 1e6 / out.ops;
  char line[512];
  std::snprintf(line, sizeof line,
                "  B's store per op: %.2f gets, %.1f entries, %.0f B written (%llu batches),"
                " %.1f us in RocksDB Write\n"
                "  catch-up: %.2f s, %.2f s of CPU in A and B: %s ops per CPU-second\n",
                per_op(before.gets, after.gets), per_op(before.entries, after.entries),
                per_op(before.bytes, after.bytes),
                static_cast<unsigned long long>(after.writes - before.writes), write_us,
                out.seconds, out.cpu_seconds,
                FormatValue(out.ops / std::max(out.cpu_seconds, 1e-9)).c_str());
  std::cerr << line;
  auto da = (*a)->service->Digest(), db = (*b)->service->Digest();
  if (!da.ok() || !db.ok() || *da != *db) return fail("A and B digests differ");
  PrintServeRate((*a)->address(), out.ops);
  PrintBreakdown(config, keys, (*a)->service.get());
  return out;
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
  std::unique_ptr<ReplNode> nodes[kReplNodes];
  for (int n = 0; n < kReplNodes; ++n) {
    auto node = OpenReplNode(config.tmp_root, n, &keys);
    if (!node.ok()) return fail("open node: " + node.status().ToString());
    nodes[n] = std::move(node).value();
  }
  ReplNode &a = *nodes[0], &b = *nodes[1], &c = *nodes[2];
  constexpr size_t kRecords = 100;  // updated in turn
  constexpr size_t kWarmUp = 20;    // writes not counted (connections, caches)
  if (auto s = PopulateReplNode(a.service.get(), kRecords); !s.ok())
    return fail("populate A: " + s.ToString());
  if (auto s = a.Serve(); !s.ok()) return fail("serve A: " + s.ToString());
  if (auto s = b.Serve(); !s.ok()) return fail("serve B: " + s.ToString());
  // B pulls from A only, C from B only: A and C never talk.
  if (auto s = b.Follow({{0, a.address()}}); !s.ok()) return fail("B's sync: " + s.ToString());
  if (auto s = c.Follow({{1, b.address()}}); !s.ok()) return fail("C's sync: " + s.ToString());
  auto deadline = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(30); };
  if (!WaitForVector(*c.service, a.service->VersionVector(), deadline()))
    return fail("C did not receive A's records through B");

  service::Caller caller{"bench"};
  std::vector<std::string> purposes(samples + kWarmUp);
  for (size_t i = 0; i < purposes.size(); ++i) purposes[i] = Words(1000 + i, 300);
  for (size_t i = 0; i < purposes.size(); ++i) {
    service::UpdateRequest update;
    update.patch = {{"purpose", purposes[i]}};
    Stopwatch watch;  // from the write on A until C has it
    auto updated =
        a.service->Update("agreement", AgreementId("repl", i % kRecords), update, caller);
    if (!updated.ok()) return fail("update on A: " + updated.status().ToString());
    if (!WaitForVector(*c.service, a.service->VersionVector(), deadline()))
      return fail("a write on A did not reach C within 30 s");
    if (i >= kWarmUp) out.ms.push_back(watch.Millis());
  }
  // Visible means readable: C's copies of the last records carry the last writes.
  for (size_t i = purposes.size() - std::min(kRecords, purposes.size()); i < purposes.size(); ++i) {
    auto record = c.service->Get("agreement", AgreementId("repl", i % kRecords));
    if (!record.ok() || record->value("purpose", "") != purposes[i])
      return fail("C's copy of " + AgreementId("repl", i % kRecords) + " is stale");
  }
  auto da = a.service->Digest(), dc = c.service->Digest();
  if (!da.ok() || !dc.ok() || *da != *dc) return fail("A and C digests differ");
  return out;
}

Figure Milliseconds(std::string name, double value, size_t errors, std::optional<double> below) {
  Figure f;
  f.name = std::move(name);
  f.value = value;
  f.unit = "ms";
  f.errors = errors;
  if (below) {
    f.target = TargetKind::kValueBelow;
    f.target_value = *below;
  }
  return f;
}

}  // namespace

void RunReplication(const Config& config, Report* report) {
  const size_t records = config.quick ? 10'000 : 100'000;
  const size_t samples = config.quick ? 200 : 1000;
  auto keys = ReplKeyMembers();
  if (!keys.ok()) {
    std::cerr << "replication: members: " << keys.status().ToString() << "\n";
    report->Value("catch-up", 0, "ops/s", 1);
    return;
  }
  // The raw baseline writes values of the size of the ops the catch-up stores (an
  // agreement of ~kReplRecordBytes of JSON, as an op), like-for-like.
  StoredSizes sizes = MeasureStoredSizes(config.tmp_root, kReplRecordBytes);
  const size_t value_bytes = sizes.op_bytes > 0 ? sizes.op_bytes : kReplRecordBytes;
  const std::string kRawBatch = "raw batch 1000 x " + std::to_string(value_bytes) + "B";
  std::cerr << "[6] replication: raw RocksDB, " << records << " puts of " << value_bytes
            << " B (one op of a ~" << kReplRecordBytes << " B record; its record: "
            << sizes.record_bytes << " B) in batches of 1000\n";
  size_t raw_errors = 0;
  double raw = RawBatchedRate(config, records, value_bytes, &raw_errors);

  std::cerr << "    catch-up: a fresh node B pulls A's " << records << " records (PeerSync)\n";
  CatchUp catchup = RunCatchUp(config, keys.value(), records);
  double rate = catchup.seconds > 0 ? catchup.ops / catchup.seconds : 0;

  // B's writes with nothing else to do: batches shaped as its largest, as many as hold
  // the same number of ops.
  ShapedRate shaped;
  double ops_per_batch = catchup.entries_per_op > 0
                             ? catchup.largest_batch.entries.size() / catchup.entries_per_op
                             : 0;
  if (ops_per_batch >= 1) {
    size_t count = static_cast<size_t>(catchup.ops / ops_per_batch) + 1;
    std::cerr << "    replaying " << count << " batches shaped as B's largest ("
              << DescribeShape(catchup.largest_batch) << ", ~" << FormatValue(ops_per_batch)
              << " ops) on a fresh store\n";
    shaped = ReplayShape(config.tmp_root, catchup.largest_batch, count);
  } else {
    ++shaped.errors;
  }

  std::cerr << "    PouchDB: " << records << " docs of ~" << kReplRecordBytes
            << " B replicated over HTTP on loopback\n";
  const std::string pouch_dir = PASSERELLE_BENCH_POUCHDB_DIR;
  std::string why = config.pouchdb ? InstallPouchDb(pouch_dir, config.quick ? 90 : 300)
                                   : "skipped (--no-pouchdb)";
  PouchDbResult pouch[2];
  for (int k = 0; k < 2; ++k) {
    pouch[k].why = why;
    if (!why.empty()) continue;
    pouch[k] = RunPouchDb(pouch_dir, records, kReplRecordBytes, k == 0 ? 0 : 1000,
                          config.quick ? 300 : 1200);
    if (pouch[k].docs_per_s) std::cerr << "  replicate.js: " << pouch[k].line << "\n";
  }

  std::cerr << "    chain A -> B -> C: " << samples << " writes on A, each awaited on C\n";
  Latency latency = RunChain(config, keys.value(), samples);

  report->Value(kRawBatch, raw, "puts/s", raw_errors);
  report->Ratio("catch-up " + FormatValue(static_cast<double>(catchup.ops)) + " ops", rate, "ops/s",
                kRawBatch, 0.40, catchup.errors);
  report->Ratio(kCatchUpShaped, shaped.batches_per_s * ops_per_batch, "ops/s", kRawBatch,
                std::nullopt, shaped.errors);
  report->Ratio("catch-up vs its batches", rate, "ops/s", kCatchUpShaped, std::nullopt,
                catchup.errors);
  report->Value("catch-up: signatures verified", static_cast<double>(catchup.verifications),
                "sigs");
  report->Value("catch-up: ops per verification",
                catchup.ops / std::max<double>(1, static_cast<double>(catchup.verifications)),
                "ops");
  const char* names[2] = {kPouchDefault, kPouchBatch};
  for (int k = 0; k < 2; ++k) {
    if (!pouch[k].docs_per_s) {
      std::cout << names[k] << ": unavailable: " << pouch[k].why << "\n";
      continue;
    }
    report->Value(names[k], *pouch[k].docs_per_s, "docs/s");
    report->Ratio(std::string("catch-up vs ") + names[k], rate, "ops/s", names[k], 20.0,
                  catchup.errors);
  }
  report->Add(Milliseconds("A->B->C write-to-visible p50", Percentile(&latency.ms, 0.50),
                           latency.errors, std::nullopt));
  report->Add(Milliseconds("A->B->C write-to-visible p99", Percentile(&latency.ms, 0.99),
                           latency.errors, 20.0));
}

}  // namespace passerelle::bench
