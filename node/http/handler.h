// HTTP handling as a function: HandleRequest(request, deps) -> response, with no
// sockets, threads or clocks, so it can be unit-tested and fuzzed. Routes /healthz,
// /api/v1/... (REST over the RecordService) and static files from deps.web_root.
// May throw only on a bug; the session turns any exception into a 500 JSON error.
#pragma once

#include <string>

#include "node/http/types.h"
#include "node/service/federation_status.h"

namespace passerelle::service {
class RecordService;
class EquivalenceService;
}

namespace passerelle::http {

struct Deps {
  service::RecordService* service = nullptr;  // /api/v1 answers 503 without it
  std::string web_root;                       // static files; empty = none served
  service::FederationStatusFn federation_status;  // empty: a lone node's status
  // GET /api/v1/equivalences; null: a graph is built per request (tests, tools).
  service::EquivalenceService* equivalences = nullptr;
};

// Thread-safe as long as the service is (it is).
Response HandleRequest(const Request& request, const Deps& deps);

}  // namespace passerelle::http
