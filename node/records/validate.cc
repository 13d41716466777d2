// Validation of a record against its family's field table (family.h).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>

#include "node/records/approval.h"
#include "node/records/family.h"

namespace passerelle::records {
namespace {

using nlohmann::json;

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Well-formed UTF-8: no stray continuation byte, overlong form, surrogate or code point
// past U+10FFFF. (Peers' ops arrive as CBOR, which does not check it.)
bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// C0 controls (line breaks where `multiline` excepted). For this node's own writes
// (`local`) also DEL, the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F) and a tab
// outside multi-line text; a peer's op is held to the rule every version has applied
// (a tab anywhere, no DEL or C1 check), so that what an older node stored still travels.
bool HasControlChars(std::string_view s, bool multiline, bool local) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (local && c == 0x7F) return true;
    if (local && c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
    if (c >= 0x20) continue;
    if (c == '\t' && (multiline || !local)) continue;
    if (multiline && (c == '\n' || c == '\r')) continue;
    return true;
  }
  return false;
}

// The length of s's leading run of printable ASCII (0x20..0x7E), eight bytes at a time:
// such bytes are whole characters that none of the checks above refuse, so text is
// checked byte by byte only from the first other byte (most text never has one).
size_t PrintableAsciiPrefix(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    uint64_t del = w ^ (0x7F * kOnes);
    // Any byte >= 0x80, any byte < 0x20, any byte == 0x7F (exact as yes/no tests).
    if ((w | ((w - 0x20 * kOnes) & ~w) | ((del - kOnes) & ~del)) & kHigh) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) >= 0x20 && static_cast<unsigned char>(s[i]) < 0x7F) ++i;
  return i;
}

enum class TextFault { kNone, kBadUtf8, kTooLong, kControl };

// The first fault of s as text, in the order the checks are reported: UTF-8, length
// (characters), control characters (HasControlChars).
TextFault CheckText(std::string_view s, size_t max_len, bool multiline, bool local) {
  size_t ascii = PrintableAsciiPrefix(s);
  std::string_view rest = s.substr(ascii);
  if (!IsValidUtf8(rest)) return TextFault::kBadUtf8;
  if (ascii + Utf8Length(rest) > max_len) return TextFault::kTooLong;
  if (HasControlChars(rest, multiline, local)) return TextFault::kControl;
  return TextFault::kNone;
}

}  // namespace

std::string JoinValues(const std::vector<std::string>& v);

namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

const char* TypeName(FieldType t) {
  switch (t) {
    case FieldType::kInt: return "an integer";
    case FieldType::kNumber: return "a number";
    case FieldType::kBool: return "true or false";
    case FieldType::kObject:
    case FieldType::kNumberMap:
    case FieldType::kStringMap: return "an object";
    default: return "a string";
  }
}

class Validator {
 public:
  // `local`: this node's own write, held to the stricter rules (HasControlChars, number
  // map bounds); otherwise a peer's op.
  Validator(std::vector<Reference>* refs, bool local) : refs_(refs), local_(local) {}
  bool local() const { return local_; }

  Status Object(const std::vector<FieldSpec>& specs, const json& obj, const std::string& path) {
    if (!obj.is_object()) return Status::Invalid(path.empty() ? "body" : path, "must be an object");
    // Unknown fields: if every key of obj matched a spec, there are none; only then
    // is the (rare) search for the culprit needed.
    size_t matched = 0;
    for (const auto& spec : specs) matched += obj.contains(spec.name);
    if (matched != obj.size())
      for (const auto& [name, value] : obj.items())
        if (FindField(specs, name) == nullptr) return Status::Invalid(Join(path, name), "unknown field");
    for (const auto& spec : specs) {
      std::string field = Join(path, spec.name);
      auto it = obj.find(spec.name);
      if (it == obj.end() || it->is_null()) {
        if (spec.required) return Status::Invalid(field, "is required");
        if (it != obj.end()) return Status::Invalid(field, "must not be null");
        continue;
      }
      if (spec.list) {
        if (!it->is_array()) return Status::Invalid(field, "must be a list");
        if (it->size() > spec.max_items)
          return Status::Invalid(field, "has more than " + std::to_string(spec.max_items) + " items");
        if (spec.required && it->empty()) return Status::Invalid(field, "must not be empty");
        std::set<std::string> seen;
        for (size_t i = 0; i < it->size(); ++i) {
          std::string item = field + "[" + std::to_string(i) + "]";
          PASSERELLE_RETURN_IF_ERROR(Value(spec, (*it)[i], item));
          if ((*it)[i].is_string() && IsIdLike(spec.type) && !seen.insert((*it)[i].get<std::string>()).second)
            return Status::Invalid(item, "duplicate " + (*it)[i].get<std::string>());
        }
      } else {
        PASSERELLE_RETURN_IF_ERROR(Value(spec, *it, field));
      }
    }
    // A framework level named by an object (a qualification, a mapping's side).
    auto fw = obj.find("framework_id");
    auto lv = obj.find("level");
    if (fw != obj.end() && lv != obj.end() && fw->is_string() && lv->is_number_integer())
      refs_->push_back({Join(path, "level"), "framework_level",
                        fw->get<std::string>() + ":" + std::to_string(lv->get<int64_t>())});
    return Status::Ok();
  }

