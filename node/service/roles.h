// Roles of a node's user accounts and the one permission table: which role may write
// which record family, and who manages accounts. Every adapter asks here (through the
// service layer); no adapter keeps its own copy of the matrix. Pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/status.h"

namespace passerelle::service {

enum class Role { kAdmin, kCoordinator, kProjectLead, kMobilityOfficer, kViewer };

// "admin", "coordinator", "project_lead", "mobility_officer", "viewer".
const char* RoleName(Role role);
// The role of a name as above; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);
// "admin, coordinator, project_lead, mobility_officer, viewer" (for error messages).
const char* RoleNames();

// True when `role` may create, update, delete (and, for agreements, approve) records
// of the family `kind` (a family's kind, e.g. "agreement"). Unknown kinds: admin only.
bool MayWrite(Role role, std::string_view kind);
// True when `role` may list, add, change and remove user accounts.
bool MayManageUsers(Role role);

// OK, or PERMISSION_DENIED naming the role and the family.
Status CheckWrite(Role role, std::string_view kind);

}  // namespace passerelle::service
