#include <filesystem>
#include <fstream>

#include "node/core/json_text.h"
#include "node/service/seed_io.h"

namespace passerelle::service {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

Result<std::vector<json>> AllContent(const RecordService& svc, const std::string& kind) {
  std::vector<json> out;
  ListQuery q;
  q.page_size = kMaxPageSize;
  do {
    auto page = svc.List(kind, q);
    if (!page.ok()) return page.status();
    for (const auto& r : page->records) out.push_back(ContentFields(r));
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

// A deliverable made by import from a bare title goes back as that title.
json DeliverableEntry(const json& d, const std::string& pid) {
  int pos = d.value("position", 0);
  bool plain = d.value("id", "") == pid + "-d" + std::to_string(pos) && d.contains("title");
  for (const auto& [k, v] : d.items())
    if (k != "id" && k != "project" && k != "title" && k != "position") plain = false;
  if (plain) return d["title"];
  json o = d;
  o.erase("project");
  return o;
}

}  // namespace

Status ExportSeed(const RecordService& svc, const std::string& dir) {
  std::error_code ec;
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
    auto& list = by_project[pid];
    std::stable_sort(list.begin(), list.end(), [](const json& a, const json& b) {
      return a.value("position", 1 << 30) < b.value("position", 1 << 30);
    });
    if (!list.empty()) {
      p["deliverables"] = json::array();
      for (const auto& d : list) p["deliverables"].push_back(DeliverableEntry(d, pid));
    }
    out_projects.push_back(p);
  }
  PASSERELLE_RETURN_IF_ERROR(WriteJson(fs::path(dir) / "projects.json", out_projects));

  auto frameworks = AllContent(svc, "framework");
  auto quals = AllContent(svc, "qualification");
  auto maps = AllContent(svc, "mapping");
  if (!frameworks.ok()) return frameworks.status();
  if (!quals.ok()) return quals.status();
  if (!maps.ok()) return maps.status();
  json qf = {{"frameworks", json::array()}, {"levels", json::array()},
             {"qualifications", *quals}, {"mappings", *maps}};
  for (auto& fw : *frameworks) {
    if (auto levels = fw.find("levels"); levels != fw.end()) {
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
