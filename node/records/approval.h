// Agreement approval. Each party's member approves, from its own node, the hash of the
// exact terms (the family's terms_fields); the approval is stored in the agreement as a
// field "approval.<member>" = {terms, at, user} that only that member's ops may set
// (the fold enforces it). Once any party has approved, the status shown is derived:
// "signed" when every approver — every owner, and every member acting for a party even
// if the owners lost it (a concurrent owners change, a peer's dishonest create) — has
// approved the current terms; a change of terms makes earlier approvals stale, so it is
// back to "proposed" until all approve again. "signed" cannot be set by hand.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "node/records/family.h"

namespace passerelle::records {

inline constexpr std::string_view kApprovalPrefix = "approval.";
inline bool IsApprovalField(std::string_view name) { return name.starts_with(kApprovalPrefix); }

// Hex BLAKE2b-256 of the canonical JSON of the terms fields present in `fields`.
std::string TermsHash(const Family& family, const nlohmann::json& fields);

// Rewrites a record as the API shows it: approval.* fields gathered into
// "approvals": {member: {terms, at, user, current}}, "terms_hash" added and "status"
// derived as above. Records of families without terms are returned unchanged.
// `terms_hash` may pass the hash when already known ("" computes it); `approvers` as
// above (RecordService::Approvers).
nlohmann::json PresentWithApprovals(const Family& family, nlohmann::json record,
                                    const std::string& terms_hash,
                                    const std::vector<std::string>& approvers);

// The status PresentWithApprovals shows for a record of a family with terms, from its
// stored fields (approval.* included), approvers and current terms hash; "" if none.
std::string ShownStatus(const nlohmann::json& fields, const std::vector<std::string>& approvers,
                        const std::string& terms_hash);

}  // namespace passerelle::records
