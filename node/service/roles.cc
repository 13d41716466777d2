#include "node/service/roles.h"

#include <algorithm>
#include <array>

namespace passerelle::service {
namespace {

struct RoleInfo {
  Role role;
  const char* name;
};
constexpr std::array<RoleInfo, 5> kRoles = {{{Role::kAdmin, "admin"},
                                             {Role::kCoordinator, "coordinator"},
                                             {Role::kProjectLead, "project_lead"},
                                             {Role::kMobilityOfficer, "mobility_officer"},
                                             {Role::kViewer, "viewer"}}};

// The families each non-admin role writes (node/README.md "Sessions and roles"). Admin
// writes every family; viewer none. A family missing here is written by admin only.
struct Grant {
  Role role;
  const char* kind;
};
constexpr Grant kGrants[] = {
    {Role::kMobilityOfficer, "framework"}, {Role::kMobilityOfficer, "qualification"},
    {Role::kMobilityOfficer, "mapping"},   {Role::kProjectLead, "project"},
    {Role::kProjectLead, "deliverable"},   {Role::kProjectLead, "indicator"},
    {Role::kCoordinator, "institution"},   {Role::kCoordinator, "agreement"},
    {Role::kCoordinator, "project"},       {Role::kCoordinator, "deliverable"},
    {Role::kCoordinator, "indicator"},     {Role::kCoordinator, "forum"},
    {Role::kCoordinator, "event"},
};

}  // namespace

const char* RoleName(Role role) {
  for (const auto& r : kRoles)
    if (r.role == role) return r.name;
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& r : kRoles)
    if (name == r.name) return r.role;
  return std::nullopt;
}

const char* RoleNames() { return "admin, coordinator, project_lead, mobility_officer, viewer"; }

bool MayWrite(Role role, std::string_view kind) {
  if (role == Role::kAdmin) return true;
  return std::any_of(std::begin(kGrants), std::end(kGrants),
                     [&](const Grant& g) { return g.role == role && kind == g.kind; });
}

bool MayManageUsers(Role role) { return role == Role::kAdmin; }

Status CheckWrite(Role role, std::string_view kind) {
  if (MayWrite(role, kind)) return Status::Ok();
  return Status(Code::kPermissionDenied, std::string("role ") + RoleName(role) +
                                             " may not change " + std::string(kind) + " records");
}

}  // namespace passerelle::service
