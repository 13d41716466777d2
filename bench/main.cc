// passerelle_bench: measures, in one run, raw RocksDB, the store through RecordService,
// an empty gRPC handler, creates through gRPC and REST, REST lists, and replication
// (catch-up vs raw RocksDB and PouchDB, latency on a 3-node chain); prints each
// figure with its ratio to a baseline from the same run and its target (PASS/MISS).
// Exit status: 0 when every operation succeeded (a MISS is not a failure), 1 otherwise.
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench/config.h"
#include "bench/report.h"
#include "bench/sections.h"
#include "bench/timing.h"
#include "node/grpc/grpc_runtime.h"

namespace passerelle::bench {
namespace {

std::string ConfigJson(const Config& c) {
  return nlohmann::json{{"n", c.n},
                        {"value_bytes", c.value_bytes},
                        {"rpc_n", c.rpc_n},
                        {"clients", c.clients},
                        {"list_total", c.list_total},
                        {"list_requests", c.list_requests},
                        {"batch", c.batch},
                        {"quick", c.quick},
                        {"pouchdb", c.pouchdb},
                        {"cores", std::thread::hardware_concurrency()}}
      .dump();
}

int Main(int argc, char** argv) {
  grpcapi::TuneGrpcRuntime();  // as the node does (node/cli/main.cc)
  Config config;
  std::string error;
  if (!ParseConfig(argc, argv, &config, &error)) {
    if (!error.empty()) std::cerr << "passerelle_bench: " << error << "\n";
    std::cerr << Usage();
    return error.empty() ? 0 : 2;
  }
  std::cout << "passerelle_bench: " << ConfigJson(config) << "\n"
            << "(clients and servers share this machine's cores)\n";
  Stopwatch total;
  Report report;
  if (config.Runs("raw")) RunRawRocks(config, &report);
  if (config.Runs("store")) RunStore(config, &report);
  if (config.Runs("grpc")) RunGrpc(config, &report);
  if (config.Runs("rest")) RunRest(config, &report);
  if (config.Runs("replication")) RunReplication(config, &report);
  if (config.Runs("equivalence")) RunEquivalence(config, &report);
  std::cout << "\n";
  report.Print(std::cout);
  std::cout << "\ntotal time " << FormatValue(total.Seconds()) << " s\n";
  if (!config.json_path.empty() && !report.WriteJson(config.json_path, ConfigJson(config))) {
    std::cerr << "passerelle_bench: cannot write " << config.json_path << "\n";
    return 1;
  }
  return report.HasErrors() ? 1 : 0;
}

}  // namespace
}  // namespace passerelle::bench

int main(int argc, char** argv) { return passerelle::bench::Main(argc, argv); }
