#include "node/records/approval.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace passerelle::records {

using nlohmann::json;

// The bytes are json::to_cbor of an object holding the present terms fields (keys in
// byte order, as nlohmann's std::map keeps them), written without copying the values.
std::string TermsHash(const Family& family, const json& fields) {
  std::vector<std::string_view> names(family.terms_fields.begin(), family.terms_fields.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<const json*> values(names.size(), nullptr);
  size_t present = 0;
  if (fields.is_object())
    for (size_t i = 0; i < names.size(); ++i)
      if (auto it = fields.find(names[i]); it != fields.end()) values[i] = &*it, ++present;
  std::vector<uint8_t> text;
  if (present <= 23) {
    text.push_back(static_cast<uint8_t>(0xA0 + present));
  } else {  // terms_fields are far fewer than 256
    text.push_back(0xB8);
    text.push_back(static_cast<uint8_t>(present));
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (values[i] == nullptr) continue;
    json::to_cbor(json(names[i]), text);
    json::to_cbor(*values[i], text);
  }
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

namespace {

// The shown status from the stored one: approvals, once there are any, decide between
// signed (every owner approved the current terms) and proposed; ended agreements keep
// their stored status.
std::string DerivedStatus(const std::string& stored, bool any_approval, bool all_current) {
  if (!any_approval || stored == "expired" || stored == "terminated") return stored;
  if (all_current) return stored == "active" ? "active" : "signed";
  return "proposed";
}

bool IsCurrentApproval(const json& approval, const std::string& terms_hash) {
  auto t = approval.find("terms");
  return approval.is_object() && t != approval.end() && *t == terms_hash;
}

}  // namespace

std::string ShownStatus(const json& fields, const std::vector<std::string>& approvers,
                        const std::string& terms_hash) {
  if (!fields.is_object()) return "";
  const auto& object = fields.get_ref<const json::object_t&>();
  auto first = object.lower_bound(std::string(kApprovalPrefix));
  bool any = first != object.end() && IsApprovalField(first->first);
  bool all_current = !approvers.empty();
  for (const auto& approver : approvers) {
    auto a = object.find(std::string(kApprovalPrefix) + approver);
    all_current &= a != object.end() && IsCurrentApproval(a->second, terms_hash);
  }
  auto st = object.find("status");
  return DerivedStatus(st != object.end() && st->second.is_string() ? st->second.get<std::string>() : "",
                       any, all_current);
}

json PresentWithApprovals(const Family& family, json record, const std::string& terms_hash,
                          const std::vector<std::string>& approvers) {
  if (family.terms_fields.empty() || !record.is_object()) return record;
  std::string current = terms_hash.empty() ? TermsHash(family, record) : terms_hash;
  const std::string shown = ShownStatus(record, approvers, current);  // before approvals move
  json approvals = json::object();
  for (auto it = record.begin(); it != record.end();) {
    if (IsApprovalField(it.key())) {
      json a = it.value().is_object() ? it.value() : json::object();
      a["current"] = IsCurrentApproval(a, current);
      approvals[it.key().substr(kApprovalPrefix.size())] = a;
      it = record.erase(it);
    } else {
      ++it;
    }
  }
  if (!shown.empty()) record["status"] = shown;
  if (!approvals.empty()) record["approvals"] = approvals;  // absent, as over gRPC, when none
  record["terms_hash"] = current;
  return record;
}

}  // namespace passerelle::records