 private:
  static std::string Join(const std::string& path, const std::string& name) {
    return path.empty() ? name : path + "." + name;
  }
  static bool IsIdLike(FieldType t) {
    return t == FieldType::kRef || t == FieldType::kWeakRef || t == FieldType::kCountry;
  }

  Status String(const json& v, const std::string& field, size_t max_len, bool multiline) {
    if (!v.is_string()) return Status::Invalid(field, "must be a string");
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) return Status::Invalid(field, "must not be empty");
    switch (CheckText(s, max_len, multiline, local_)) {
      case TextFault::kNone: return Status::Ok();
      case TextFault::kBadUtf8: return Status::Invalid(field, "is not valid UTF-8");
      case TextFault::kTooLong:
        return Status::Invalid(field, "longer than " + std::to_string(max_len) + " characters");
      case TextFault::kControl: return Status::Invalid(field, "contains control characters");
    }
    return Status::Ok();
  }

  Status Value(const FieldSpec& spec, const json& v, const std::string& field) {
    switch (spec.type) {
      case FieldType::kString:
        return String(v, field, spec.max_len ? spec.max_len : 300, false);
      case FieldType::kText:
        return String(v, field, spec.max_len ? spec.max_len : 5000, true);
      case FieldType::kId:
      case FieldType::kRef:
      case FieldType::kWeakRef: {
        if (!v.is_string() || !IsValidId(v.get_ref<const std::string&>()))
          return Status::Invalid(field, "must be an id: letters, digits, '.', '_' or '-', at most 100");
        if (spec.type == FieldType::kRef) refs_->push_back({field, spec.ref_kind, v.get<std::string>()});
        return Status::Ok();
      }
      case FieldType::kDate:
        if (!v.is_string() || !IsValidDate(v.get_ref<const std::string&>()))
          return Status::Invalid(field, "must be an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD");
        return Status::Ok();
      case FieldType::kCountry:
        if (!v.is_string() || !IsCountryCode(v.get_ref<const std::string&>()))
          return Status::Invalid(field, "must be an ISO 3166-1 alpha-2 country code");
        return Status::Ok();
      case FieldType::kEnum:
        if (!v.is_string() || std::find(spec.values.begin(), spec.values.end(), v.get_ref<const std::string&>()) == spec.values.end())
          return Status::Invalid(field, "must be one of: " + records::JoinValues(spec.values));
        return Status::Ok();
      case FieldType::kInt:
        if (!v.is_number_integer())
          return Status::Invalid(field, "must be an integer");
        return Range(spec, v.get<double>(), field);
      case FieldType::kNumber:
        if (!v.is_number() || !std::isfinite(v.get<double>()))
          return Status::Invalid(field, "must be a number");
        return Range(spec, v.get<double>(), field);
      case FieldType::kBool:
        if (!v.is_boolean()) return Status::Invalid(field, "must be true or false");
        return Status::Ok();
      case FieldType::kObject:
        return Object(spec.children, v, field);
      case FieldType::kNumberMap:
      case FieldType::kStringMap: {
        if (!v.is_object()) return Status::Invalid(field, std::string("must be ") + TypeName(spec.type));
        if (v.size() > spec.max_items) return Status::Invalid(field, "has too many entries");
        for (const auto& [k, x] : v.items()) {
          std::string sub = field + "." + k;
          if (k.empty() || CheckText(k, 100, false, local_) != TextFault::kNone)
            return Status::Invalid(sub, "bad key");
          if (spec.type == FieldType::kNumberMap) {
            if (!x.is_number() || !std::isfinite(x.get<double>())) return Status::Invalid(sub, "must be a number");
            // As for number fields: past 2^53 a double (gRPC) and JSON would disagree.
            if (local_ && std::fabs(x.get<double>()) > 1e15)
              return Status::Invalid(sub, "must be between -1e15 and 1e15");
          } else {
            PASSERELLE_RETURN_IF_ERROR(String(x, sub, spec.max_len ? spec.max_len : 300, true));
          }
        }
        return Status::Ok();
      }
    }
    return Status::Internal("unhandled field type");
  }

  Status Range(const FieldSpec& spec, double x, const std::string& field) {
    if (x < spec.min || x > spec.max) {
      auto fmt = [](double d) { return std::to_string(static_cast<int64_t>(d)); };
      return Status::Invalid(field, "must be between " + fmt(spec.min) + " and " + fmt(spec.max));
    }
    return Status::Ok();
  }

  std::vector<Reference>* refs_;
  bool local_;
};

