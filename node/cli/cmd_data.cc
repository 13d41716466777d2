// `passerelle import DIR` and `passerelle export DIR`, on a node's data directory
// while the node is stopped (the store is locked while a node runs).
#include <iostream>

#include "node/cli/commands.h"
#include "node/cli/node_context.h"
#include "node/service/seed_io.h"

namespace passerelle::cli {

int Fail(const std::string& what, const Status& status) {
  std::cerr << "passerelle: " << what << ": " << status.ToString() << std::endl;
  return status.code() == Code::kInvalidArgument ? 2 : 1;
}

int RunImport(const NodeConfig& config, const std::string& dir) {
  auto ctx = OpenNode(config, StoreMode::kCreateIfMissing);
  if (!ctx.ok()) return Fail("cannot open node data", ctx.status());
  Status signing = SetUpSigning(config, (*ctx)->members, (*ctx)->service.get());
  if (!signing.ok()) return Fail("bad configuration", signing);
  std::string current;
  auto progress = [&](const std::string& file, size_t done, size_t total) {
    if (file != current) current = file;
    if (done == total || done % 25 == 0)
      std::cerr << "  " << file << ": " << done << "/" << total << "\r" << (done == total ? "\n" : "")
                << std::flush;
  };
  std::cerr << "importing " << dir << " as member " << config.member_id
            << (config.claim_unowned ? " (claiming records that touch no member)" : "") << std::endl;
  auto summary = service::ImportSeed((*ctx)->service.get(), dir, {"import"}, progress, ImportOptionsOf(config));
  if (!summary.ok()) return Fail("import failed", summary.status());
  std::cout << "import of " << dir << ": " << summary->created << " created, " << summary->updated
            << " updated, " << summary->unchanged << " unchanged, " << summary->refused
            << " refused" << std::endl;
  for (const auto& r : summary->refusals)
    std::cout << "  refused " << r.file << " " << r.id << ": " << r.reason << std::endl;
  return 0;
}

int RunExport(const NodeConfig& config, const std::string& dir, bool overwrite) {
  auto ctx = OpenNode(config, StoreMode::kMustExist);
  if (!ctx.ok()) return Fail("cannot open node data", ctx.status());
  Status s = service::ExportSeed(*(*ctx)->service, dir, overwrite);
  if (!s.ok()) return Fail("export failed", s);
  std::cout << "exported to " << dir << std::endl;
  return 0;
}

}  // namespace passerelle::cli
