#include <filesystem>
#include <fstream>
#include <map>

#include "node/core/json_text.h"
#include "node/records/family.h"
#include "node/service/seed_io.h"

namespace passerelle::service {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Every record of `kind` without its meta, but with `owners` when they are not the ones
// import would derive (co-owners added by hand), so a round trip keeps them.
Result<std::vector<json>> AllContent(const RecordService& svc, const std::string& kind) {
  std::vector<json> out;
  const records::Family& family = *records::FindFamily(kind);
  ListQuery q;
  q.page_size = kMaxPageSize;
  do {
    auto page = svc.List(kind, q);
    if (!page.ok()) return page.status();
    for (const auto& r : page->records) {
      json content = ContentFields(r);
      if (!family.terms_fields.empty()) {
        // The status as stored, not as shown: "signed" is derived from the approvals,
        // which are each member's own signed ops and do not travel in seed files (an
        // import refuses "signed" as a written status).
        auto stored = svc.ContentOf(kind, r["id"].get<std::string>());
        if (!stored.ok()) return stored.status();
        if (auto st = stored->find("status"); st != stored->end()) content["status"] = *st;
        else content.erase("status");
      }
      bool unclaimed = false;
      auto derived = svc.DeriveOwners(family, content, &unclaimed);
      if (!derived.ok()) return derived.status();
      // A record touching no member goes to whoever imports it (DESIGN.md): its single
      // owner is not written, only co-owners added by hand.
      const json& owners = r.contains("owners") ? r["owners"] : json::array();
      if (unclaimed ? owners.size() > 1 : owners != json(*derived)) content["owners"] = owners;
      out.push_back(std::move(content));
    }
    q.page_token = page->next_page_token;
  } while (!q.page_token.empty());
  return out;
}

// Written beside the target, then renamed over it: a reader never sees half a file.
Status WriteJson(const fs::path& path, const json& j) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Internal("cannot write " + tmp.string());
    out << core::DumpJson(j, 2) << "\n";
    if (!out.flush()) return Status::Internal("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot rename to " + path.string() + ": " + ec.message());
  return Status::Ok();
}

// A deliverable goes back as a bare title when import would rebuild it exactly from one
// at place `index` of its project's list (id "<project>-d<index+1>", that position).
json DeliverableEntry(const json& d, const std::string& pid, size_t index) {
  const int pos = static_cast<int>(index + 1);
  bool plain = d.value("id", "") == pid + "-d" + std::to_string(pos) && d.value("position", 0) == pos &&
               d.contains("title");
  for (const auto& [k, v] : d.items())
    if (k != "id" && k != "project" && k != "title" && k != "position") plain = false;
  if (plain) return d["title"];
  json o = d;
  o.erase("project");
  return o;
}

}  // namespace

Status ExportSeed(const RecordService& svc, const std::string& dir, bool overwrite) {
  std::error_code ec;
  if (!overwrite) {
    // Writing over a seed-data directory (the demo's, say) by mistake would replace it.
    for (const char* file : {"institutions.json", "agreements.json", "projects.json", "forums.json",
                             "other_events.json", "program_indicators.json", "qualification_frameworks.json",
                             kOrphanDeliverablesFile})
      if (fs::exists(fs::path(dir) / file, ec))
        return Status(Code::kFailedPrecondition,
                      dir + " already holds " + file + ": export into an empty directory, or pass --force to replace its files",
                      "dir");
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::Invalid("dir", "cannot create " + dir + ": " + ec.message());
  const std::pair<const char*, const char*> kPlain[] = {
      {"institution", "institutions.json"}, {"agreement", "agreements.json"},
      {"forum", "forums.json"},             {"event", "other_events.json"},
      {"indicator", "program_indicators.json"}};
  for (const auto& [kind, file] : kPlain) {
    auto all = AllContent(svc, kind);
    if (!all.ok()) return all.status();
    PASSERELLE_RETURN_IF_ERROR(WriteJson(fs::path(dir) / file, json(*all)));
  }

  auto projects = AllContent(svc, "project");
  auto deliverables = AllContent(svc, "deliverable");
  if (!projects.ok()) return projects.status();
  if (!deliverables.ok()) return deliverables.status();
  std::map<std::string, std::vector<json>> by_project;
  for (auto& d : *deliverables) by_project[d.value("project", "")].push_back(d);
  json out_projects = json::array();
  for (auto& p : *projects) {
    std::string pid = p["id"].get<std::string>();
    auto node = by_project.extract(pid);
    if (node.empty()) {
      out_projects.push_back(p);
      continue;
    }
    auto& list = node.mapped();
    std::stable_sort(list.begin(), list.end(), [](const json& a, const json& b) {
      return a.value("position", 1 << 30) < b.value("position", 1 << 30);
    });
    p["deliverables"] = json::array();
    for (size_t i = 0; i < list.size(); ++i) p["deliverables"].push_back(DeliverableEntry(list[i], pid, i));
    out_projects.push_back(p);
  }
  PASSERELLE_RETURN_IF_ERROR(WriteJson(fs::path(dir) / "projects.json", out_projects));
  // Deliverables whose project was deleted are kept apart, whole, rather than lost.
  json orphans = json::array();
  for (auto& [pid, list] : by_project)
    for (auto& d : list) orphans.push_back(std::move(d));
  const fs::path orphan_file = fs::path(dir) / kOrphanDeliverablesFile;
  if (!orphans.empty()) {
    PASSERELLE_RETURN_IF_ERROR(WriteJson(orphan_file, orphans));
  } else {
    fs::remove(orphan_file, ec);  // from an earlier export into the same directory
  }

  auto frameworks = AllContent(svc, "framework");
  auto quals = AllContent(svc, "qualification");
  auto maps = AllContent(svc, "mapping");
  if (!frameworks.ok()) return frameworks.status();
  if (!quals.ok()) return quals.status();
  if (!maps.ok()) return maps.status();
  json qf = {{"frameworks", json::array()}, {"levels", json::array()},
             {"qualifications", *quals}, {"mappings", *maps}};
  for (auto& fw : *frameworks) {
    // An empty list stays on the framework ("levels": []), so that it comes back as is.
    if (auto levels = fw.find("levels"); levels != fw.end() && !levels->empty()) {
      for (json l : *levels) {
        l["framework_id"] = fw["id"];
        qf["levels"].push_back(l);
      }
      fw.erase("levels");
    }
    qf["frameworks"].push_back(fw);
  }
  return WriteJson(fs::path(dir) / "qualification_frameworks.json", qf);
}

}  // namespace passerelle::service