// An approval ("approval.<member>": {terms, at, user}), as a create or an update sets it.
Status CheckApproval(const std::string& name, const nlohmann::json& value) {
  if (!IsValidId(std::string_view(name).substr(kApprovalPrefix.size())))
    return Status::Invalid(name, "approval of an invalid member id");
  bool ok = value.is_object() && value.contains("terms") && value["terms"].is_string() &&
            value["terms"].get_ref<const std::string&>().size() == 64;
  if (ok)
    for (const auto& [key, v] : value.items())
      ok = ok && (key == "terms" || ((key == "at" || key == "user") && v.is_string()));
  if (!ok) return Status::Invalid(name, "approval must be {terms, at, user}");
  return Status::Ok();
}

// Whether a field `rule` reads differs between `before` and `after` (set, cleared or changed).
bool Changes(const CrossFieldRule& rule, const nlohmann::json& before, const nlohmann::json& after) {
  for (const auto& name : rule.fields) {
    auto b = before.find(name), a = after.find(name);
    if ((b == before.end()) != (a == after.end()) || (b != before.end() && *b != *a)) return true;
  }
  return false;
}

// A whole record's fields: each field typed, then the rules on single fields and
// across fields (a rule `before` already broke, on fields left as they were, is passed
// over: family.h, Validate).
Status CheckRecord(const Family& family, Validator& v, const nlohmann::json& fields,
                   const nlohmann::json* before) {
  PASSERELLE_RETURN_IF_ERROR(v.Object(family.fields, fields, ""));
  if (family.field_check)
    for (const auto& [name, value] : fields.items())
      PASSERELLE_RETURN_IF_ERROR(family.field_check(name, value));
  for (const auto& rule : family.rules) {
    // A rule newer than some stored records binds this node's creates, and its updates
    // of the rule's fields; not peers' ops (what older nodes wrote still travels).
    if (rule.local_only && !v.local() && !(before != nullptr && Changes(rule, *before, fields))) continue;
    Status s = rule.check(fields);
    if (s.ok()) continue;
    if (before != nullptr && !Changes(rule, *before, fields) && !rule.check(*before).ok()) continue;
    return s;
  }
  return Status::Ok();
}

}  // namespace

std::string JoinValues(const std::vector<std::string>& v) { return Join(v); }

Status ValidateChanges(const Family& family, const nlohmann::json& changes, bool local) {
  if (!changes.is_object()) return Status::Invalid("fields", "must be an object");
  std::vector<Reference> refs;
  Validator v(&refs, local);
  for (const auto& [name, value] : changes.items()) {
    if (!family.terms_fields.empty() && IsApprovalField(name)) {
      PASSERELLE_RETURN_IF_ERROR(CheckApproval(name, value));
      continue;
    }
    const FieldSpec* spec = FindField(family.fields, name);
    if (spec == nullptr) return Status::Invalid(name, "unknown field");
    if (value.is_null()) {
      if (spec->required) return Status::Invalid(name, "is required");
      continue;
    }
    FieldSpec optional = *spec;
    optional.required = false;
    PASSERELLE_RETURN_IF_ERROR(v.Object({optional}, nlohmann::json{{name, value}}, ""));
    if (family.field_check) PASSERELLE_RETURN_IF_ERROR(family.field_check(name, value));
  }
  return Status::Ok();
}

const FieldSpec* FindField(const std::vector<FieldSpec>& specs, std::string_view name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 100 || !std::isalnum(static_cast<unsigned char>(id[0]))) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

bool IsValidDate(std::string_view d) {
  auto digits = [&](size_t pos, size_t n) {
    for (size_t i = pos; i < pos + n; ++i)
      if (!std::isdigit(static_cast<unsigned char>(d[i]))) return false;
    return true;
  };
  auto num = [&](size_t pos, size_t n) { return std::stoi(std::string(d.substr(pos, n))); };
  if (d.size() != 4 && d.size() != 7 && d.size() != 10) return false;
  if (!digits(0, 4)) return false;
  int year = num(0, 4);
  if (year < 1000) return false;
  if (d.size() == 4) return true;
  if (d[4] != '-' || !digits(5, 2)) return false;
  int month = num(5, 2);
  if (month < 1 || month > 12) return false;
  if (d.size() == 7) return true;
  if (d[7] != '-' || !digits(8, 2)) return false;
  int day = num(8, 2);
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int max_day = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day >= 1 && day <= max_day;
}

Status Validate(const Family& family, const nlohmann::json& fields, std::vector<Reference>* refs,
                const nlohmann::json* before, bool local) {
  refs->clear();
  Validator v(refs, local);
  if (!family.terms_fields.empty() && fields.is_object()) {
    // Approvals ride along as "approval.<member>" fields (approval.h); check them here
    // and the ordinary fields below.
    nlohmann::json ordinary = nlohmann::json::object();
    for (const auto& [name, value] : fields.items()) {
      if (!IsApprovalField(name)) {
        ordinary[name] = value;
        continue;
      }
      PASSERELLE_RETURN_IF_ERROR(CheckApproval(name, value));
    }
    return CheckRecord(family, v, ordinary, before);
  }
  return CheckRecord(family, v, fields, before);
}

}  // namespace passerelle::records
