// PouchDB baseline through node.js (see pouchdb_baseline.h). Shell commands run with
// popen; paths are single-quoted.
#include "bench/pouchdb_baseline.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/report.h"
#include "bench/timing.h"

#ifndef PASSERELLE_BENCH_SOURCE_DIR  // set by bench/CMakeLists.txt
#define PASSERELLE_BENCH_SOURCE_DIR "bench"
#endif

namespace passerelle::bench {
namespace {

namespace fs = std::filesystem;

const fs::path kScriptDir = fs::path(PASSERELLE_BENCH_SOURCE_DIR) / "pouchdb";

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `command` with sh; returns its exit status (-1: did not run or was killed) and
// appends its standard output to *out.
int Run(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, pipe)) > 0) out->append(buf, got);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::string InstallPouchDb(const std::string& dir, int timeout_s) {
  std::string ignored;
  if (Run("command -v node >/dev/null && command -v npm >/dev/null", &ignored) != 0)
    return "node or npm not installed";
  std::string manifest = ReadFile(kScriptDir / "package.json");
  if (manifest.empty()) return "cannot read " + (kScriptDir / "package.json").string();
  fs::path marker = fs::path(dir) / "node_modules" / ".passerelle-installed";
  if (ReadFile(marker) == manifest) return "";
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream(fs::path(dir) / "package.json") << manifest;
  std::string log = (fs::path(dir) / "npm-install.log").string();
  std::cerr << "  npm install into " << dir << " ...\n";
  Stopwatch watch;
  int rc = Run("cd " + Quote(dir) + " && timeout " + std::to_string(timeout_s) +
                   " npm install --no-audit --no-fund --loglevel=error >" + Quote(log) + " 2>&1",
               &ignored);
  if (rc != 0) return "npm install failed (exit " + std::to_string(rc) + ", log: " + log + ")";
  std::ofstream(marker) << manifest;
  std::cerr << "  npm install took " << FormatValue(watch.Seconds()) << " s\n";
  return "";
}

PouchDbResult RunPouchDb(const std::string& dir, size_t docs, size_t bytes, size_t batch_size,
                         int timeout_s) {
  PouchDbResult result;
  std::string err = (fs::path(dir) / "replicate.err").string();
  std::string command = "NODE_PATH=" + Quote((fs::path(dir) / "node_modules").string()) +
                        " timeout " + std::to_string(timeout_s) + " node " +
                        Quote((kScriptDir / "replicate.js").string()) + " --docs " +
                        std::to_string(docs) + " --bytes " + std::to_string(bytes);
  if (batch_size > 0) command += " --batch-size " + std::to_string(batch_size);
  std::string out;
  int rc = Run(command + " 2>" + Quote(err), &out);
  if (rc != 0) {
    result.why = "replicate.js failed (exit " + std::to_string(rc) + ", stderr: " + err + ")";
    return result;
  }
  auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("docs_per_s") || !j["docs_per_s"].is_number()) {
    result.why = "replicate.js printed no figure: " + out.substr(0, 200);
    return result;
  }
  result.docs_per_s = j["docs_per_s"].get<double>();
  result.line = j.dump();
  return result;
}

}  // namespace passerelle::bench
