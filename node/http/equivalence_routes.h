// GET /api/v1/equivalences: decodes the query (node/README.md "Equivalences"), calls
// service::EquivalenceService and maps the Status; no equivalence rule lives here.
#pragma once

#include "node/http/handler.h"
#include "node/http/target.h"

namespace passerelle::http {

// The answer's language from Accept-Language ("es-CO,es;q=0.9,en;q=0.5" -> "es"):
// the supported language (fr, es, en) with the highest weight; "" when none is.
std::string LangFromAcceptLanguage(std::string_view header);

Response HandleEquivalences(const Request& request, const Target& target, const Deps& deps);

}  // namespace passerelle::http
