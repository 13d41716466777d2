// Command-line parsing for passerelle_bench (see config.h).
#include "bench/config.h"

#include <charconv>
#include <string_view>

namespace passerelle::bench {
namespace {

bool ParseSize(std::string_view text, size_t* out) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return false;
  *out = value;
  return true;
}

// --quick: every section small enough for a smoke test (a few seconds on 2 cores).
void ApplyQuick(Config* c) {
  c->quick = true;
  c->n = 2000;
  c->rpc_n = 1000;
  c->list_total = 2000;
  c->list_requests = 20;
}

}  // namespace

bool Config::Runs(const std::string& section) const {
  std::string_view rest = sections;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    if (rest.substr(0, comma) == section) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

const char* Usage() {
  return "usage: passerelle_bench [--quick] [--json FILE] [--n N] [--value-bytes B]\n"
         "                        [--rpc-n N] [--clients C] [--list-total N]\n"
         "                        [--list-requests N] [--batch N] [--tmp DIR]\n"
         "                        [--sections raw,store,grpc,rest,replication,equivalence]\n"
         "                        [--no-pouchdb]\n";
}

bool ParseConfig(int argc, char** argv, Config* config, std::string* error) {
  // --quick first, so that explicit sizes given with it win.
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--quick") ApplyQuick(config);
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--quick") continue;
    if (flag == "--no-pouchdb") {
      config->pouchdb = false;
      continue;
    }
    if (flag == "--help" || flag == "-h") {
      *error = "";
      return false;
    }
    if (i + 1 >= argc) {
      *error = "missing value after " + std::string(flag);
      return false;
    }
    std::string_view value = argv[++i];
    size_t n = 0;
    bool ok = true;
    if (flag == "--json")
      config->json_path = value;
    else if (flag == "--tmp")
      config->tmp_root = value;
    else if (flag == "--sections")
      config->sections = value;
    else if (flag == "--n")
      ok = ParseSize(value, &config->n);
    else if (flag == "--value-bytes")
      ok = ParseSize(value, &config->value_bytes);
    else if (flag == "--rpc-n")
      ok = ParseSize(value, &config->rpc_n);
    else if (flag == "--list-total")
      ok = ParseSize(value, &config->list_total);
    else if (flag == "--list-requests")
      ok = ParseSize(value, &config->list_requests);
    else if (flag == "--batch")
      ok = ParseSize(value, &config->batch);
    else if (flag == "--clients") {
      ok = ParseSize(value, &n) && n <= 256;
      config->clients = static_cast<int>(n);
    } else {
      *error = "unknown flag " + std::string(flag);
      return false;
    }
    if (!ok) {
      *error = "bad value for " + std::string(flag) + ": '" + std::string(value) +
               "' (a positive integer)";
      return false;
    }
  }
  return true;
}

}  // namespace passerelle::bench
