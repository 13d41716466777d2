#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "node/core/json_text.h"
#include "node/records/family.h"
#include "node/service/seed_io.h"

namespace passerelle::service {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Item {
  std::string file;
  std::string kind;
  json content;
};

constexpr size_t kMaxSeedFileBytes = 64 << 20;

Result<json> ReadJsonFile(const fs::path& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return Status::NotFound("cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxSeedFileBytes) return Status::Invalid(path.filename().string(), "file larger than 64 MiB");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return core::ParseJson(ss.str(), path.filename().string());
}

Status ExpectArray(const json& j, const std::string& what) {
  if (!j.is_array()) return Status::Invalid(what, "must be a JSON array of records");
  return Status::Ok();
}

void AddAll(std::vector<Item>* items, const std::string& file, const std::string& kind, const json& arr) {
  for (const auto& r : arr) items->push_back({file, kind, r});
}

// Projects carry their deliverables inline (titles, or objects for richer ones);
// here each becomes a deliverable record "<project>-d<N>".
void AddProjects(std::vector<Item>* items, const json& arr) {
  std::vector<Item> deliverables;
  for (json p : arr) {
    if (p.is_object() && p.contains("deliverables") && p["id"].is_string()) {
      std::string pid = p["id"].get<std::string>();
      json list = p["deliverables"];
      p.erase("deliverables");
      if (list.is_array()) {
        for (size_t i = 0; i < list.size(); ++i) {
          json d = list[i];
          int pos = static_cast<int>(i + 1);
          if (d.is_string()) {
            d = {{"id", pid + "-d" + std::to_string(pos)}, {"project", pid}, {"title", d}, {"position", pos}};
          } else if (d.is_object() && !d.contains("project")) {
            d["project"] = pid;  // an object keeps its own id and position (or none)
          }
          deliverables.push_back({"projects.json", "deliverable", d});
        }
      } else {
        deliverables.push_back({"projects.json", "deliverable", list});  // refused as invalid
      }
    }
    items->push_back({"projects.json", "project", p});
  }
  items->insert(items->end(), deliverables.begin(), deliverables.end());
}

// Frameworks carry their levels; the file lists levels separately with framework_id
// (a framework written with "levels": [] has none). A level naming no framework of the
// file is refused into `orphans`.
Status AddFrameworks(std::vector<Item>* items, const json& qf,
                     std::vector<ImportSummary::Refusal>* orphans) {
  if (!qf.is_object()) return Status::Invalid("qualification_frameworks.json", "must be an object");
  const std::string file = "qualification_frameworks.json";
  json levels = qf.value("levels", json::array());
  if (!levels.is_array()) return Status::Invalid(file, "levels must be an array");
  std::vector<bool> placed(levels.size(), false);
  for (json fw : qf.value("frameworks", json::array())) {
    if (fw.is_object() && fw.contains("id")) {
      json own = fw.contains("levels") && fw["levels"].is_array() ? fw["levels"] : json::array();
      for (size_t i = 0; i < levels.size(); ++i) {
        const json& l = levels[i];
        if (l.is_object() && l.value("framework_id", json()) == fw["id"]) {
          json level = l;
          level.erase("framework_id");
          own.push_back(level);
          placed[i] = true;
        }
      }
      if (!own.empty() || fw.contains("levels")) fw["levels"] = own;
    }
    items->push_back({file, "framework", fw});
  }
  for (size_t i = 0; i < levels.size(); ++i) {
    if (placed[i]) continue;
    const json& l = levels[i];
    json fw_id = l.is_object() ? l.value("framework_id", json()) : json();
    orphans->push_back({file, l.is_object() ? l.value("level", json("?")).dump() : "?",
                        "level: " + (fw_id.is_null() ? std::string("no framework_id")
                                                     : "framework_id " + fw_id.dump() + " names no framework of the file")});
  }
  AddAll(items, file, "qualification", qf.value("qualifications", json::array()));
  AddAll(items, file, "mapping", qf.value("mappings", json::array()));
  return Status::Ok();
}

enum class Outcome { kCreated, kUpdated, kUnchanged };

Result<Outcome> ImportOne(RecordService* svc, const Item& item, const Caller& caller,
                          const ImportOptions& options) {
  if (!item.content.is_object() || !item.content.contains("id") || !item.content["id"].is_string())
    return Status::Invalid("id", "record has no id");
  std::string id = item.content["id"].get<std::string>();
  auto existing = svc->ContentOf(item.kind, id);
  if (existing.ok()) {
    // `owners`, when the file names them (export does for hand-added co-owners), are
    // compared with the record's own, as a set.
    json content = item.content;
    bool same_owners = true;
    if (auto o = content.find("owners"); o != content.end()) {
      auto record = svc->Get(item.kind, id);
      std::vector<json> named = o->is_array() ? o->get<std::vector<json>>() : std::vector<json>{*o};
      std::sort(named.begin(), named.end());
      same_owners = record.ok() && record->value("owners", json()) == json(named);
      content.erase(o);
    }
    if (*existing == content && same_owners) return Outcome::kUnchanged;
    UpdateRequest req;
    req.patch = item.content;
    for (const auto& [k, v] : existing->items())
      if (!item.content.contains(k)) req.mask.push_back(k);  // cleared
    for (const auto& [k, v] : item.content.items()) req.mask.push_back(k);
    auto r = svc->Update(item.kind, id, req, caller);
    if (!r.ok()) return r.status();
    return Outcome::kUpdated;
  }
  if (!options.claim_unowned) {
    bool unclaimed = false;
    const records::Family* family = records::FindFamily(item.kind);
    auto owners = svc->DeriveOwners(*family, item.content, &unclaimed);
    if (owners.ok() && unclaimed)
      return Status(Code::kFailedPrecondition,
                    "touches no member; left to the node that claims unowned records");
  }
  auto r = svc->Create(item.kind, item.content, caller);
  if (!r.ok()) return r.status();
  return Outcome::kCreated;
}

bool IsMissingReference(const Status& s) {
  return s.code() == Code::kInvalidArgument && s.message().rfind("no ", 0) == 0;
}

// A refusal of the record itself (invalid, not this member's, …), as opposed to the
// node failing to write anything (storage errors, writes on hold after a restore).
bool IsRecordRefusal(const Status& s) {
  return s.code() != Code::kInternal && s.code() != Code::kDataLoss && s.code() != Code::kUnavailable;
}

}  // namespace

Result<ImportSummary> ImportSeed(RecordService* service, const std::string& dir,
                                 const Caller& caller, const ImportProgress& progress,
                                 const ImportOptions& options) {
  if (!fs::is_directory(dir)) return Status::NotFound("not a directory: " + dir, "dir");
  std::vector<Item> items;
  std::vector<ImportSummary::Refusal> orphans;
  bool any = false;
  // Dependency order: institutions first, cross-linked families last.
  const std::pair<const char*, const char*> kArrays[] = {
      {"institutions.json", "institution"}, {"qualification_frameworks.json", ""},
      {"projects.json", "project"},         {kOrphanDeliverablesFile, "deliverable"},
      {"program_indicators.json", "indicator"},
      {"agreements.json", "agreement"},     {"forums.json", "forum"},
      {"other_events.json", "event"}};
  for (const auto& [file, kind] : kArrays) {
    fs::path path = fs::path(dir) / file;
    if (!fs::exists(path)) continue;
    any = true;
    auto j = ReadJsonFile(path);
    if (!j.ok()) return j.status();
    if (std::string(file) == "qualification_frameworks.json") {
      PASSERELLE_RETURN_IF_ERROR(AddFrameworks(&items, *j, &orphans));
      continue;
    }
    PASSERELLE_RETURN_IF_ERROR(ExpectArray(*j, file));
    if (std::string(kind) == "project") AddProjects(&items, *j);
    else AddAll(&items, file, kind, *j);
  }
  if (!any) return Status::NotFound("no seed-data files (institutions.json, …) in " + dir, "dir");

  ImportSummary summary;
  summary.refused = orphans.size();
  summary.refusals = std::move(orphans);
  std::map<std::string, size_t> per_file_total, per_file_done;
  for (const auto& it : items) per_file_total[it.file]++;
  // Records whose reference is not there yet are retried after the others, as long
  // as each pass makes progress (references may point forward in a file).
  std::vector<Item> pending = std::move(items);
  std::vector<Status> last_error;
  while (!pending.empty()) {
    std::vector<Item> retry;
    std::vector<Status> retry_errors;
    for (auto& item : pending) {
      auto outcome = ImportOne(service, item, caller, options);
      if (outcome.ok()) {
        if (*outcome == Outcome::kCreated) summary.created++;
        else if (*outcome == Outcome::kUpdated) summary.updated++;
        else summary.unchanged++;
      } else if (IsMissingReference(outcome.status())) {
        retry.push_back(std::move(item));
        retry_errors.push_back(outcome.status());
        continue;
      } else if (!IsRecordRefusal(outcome.status())) {
        // The node's own trouble (storage, a restored node's writes on hold), not the
        // record's: stop here rather than count every record after it as refused.
        return Status(outcome.status().code(),
                      "import stopped at " + item.file + " (" + item.kind + "): " + outcome.status().message() +
                          "; " + std::to_string(summary.created + summary.updated) + " records written before it",
                      outcome.status().field());
      } else {
        summary.refused++;
        summary.refusals.push_back({item.file, item.content.is_object() ? item.content.value("id", json("?")).dump() : "?",
                                    item.kind + ": " + outcome.status().ToString()});
      }
      size_t done = ++per_file_done[item.file];
      if (progress) progress(item.file, done, per_file_total[item.file]);
    }
    if (retry.size() == pending.size()) {  // no progress: report them
      for (size_t i = 0; i < retry.size(); ++i) {
        summary.refused++;
        // An orphan's project was deleted: no later replication brings it.
        if (retry[i].file != kOrphanDeliverablesFile) summary.missing_references++;
        summary.refusals.push_back({retry[i].file, retry[i].content.value("id", json("?")).dump(),
                                    retry[i].kind + ": " + retry_errors[i].ToString()});
        size_t done = ++per_file_done[retry[i].file];
        if (progress) progress(retry[i].file, done, per_file_total[retry[i].file]);
      }
      break;
    }
    pending = std::move(retry);
  }
  for (auto& r : summary.refusals)
    if (r.id.size() >= 2 && r.id.front() == '"') r.id = r.id.substr(1, r.id.size() - 2);
  return summary;
}

}  // namespace passerelle::service
