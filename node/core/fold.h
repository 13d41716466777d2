// The fold: a record's state is a pure function of the set of its ops. Ops are applied
// in (hlc, origin) order, each field last-writer-wins; an op whose author is not an
// owner at that point has no effect and is reported as refused. Same set of ops =>
// same state, whatever order they arrived in.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/op.h"

namespace passerelle::core {

// Personal fields: a field named "approval.<member>" may be set only by that member's
// ops (an agreement party's approval); an op setting another member's is refused.
inline constexpr std::string_view kPersonalFieldPrefix = "approval.";

struct RecordState {
  std::string kind;
  std::string id;
  nlohmann::json fields = nlohmann::json::object();  // content fields (no meta)
  std::vector<std::string> owners;                   // sorted member ids
  uint64_t version = 0;                              // number of ops that took effect
  Hlc created_hlc = 0;
  Hlc updated_hlc = 0;
  std::string updated_by;    // "member/user" of the last op that took effect
  bool exists = false;       // a create took effect
  bool deleted = false;      // tombstoned (exists stays true)
  Hlc last_hlc = 0;          // sort key of the last op folded in, effective or not
  std::string last_origin;
  std::string terms_hash;    // cached by the store for families with terms (approval.h)

  bool live() const { return exists && !deleted; }
};

enum class OpEffect {
  kApplied,
  kNotOwner,   // author was not an owner of the record at that point
  kNoRecord,   // update/delete of a record that does not exist (yet)
  kBadOwners,  // a create/update whose owners list is malformed or excludes its author
};
const char* OpEffectName(OpEffect e);

// The fold's order: by hlc, then origin, then seq.
bool FoldsBefore(const Op& a, const Op& b);

// True when `op` sorts after every op already folded into `state`, so Apply alone
// gives the same result as a full Fold.
bool SortsAfter(const RecordState& state, const Op& op);

// Folds one more op into `state`. Precondition: SortsAfter(state, op).
OpEffect Apply(RecordState* state, const Op& op);

// Folds a whole set of ops (any order, duplicates ignored) of one record.
RecordState Fold(std::vector<Op> ops);

// The state with meta as the API shows it: fields + id, owners, version,
// created_at, updated_at.
nlohmann::json RecordToJson(const RecordState& state);
// The same, moving the fields out of `state` (its other members are left as they were).
nlohmann::json RecordToJson(RecordState&& state);

// Binary encoding (meta as varints and length-prefixed strings, then the fields as JSON
// text). Decode accepts hostile bytes: DATA_LOSS on anything malformed.
std::string EncodeRecordState(const RecordState& state);
Result<RecordState> DecodeRecordState(std::string_view bytes);
// Whether an encoded state is a live record, reading only its first bytes.
bool EncodedStateIsLive(std::string_view bytes);

}  // namespace passerelle::core
