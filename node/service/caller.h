// Who is asking the service layer: a user account of this node and its role. The node
// itself (gRPC, the CLI, import) calls as Caller{} — user "" with the admin role: the
// gRPC port is an administrative interface, bound to loopback.
#pragma once

#include <string>

#include "node/service/roles.h"

namespace passerelle::service {

struct Caller {
  std::string user;          // account name; "" for the node itself / import
  Role role = Role::kAdmin;  // what the account may do (roles.h)
};

}  // namespace passerelle::service
