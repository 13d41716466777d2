#include "node/http/equivalence_routes.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "node/http/errors.h"
#include "node/http/request_decoding.h"
#include "node/service/equivalence_service.h"

namespace passerelle::http {

namespace {

Result<bool> DecodeBool(const std::string& value, const std::string& field) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return Status::Invalid(field, "must be true or false");
}

// Decodes the query parameters into a request; unknown or repeated ones are refused.
Result<service::EquivalenceRequest> DecodeQuery(const Request& req, const Target& target) {
  service::EquivalenceRequest r;
  std::set<std::string> seen;
  for (const auto& [key, value] : target.query) {
    if (!seen.insert(key).second) return Status::Invalid(key, "query parameter given twice");
    if (key == "qualification") r.qualification = value;
    else if (key == "framework") r.framework = value;
    else if (key == "target_country") r.target_country = value;
    else if (key == "target_framework") r.target_framework = value;
    else if (key == "sector") r.sector = value;
    else if (key == "lang") {
      r.lang = value;
      if (r.lang.empty()) return Status::Invalid("lang", "must be fr, es or en");
    } else if (key == "level") {
      auto n = DecodeUnsigned(value, "level");
      if (!n.ok()) return n.status();
      if (*n > 1000) return Status::NotFound("no level " + value, "level");
      r.level = static_cast<int64_t>(*n);
    } else if (key == "include_proposed" || key == "reverse") {
      auto b = DecodeBool(value, key);
      if (!b.ok()) return b.status();
      (key == "reverse" ? r.reverse : r.include_proposed) = *b;
    } else {
      return Status::Invalid(key, "unknown query parameter");
    }
  }
  if (r.lang.empty()) {
    auto header = req[beast_http::field::accept_language];
    r.lang = LangFromAcceptLanguage(std::string_view(header.data(), header.size()));
  }
  return r;
}

}  // namespace

std::string LangFromAcceptLanguage(std::string_view header) {
  std::string best;
  double best_q = 0;
  for (std::string_view item : CommaList(header)) {
    size_t semi = item.find(';');
    std::string tag(TrimOws(item.substr(0, semi)));
    double q = 1;
    if (semi != std::string_view::npos) {
      std::string param(TrimOws(item.substr(semi + 1)));
      if (param.rfind("q=", 0) == 0) q = std::strtod(param.c_str() + 2, nullptr);
    }
    std::string primary = tag.substr(0, tag.find('-'));
    for (auto& ch : primary) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if ((primary == "fr" || primary == "es" || primary == "en") && q > best_q) {
      best = primary;
      best_q = q;
    }
  }
  return best;
}

Response HandleEquivalences(const Request& req, const Target& target, const Deps& deps) {
  if (req.method() != beast_http::verb::get) {
    auto res = ErrorResponse(Status(Code::kUnimplemented, std::string(req.method_string()) +
                                                              " is not allowed on " + target.path),
                             req.version(), req.keep_alive(), 405);
    res.set(beast_http::field::allow, "GET");
    return res;
  }
  auto request = DecodeQuery(req, target);
  if (!request.ok()) return ErrorResponse(request.status(), req.version(), req.keep_alive());
  std::unique_ptr<service::EquivalenceService> own;
  service::EquivalenceService* equivalences = deps.equivalences;
  if (equivalences == nullptr) {
    own = std::make_unique<service::EquivalenceService>(deps.service);
    equivalences = own.get();
  }
  auto answer = equivalences->Lookup(*request);
  if (!answer.ok()) return ErrorResponse(answer.status(), req.version(), req.keep_alive());
  return JsonResponse(200, *answer, req.version(), req.keep_alive());
}

}  // namespace passerelle::http
