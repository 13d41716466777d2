// Record families: for each kind of record (agreement, deliverable, level mapping…)
// the fields it may hold and their rules, its secondary indexes, and where its owners
// come from. The tables live in families.cc; this is the one place such rules are
// written. Pure data + pure functions; no storage here.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace passerelle::records {

enum class FieldType {
  kString,      // one-line text, max_len (default 300)
  kText,        // free text, max_len (default 5000)
  kId,          // record id: [A-Za-z0-9][A-Za-z0-9._-]*, at most 100 chars
  kRef,         // id of an existing record of ref_kind
  kWeakRef,     // id of a record of ref_kind, not checked for existence (cross links)
  kDate,        // ISO 8601 YYYY, YYYY-MM or YYYY-MM-DD
  kCountry,     // ISO 3166-1 alpha-2
  kEnum,        // one of `values`
  kInt,         // integer in [min, max]
  kNumber,      // any finite number in [min, max]
  kBool,
  kObject,      // nested object with `children`
  kNumberMap,   // object of name -> number (breakdowns)
  kStringMap,   // object of name -> short text
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  bool list = false;      // an array of the type (max_items elements)
  bool required = false;
  std::string ref_kind;   // kRef / kWeakRef
  std::vector<std::string> values;  // kEnum
  double min = 0, max = 1e15;       // kInt / kNumber
  size_t max_len = 0;               // strings: 0 = type default
  size_t max_items = 200;           // lists and maps
  std::vector<FieldSpec> children;  // kObject
};

// What an index reads of a record: its content fields, and its owners and terms hash for
// values the API derives (an agreement's shown status, approval.h).
struct IndexedRecord {
  const nlohmann::json& fields;
  // Whose approval of the current terms makes it signed (approval.h): its owners and,
  // for a family with terms, the members acting for the institutions it names.
  const std::vector<std::string>& approvers;
  const std::string& terms_hash;
};

// A rule across fields (date order, women + men <= total). `check` sees a whole record
// whose fields are already typed; `fields` names every top-level field it reads (a local
// update that changes none of them cannot have broken it: Validate's `before`).
struct CrossFieldRule {
  std::vector<std::string> fields;
  std::function<Status(const nlohmann::json& fields)> check;
  // Newer than records older nodes stored: binds this node's own writes (a create, an
  // update of `fields`), not peers' ops (Validate's `local`).
  bool local_only = false;
};

// A secondary index: for a record, the values it is found under.
struct IndexSpec {
  std::string name;    // also the List filter name: ?party=inmq
  std::function<std::vector<std::string>(const IndexedRecord& record)> values;
  // Values that sort as text in their own order (ISO dates): the index also takes an
  // upper bound (?end_date_before=2027-01-01). Others (ids, "fw:10") take equality only.
  bool ordered = false;
};

struct Family {
  std::string kind;     // "agreement"; ops and storage keys use it
  std::string plural;   // "agreements"; REST paths and list keys use it
  std::vector<FieldSpec> fields;
  std::vector<IndexSpec> indexes;
  // Rules across fields, checked on whole records only (a local write, a peer's create),
  // in order; the first that fails is reported.
  std::vector<CrossFieldRule> rules;
  // Rules on one field's value alone, checked on whole records and on a peer's update
  // alike (which `rules` cannot judge); the value is already typed. May be empty.
  std::function<Status(const std::string& name, const nlohmann::json& value)> field_check;
  // Owners are the members acting for the institutions named in these fields…
  std::vector<std::string> owner_institution_fields;
  // …or, failing that, the owners of the record referenced by these (kind, field) pairs.
  std::vector<std::pair<std::string, std::string>> owner_parents;
  // Agreements: the fields that make up the terms every party approves (approval.h).
  // Empty for families without approvals.
  std::vector<std::string> terms_fields;
  // Nested under a parent in REST: /projects/{id}/deliverables (parent_field = "project").
  std::string parent_kind, parent_field;
  // Fields whose words the search index holds (service/search_index.h), the title-like
  // field first: it is the result's title. Strings or lists of strings.
  std::vector<std::string> search_fields;
};

const std::vector<Family>& Families();
// By kind ("agreement") or plural ("agreements"); nullptr if unknown.
const Family* FindFamily(std::string_view name);

// A reference from a record to another, to be checked for existence by the caller.
struct Reference {
  std::string field;  // "parties[1]"
  std::string kind;
  std::string id;
};

// Checks `fields` (a whole record, without meta) against the family: types, required,
// formats, enums, lengths, cross-field rules. Unknown fields are refused. On success
// fills `refs` with the references to check.
// `before`, for a local update, is the record's state that `fields` changes. A cross-field
// rule that `fields` breaks is then refused only if it held on `before` or the update
// changed a field it reads: a rule broken already (concurrent edits merged field by field,
// each valid where it was made) does not block edits of other fields, nor is it reported
// for them; an edit of its fields must leave it holding.
// `local`: a create by this node, held to the rules peers' ops are not (a rule's
// local_only, stricter string and number checks) so that what older versions stored
// still travels; an update passes `before` and is held to them for what it changes.
Status Validate(const Family& family, const nlohmann::json& fields, std::vector<Reference>* refs,
                const nlohmann::json* before = nullptr, bool local = false);

// Checks a partial change set (an update op's fields): each value present against its
// field's rules, null only for optional fields, no unknown or meta fields. Cross-field
// rules need the whole record and are not checked here.
Status ValidateChanges(const Family& family, const nlohmann::json& changes, bool local = false);

bool IsValidId(std::string_view id);
// The spec named `name` among `specs` (a family's fields, an object's children); null if none.
const FieldSpec* FindField(const std::vector<FieldSpec>& specs, std::string_view name);
bool IsValidDate(std::string_view date);
bool IsCountryCode(std::string_view code);

}  // namespace passerelle::records
