// The bench's sections, run in this order by main; each adds its figures to the report
// and prints its progress on stderr. Later sections use earlier figures as baselines.
// gRPC and REST figures are for config.clients concurrent clients unless named otherwise.
#pragma once

#include "bench/config.h"
#include "bench/report.h"

namespace passerelle::bench {

// Figure names used as baselines across sections.
inline constexpr char kRawPut[] = "raw rocksdb put";
inline constexpr char kRawGet[] = "raw rocksdb get";
inline constexpr char kGrpcEmpty[] = "grpc empty unary";
inline constexpr char kGrpcCreate[] = "grpc create agreement";

// 1. RocksDB through its own API: single puts, gets, batched puts.
void RunRawRocks(const Config& config, Report* report);
// 2. RecordService over the RocksDB store: create, update, get of ~1 KB agreements.
void RunStore(const Config& config, Report* report);
// 3. gRPC: an empty unary handler, then creates through the passerelle.v1 API.
void RunGrpc(const Config& config, Report* report);
// 4-5. REST: creates, then lists of 100 agreements out of config.list_total.
void RunRest(const Config& config, Report* report);
// 6. Replication (issue 3, replication_bench.cc): a fresh node's catch-up through the peer
// path vs raw RocksDB batches and PouchDB over HTTP; write-to-visible on a 3-node chain.
void RunReplication(const Config& config, Report* report);
// 7. Equivalences (issue 5, equivalence_bench.cc): lookup p50/p99 in-process and over REST
// with 100,000 qualifications and 20,000 level mappings over 10 frameworks.
void RunEquivalence(const Config& config, Report* report);

}  // namespace passerelle::bench
