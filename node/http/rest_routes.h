// The REST/JSON adapter: /api/v1/{plural}[/{id}[/history|/approve]], /api/v1/federation/status, nested
// /api/v1/{parent_plural}/{id}/{child_plural}, and /api/v1/node. It decodes the
// request, calls the RecordService and maps the Status; no record rule lives here.
#pragma once

#include "node/http/handler.h"
#include "node/http/target.h"
#include "node/service/caller.h"

namespace passerelle::http {

// `target.segments` starts with "api", "v1". `caller` is the session's user and role
// (the gate in handler.cc has checked the session and the CSRF token).
Response HandleApi(const Request& request, const Target& target, const Deps& deps,
                   const service::Caller& caller);

}  // namespace passerelle::http
