// libFuzzer target over REST request decoding and validation. An input is
//   <family kind or plural>\n<METHOD> <request target>\n[<Header>: <value>\n]...<JSON body>
// decoded as the REST adapter does (node/http request_decoding.h, target.h), then
// validated (records::Validate). Never crashes; every refusal is INVALID_ARGUMENT naming
// a field; an accepted record survives op encoding, the fold and state encoding intact.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "node/core/fold.h"
#include "node/core/json_text.h"
#include "node/core/op.h"
#include "node/http/request_decoding.h"
#include "node/http/target.h"
#include "node/records/family.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace passerelle;
using nlohmann::json;

// Meta fields a client may send back with a record; the service strips them before
// validating (service::ContentFields), so the fuzzer does the same for writes.
constexpr std::string_view kMetaFields[] = {"owners", "version", "created_at", "updated_at",
                                            "updated_by"};

// FUZZ_VERBOSE=1 prints each input's validation outcome (for reading a reproducer).
const bool kVerbose = std::getenv("FUZZ_VERBOSE") != nullptr;

std::string_view NextLine(std::string_view* in) {
  size_t eol = in->find('\n');
  std::string_view line = in->substr(0, eol);
  in->remove_prefix(eol == std::string_view::npos ? in->size() : eol + 1);
  return line;
}

void CheckRefusal(const Status& s, std::string_view expected_field) {
  FUZZ_CHECK(s.code() == Code::kInvalidArgument, s.ToString());
  FUZZ_CHECK(!s.message().empty(), s.ToString());
  // An unknown field may be named "" (a body like {"": 1}); every other refusal names one.
  bool named = !s.field().empty() || s.message() == "unknown field";
  FUZZ_CHECK(expected_field.empty() ? named : s.field() == expected_field, s.ToString());
}

// "If-Match: 3": a header name is letters, digits and '-'; the first other line is the body.
bool NextHeader(std::string_view* in, std::string_view* name, std::string_view* value) {
  size_t colon = in->find(':'), eol = in->find('\n');
  if (colon == 0 || colon == std::string_view::npos || colon > eol) return false;
  for (char c : in->substr(0, colon))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  std::string_view line = NextLine(in);
  *name = line.substr(0, colon);
  *value = line.substr(colon + 1);
  if (!value->empty() && value->front() == ' ') value->remove_prefix(1);
  return true;
}

// Beast 1.74 has its own string_view.
boost::beast::string_view Beast(std::string_view s) { return {s.data(), s.size()}; }

// Beast's parser only hands on a request line of visible characters.
bool IsVisible(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return !s.empty();
}

// The decoding the REST adapter does before it calls the service.
void DecodeRequest(const http::Request& request) {
  auto target = http::ParseTarget({request.target().data(), request.target().size()});
  if (!target.ok()) {
    CheckRefusal(target.status(), "");
    FUZZ_CHECK(target.status().field() == "path" || target.status().field() == "query",
               target.status().ToString());
    return;
  }
  FUZZ_CHECK(!target->path.empty() && target->path[0] == '/', target->path);
  for (const auto& segment : target->segments) FUZZ_CHECK(!segment.empty(), target->path);

  auto version = http::DecodeExpectedVersion(request, *target);
  if (!version.ok()) CheckRefusal(version.status(), "");
  for (std::string_view name : {"page_size", "update_mask"}) {
    auto param = http::QueryParam(*target, name);
    if (!param.ok()) {
      CheckRefusal(param.status(), name);
      continue;
    }
    if (!param->has_value()) continue;
    if (name == "page_size") {
      auto n = http::DecodeUnsigned(**param, name);
      if (!n.ok()) CheckRefusal(n.status(), name);
    } else {
      auto mask = http::DecodeFieldMask(**param);
      if (!mask.ok())
        CheckRefusal(mask.status(), "update_mask");
      else
        FUZZ_CHECK(!mask->empty(), **param);
    }
  }
}

// What the service would validate for this method: a create's record without meta, or
// an update's patch with cleared (null) fields dropped; anything else as sent.
json Content(std::string_view method, json body) {
  if (!body.is_object() || (method != "POST" && method != "PATCH" && method != "PUT")) return body;
  for (auto name : kMetaFields) body.erase(std::string(name));
  if (method != "POST")
    for (auto it = body.begin(); it != body.end();) it = it->is_null() ? body.erase(it) : ++it;
  return body;
}

