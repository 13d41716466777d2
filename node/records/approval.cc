#include "node/records/approval.h"

#include <sodium.h>

namespace passerelle::records {

using nlohmann::json;

std::string TermsHash(const Family& family, const json& fields) {
  json terms = json::object();
  for (const auto& name : family.terms_fields)
    if (auto it = fields.find(name); it != fields.end()) terms[name] = *it;
  std::vector<uint8_t> text = json::to_cbor(terms);  // deterministic: keys sorted
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  static const char* kDigits = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : hash) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

json PresentWithApprovals(const Family& family, json record, const std::string& terms_hash) {
  if (family.terms_fields.empty() || !record.is_object()) return record;
  std::string current = terms_hash.empty() ? TermsHash(family, record) : terms_hash;
  json approvals = json::object();
  for (auto it = record.begin(); it != record.end();) {
    if (IsApprovalField(it.key())) {
      json a = it.value().is_object() ? it.value() : json::object();
      a["current"] = a.contains("terms") && a["terms"] == current;
      approvals[it.key().substr(kApprovalPrefix.size())] = a;
      it = record.erase(it);
    } else {
      ++it;
    }
  }
  bool all_current = record.contains("owners") && !record["owners"].empty();
  for (const auto& owner : record.value("owners", json::array()))
    all_current &= owner.is_string() && approvals.contains(owner.get<std::string>()) &&
                   approvals[owner.get<std::string>()]["current"].get<bool>();
  auto st = record.find("status");
  std::string stored = st != record.end() && st->is_string() ? st->get<std::string>() : "";
  if (approvals.empty() || stored == "expired" || stored == "terminated") {
    // nothing approved yet, or an ended agreement: the status is as stored
  } else if (all_current) {
    record["status"] = stored == "active" ? "active" : "signed";
  } else {
    record["status"] = "proposed";  // some party has not approved the current terms
  }
  if (!approvals.empty()) record["approvals"] = approvals;  // absent, as over gRPC, when none
  record["terms_hash"] = current;
  return record;
}

}  // namespace passerelle::records
