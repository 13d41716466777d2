#include "node/service/members.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "node/core/json_text.h"
#include "node/records/family.h"

namespace passerelle::service {

Result<Members> Members::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::Invalid("members file", "must be a JSON object");
  Members m;
  if (auto f = j.find("federation"); f != j.end()) {
    if (!f->is_string()) return Status::Invalid("federation", "must be a string");
    m.federation_ = f->get<std::string>();
  }
  auto list = j.find("members");
  if (list == j.end() || !list->is_array() || list->empty())
    return Status::Invalid("members", "must be a non-empty list");
  for (size_t i = 0; i < list->size(); ++i) {
    const auto& e = (*list)[i];
    std::string at = "members[" + std::to_string(i) + "]";
    if (!e.is_object()) return Status::Invalid(at, "must be an object");
    Member mem;
    auto str = [&](const char* key, std::string* out, bool required) -> Status {
      auto it = e.find(key);
      if (it == e.end()) return required ? Status::Invalid(at + "." + key, "is required") : Status::Ok();
      if (!it->is_string()) return Status::Invalid(at + "." + key, "must be a string");
      *out = it->get<std::string>();
      return Status::Ok();
    };
    PASSERELLE_RETURN_IF_ERROR(str("id", &mem.id, true));
    PASSERELLE_RETURN_IF_ERROR(str("name", &mem.name, false));
    PASSERELLE_RETURN_IF_ERROR(str("node_address", &mem.node_address, false));
    PASSERELLE_RETURN_IF_ERROR(str("public_key", &mem.public_key, false));
    if (!records::IsValidId(mem.id)) return Status::Invalid(at + ".id", "must be an id");
    if (m.Find(mem.id)) return Status::Invalid(at + ".id", "duplicate member " + mem.id);
    if (!mem.public_key.empty() &&
        (mem.public_key.size() != 64 ||
         mem.public_key.find_first_not_of("0123456789abcdef") != std::string::npos))
      return Status::Invalid(at + ".public_key", "must be 64 lower-case hex digits (Ed25519)");
    if (auto a = e.find("acts_for"); a != e.end()) {
      if (!a->is_array()) return Status::Invalid(at + ".acts_for", "must be a list");
      for (size_t k = 0; k < a->size(); ++k) {
        const auto& inst = (*a)[k];
        if (!inst.is_string() || !records::IsValidId(inst.get_ref<const std::string&>()))
          return Status::Invalid(at + ".acts_for[" + std::to_string(k) + "]", "must be an institution id");
        mem.acts_for.push_back(inst.get<std::string>());
        m.by_institution_[inst.get<std::string>()].push_back(mem.id);
      }
    }
    m.members_.push_back(std::move(mem));
  }
  return m;
}

Result<Members> Members::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Invalid("members_file", "cannot read members file " + path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = core::ParseJson(ss.str(), "members file");
  if (!j.ok()) return Status::Invalid("members_file", path + ": " + j.status().message());
  auto m = FromJson(*j);
  if (!m.ok()) return Status::Invalid(m.status().field(), path + ": " + m.status().message());
  return m;
}

const Member* Members::Find(const std::string& member_id) const {
  for (const auto& m : members_)
    if (m.id == member_id) return &m;
  return nullptr;
}

std::vector<std::string> Members::ActingFor(const std::string& institution_id) const {
  auto it = by_institution_.find(institution_id);
  return it == by_institution_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace passerelle::service