// An accepted record becomes a create op; encoding, decoding and folding keep it intact.
void RoundTrip(const records::Family& family, const json& fields) {
  core::Op op;
  op.origin = "fuzz";
  op.seq = 1;
  op.hlc = core::MakeHlc(1'700'000'000'000, 1);
  op.author = "fuzz";
  op.type = core::OpType::kCreate;
  op.kind = family.kind;
  auto id = fields.find("id");
  op.record_id = id != fields.end() && id->is_string() ? id->get<std::string>() : "no-id";
  op.fields = fields;
  op.fields["owners"] = json::array({"fuzz"});

  std::string bytes = core::EncodeOp(op);
  auto decoded = core::DecodeOp(bytes);
  FUZZ_CHECK(decoded.ok(), decoded.status().ToString());
  FUZZ_CHECK(decoded->fields == op.fields, core::DumpJson(op.fields));
  FUZZ_CHECK(core::EncodeOp(*decoded) == bytes, "op encoding is not stable");

  core::RecordState state = core::Fold({*decoded});
  FUZZ_CHECK(state.live() && state.fields == fields, core::DumpJson(state.fields));
  json shown = core::RecordToJson(state);
  FUZZ_CHECK(shown.at("version") == 1, core::DumpJson(shown));

  std::string stored = core::EncodeRecordState(state);
  auto reread = core::DecodeRecordState(stored);
  FUZZ_CHECK(reread.ok(), reread.status().ToString());
  FUZZ_CHECK(reread->fields == state.fields && reread->owners == state.owners,
             "record state encoding is not lossless");
  FUZZ_CHECK(core::EncodeRecordState(*reread) == stored, "record state encoding is not stable");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view family_name = NextLine(&in);
  std::string_view request_line = NextLine(&in);
  std::string_view method = request_line.substr(0, request_line.find(' '));
  std::string_view target =
      method.size() < request_line.size() ? request_line.substr(method.size() + 1) : "";

  http::Request request;
  request.set(http::beast_http::field::content_type, "application/json");
  std::string_view name, value;
  while (NextHeader(&in, &name, &value)) request.set(Beast(name), Beast(value));
  request.body() = std::string(in);
  if (IsVisible(method) && IsVisible(target)) {
    request.method_string(Beast(method));
    request.target(Beast(target));
    DecodeRequest(request);
  }
  (void)http::HasJsonContentType(request);

  auto body = core::ParseJson(in, "body");
  auto object_body = http::DecodeObjectBody(request);
  FUZZ_CHECK(object_body.ok() == (body.ok() && body->is_object()), "DecodeObjectBody disagrees");
  if (!object_body.ok()) CheckRefusal(object_body.status(), "body");
  if (!body.ok()) {
    CheckRefusal(body.status(), "body");
    return 0;
  }
  // Whatever parsed must serialise without throwing.
  (void)core::DumpJson(*body);

  const records::Family* family = records::FindFamily(family_name);
  if (family == nullptr) return 0;  // REST answers 404 before looking at the body

  json fields = Content(method, std::move(body).value());
  std::vector<records::Reference> refs;
  Status status = records::Validate(*family, fields, &refs);
  if (kVerbose) std::fprintf(stderr, "%s: %s\n", family->kind.c_str(), status.ToString().c_str());
  if (!status.ok()) {
    CheckRefusal(status, "");
    return 0;
  }
  for (const auto& ref : refs)
    FUZZ_CHECK(!ref.field.empty() && !ref.kind.empty() && !ref.id.empty(), ref.field);
  static const std::vector<std::string> kOwners = {"fuzz-member"};
  static const std::string kNoTermsHash;
  for (const auto& index : family->indexes) (void)index.values({fields, kOwners, kNoTermsHash});
  // Personal fields ("approval.<member>") are folded only from their member's ops; the
  // round trip below writes as one member, so it leaves them out.
  for (auto it = fields.begin(); it != fields.end();)
    it = it.key().starts_with(core::kPersonalFieldPrefix) ? fields.erase(it) : ++it;
  RoundTrip(*family, fields);
  return 0;
}
