// The REST adapter for logins and accounts: /api/v1/session (POST log in, GET the
// current session, DELETE log out) and, for admins, /api/v1/users[/{name}]. Decodes,
// calls SessionManager / Accounts (node/service), maps the Status; no rule lives here.
#pragma once

#include <string_view>

#include "node/http/auth.h"
#include "node/http/handler.h"
#include "node/http/target.h"

namespace passerelle::http {

// /api/v1/session: public (it is how a session starts).
Response HandleSession(const Request& request, const Deps& deps, std::string_view client_address);
// /api/v1/users[/{name}]: behind the gate; the service refuses non-admins.
Response HandleUsers(const Request& request, const Target& target, const Deps& deps,
                     const Authenticated& auth);

}  // namespace passerelle::http
