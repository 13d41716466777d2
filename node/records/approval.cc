#include "node/records/approval.h"

#include <sodium.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace passerelle::records {

using nlohmann::json;

namespace {

// The CBOR head of a text string of `length` bytes, as json::to_cbor writes it.
void HashTextHead(crypto_generichash_state* state, size_t length) {
  uint8_t head[9];
  size_t n = 0;
  auto big_endian = [&](uint8_t major, uint64_t v, size_t bytes) {
    head[n++] = major;
    for (size_t i = bytes; i-- > 0;) head[n++] = static_cast<uint8_t>(v >> (8 * i));
  };
  if (length <= 0x17) head[n++] = static_cast<uint8_t>(0x60 + length);
  else if (length <= 0xFF) big_endian(0x78, length, 1);
  else if (length <= 0xFFFF) big_endian(0x79, length, 2);
  else if (length <= 0xFFFFFFFFu) big_endian(0x7A, length, 4);
  else big_endian(0x7B, length, 8);
  crypto_generichash_update(state, head, n);
}

void HashText(crypto_generichash_state* state, std::string_view text) {
  HashTextHead(state, text.size());
  crypto_generichash_update(state, reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

}  // namespace

// The bytes hashed are json::to_cbor of an object holding the present terms fields (keys
// in byte order, as nlohmann's std::map keeps them); text values are hashed where they
// are, other values (lists, maps) encoded first.
std::string TermsHash(const Family& family, const json& fields) {
  std::vector<std::string_view> names(family.terms_fields.begin(), family.terms_fields.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::vector<const json*> values(names.size(), nullptr);
  size_t present = 0;
  if (fields.is_object())
    for (size_t i = 0; i < names.size(); ++i)
      if (auto it = fields.find(names[i]); it != fields.end()) values[i] = &*it, ++present;
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  // The map's head: terms_fields are far fewer than 256.
  const uint8_t map_head[2] = {static_cast<uint8_t>(present <= 23 ? 0xA0 + present : 0xB8),
                               static_cast<uint8_t>(present)};
  crypto_generichash_update(&state, map_head, present <= 23 ? 1 : 2);
  std::vector<uint8_t> encoded;
  for (size_t i = 0; i < names.size(); ++i) {
    if (values[i] == nullptr) continue;
    HashText(&state, names[i]);
    if (values[i]->is_string()) {
      HashText(&state, values[i]->get_ref<const std::string&>());
    } else {
      encoded.clear();
      json::to_cbor(*values[i], encoded);
      crypto_generichash_update(&state, encoded.data(), encoded.size());
    }
  }
  unsigned char hash[32];
  crypto_generichash_final(&state, hash, sizeof hash);
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
