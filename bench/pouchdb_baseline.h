// The PouchDB baseline: bench/pouchdb/replicate.js (node.js) replicates N documents from
// a PouchDB database served over HTTP on loopback into a fresh one. Its npm packages
// (bench/pouchdb/package.json) are installed into the build tree at run time, once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace passerelle::bench {

struct PouchDbResult {
  std::optional<double> docs_per_s;  // empty: unavailable, see `why`
  std::string why;
  std::string line;  // replicate.js's JSON output
};

// Installs the packages into `dir` unless that package.json is installed there already.
// Returns "" or why it could not (no node/npm, npm failed: its log is in `dir`).
std::string InstallPouchDb(const std::string& dir, int timeout_s);

// Runs replicate.js with `docs` documents of ~`bytes` bytes; batch_size 0: PouchDB's
// default. Never fails the bench: an error is reported in `why`.
PouchDbResult RunPouchDb(const std::string& dir, size_t docs, size_t bytes, size_t batch_size,
                         int timeout_s);

}  // namespace passerelle::bench
