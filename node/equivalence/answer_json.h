// The engine's answer as JSON in the shape of node/README.md "Equivalences" (REST, gRPC
// via its JSON mapping, CLI --json), with caveat and problem messages and the
// disclaimer in the answer's language. Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "node/equivalence/engine.h"

namespace passerelle::equivalence {

// Languages of the answer's messages; anything else is refused by the caller.
bool IsSupportedLang(const std::string& lang);
// "A framework comparison informs but is not a recognition decision", in `lang`.
const char* Disclaimer(const std::string& lang);

nlohmann::json AnswerToJson(const Graph& graph, const Query& query, const Answer& answer,
                            const std::string& lang);

}  // namespace passerelle::equivalence
