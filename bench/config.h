// The bench's knobs, from the command line: sizes of each section, --quick for a smoke
// run, --json FILE to write the figures. ParseConfig returns false (with a message in
// *error) for an unknown or malformed flag.
#pragma once

#include <cstddef>
#include <string>

namespace passerelle::bench {

struct Config {
  size_t n = 100'000;           // storage ops per figure (raw puts/gets, store creates...)
  size_t value_bytes = 1024;    // raw RocksDB value size; records are sized to match
  size_t rpc_n = 20'000;        // gRPC / REST calls per figure, over all clients
  int clients = 8;              // concurrent gRPC / REST clients
  size_t list_total = 100'000;  // agreements in the store the REST list reads
  size_t list_requests = 200;   // timed list requests per figure
  size_t batch = 1000;          // puts per raw RocksDB batch
  bool quick = false;
  bool pouchdb = true;    // replication: also measure PouchDB (npm install at run time)
  std::string json_path;  // empty: no JSON file
  std::string tmp_root;   // where temporary stores go; empty: the system's
  // Sections to run (raw, store, grpc, rest, replication); figures whose baseline was
  // skipped get no ratio. Default: all. Replication's sizes: 100,000 ops and 1,000
  // latency samples (--quick: 10,000 and 200).
  // equivalence: 100,000 qualifications, 20,000 mappings, 2,000 lookups (--quick: 5,000,
  // 1,000 and 200).
  std::string sections = "raw,store,grpc,rest,replication,equivalence";
  bool Runs(const std::string& section) const;
};

bool ParseConfig(int argc, char** argv, Config* config, std::string* error);
const char* Usage();

}  // namespace passerelle::bench
