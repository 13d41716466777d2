// Import and export of a federation dataset in the seed-data format (the JSON files of
// ../shared/seed-data; see its README). Import is idempotent: a second import of the
// same files changes nothing. Export writes the same files back; import ∘ export is
// lossless (records compare equal by id).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "node/service/record_service.h"

namespace passerelle::service {

// Export's file for deliverables whose project no longer exists (the seed data has none):
// whole records, kept so an export loses nothing; import reads it after projects.json.
inline constexpr char kOrphanDeliverablesFile[] = "deliverables.json";

struct ImportSummary {
  size_t created = 0, updated = 0, unchanged = 0, refused = 0;
  // Of the refused, those naming a record this node does not have (yet): in a
  // federation they may arrive by replication, and a later import takes them. (Not
  // deliverables of a deleted project, from kOrphanDeliverablesFile: none will come.)
  size_t missing_references = 0;
  struct Refusal {
    std::string file, id, reason;
  };
  std::vector<Refusal> refusals;
};

// Called as records are processed: file name, records done, records in that file.
using ImportProgress = std::function<void(const std::string& file, size_t done, size_t total)>;

struct ImportOptions {
  // Records touching no member go to the member that imports them (DESIGN.md). In a
  // federation exactly one node should claim them; the others skip them (counted
  // as refused with that reason) and receive them by replication.
  bool claim_unowned = true;
};

// Reads every known file present in `dir` and creates or updates the records this
// node's member may write. Records owned by other members, or invalid, are refused and
// listed with the reason; the rest still import. Errors for unreadable input, and when
// the node cannot write (storage error, a restored node's writes on hold): the import
// stops there, what was written before it stays (a second import resumes).
Result<ImportSummary> ImportSeed(RecordService* service, const std::string& dir,
                                 const Caller& caller, const ImportProgress& progress = {},
                                 const ImportOptions& options = {});

// Writes institutions.json, agreements.json, projects.json, forums.json,
// other_events.json, program_indicators.json and qualification_frameworks.json.
// FAILED_PRECONDITION, writing nothing, when `dir` already holds one of them, unless
// `overwrite`.
Status ExportSeed(const RecordService& service, const std::string& dir, bool overwrite = false);

}  // namespace passerelle::service
