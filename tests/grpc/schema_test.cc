// The .proto and the record families (node/records/families.cc) describe the same
// records: same field names, shapes and presence, recursively; and every seed record
// converts to its message and back unchanged. Keeps the two from drifting apart.
#include <google/protobuf/descriptor.h>

#include <climits>
#include <map>
#include <set>

#include "node/grpc/record_codec.h"
#include "node/records/family.h"
#include "node/service/seed_io.h"
#include "passerelle/v1/agreements.grpc.pb.h"
#include "passerelle/v1/forums.pb.h"
#include "passerelle/v1/institutions.pb.h"
#include "passerelle/v1/projects.pb.h"
#include "passerelle/v1/qualifications.pb.h"
#include "tests/grpc/grpc_fixture.h"

namespace passerelle::testing {
namespace {

namespace pb = google::protobuf;
using records::FieldSpec;
using records::FieldType;

const std::map<std::string, const pb::Descriptor*>& RecordMessages() {
  static const std::map<std::string, const pb::Descriptor*> kMessages = {
      {"institution", v1::Institution::descriptor()},
      {"agreement", v1::Agreement::descriptor()},
      {"project", v1::Project::descriptor()},
      {"deliverable", v1::Deliverable::descriptor()},
      {"indicator", v1::Indicator::descriptor()},
      {"forum", v1::Forum::descriptor()},
      {"event", v1::Event::descriptor()},
      {"framework", v1::Framework::descriptor()},
      {"qualification", v1::Qualification::descriptor()},
      {"mapping", v1::Mapping::descriptor()},
  };
  return kMessages;
}

bool IsStringType(FieldType t) {
  switch (t) {
    case FieldType::kString:
    case FieldType::kText:
    case FieldType::kId:
    case FieldType::kRef:
    case FieldType::kWeakRef:
    case FieldType::kDate:
    case FieldType::kCountry:
    case FieldType::kEnum:
      return true;
    default:
      return false;
  }
}

// Checks one field of a family against its proto field.
void CompareField(const FieldSpec& spec, const pb::FieldDescriptor* field, const std::string& path);

// `family` is null for nested objects, which have no meta fields.
void CompareMessage(const std::vector<FieldSpec>& specs, const pb::Descriptor* message,
                    const std::string& path, const records::Family* family) {
  std::set<std::string> names;
  for (const auto& spec : specs) {
    names.insert(spec.name);
    INFO(path + spec.name + " in " + message->full_name());
    const pb::FieldDescriptor* field = message->FindFieldByName(spec.name);
    CHECK(field != nullptr);
    if (field != nullptr) CompareField(spec, field, path + spec.name);
  }
  if (family != nullptr) {  // meta fields, as core::RecordToJson writes them
    using T = pb::FieldDescriptor;
    std::map<std::string, std::pair<T::Type, bool>> meta = {
        {"owners", {T::TYPE_STRING, true}},
        {"version", {T::TYPE_UINT32, false}},
        {"created_at", {T::TYPE_STRING, false}},
        {"updated_at", {T::TYPE_STRING, false}},
        {"updated_by", {T::TYPE_STRING, false}}};
    if (!family->terms_fields.empty()) {            // records::PresentWithApprovals adds these
      meta["approvals"] = {T::TYPE_MESSAGE, true};  // a map
      meta["terms_hash"] = {T::TYPE_STRING, false};
    }
    for (const auto& [name, shape] : meta) {
      INFO(message->full_name() + "." + name);
      const T* field = message->FindFieldByName(name);
      REQUIRE(field != nullptr);
      CHECK(field->type() == shape.first);
      CHECK(field->is_repeated() == shape.second);
      CHECK(field->number() >= 100);
      names.insert(name);
    }
  }
  for (int i = 0; i < message->field_count(); ++i) {
    INFO(message->full_name() + "." + message->field(i)->name() + " has no field spec");
    CHECK(names.count(message->field(i)->name()) == 1);
  }
}

void CompareField(const FieldSpec& spec, const pb::FieldDescriptor* field,
                  const std::string& path) {
  using T = pb::FieldDescriptor;
  bool is_map = spec.type == FieldType::kNumberMap || spec.type == FieldType::kStringMap;
  CHECK(field->is_map() == is_map);
  if (is_map) {
    CHECK(!spec.list);
    CHECK(field->message_type()->map_key()->type() == T::TYPE_STRING);
    CHECK(field->message_type()->map_value()->type() ==
          (spec.type == FieldType::kNumberMap ? T::TYPE_DOUBLE : T::TYPE_STRING));
    return;
  }
  CHECK(field->is_repeated() == spec.list);
  if (!spec.list) CHECK(field->has_presence());  // absent != zero
  if (IsStringType(spec.type)) CHECK(field->type() == T::TYPE_STRING);
  if (spec.type == FieldType::kInt) CHECK(field->type() == T::TYPE_INT32);
  if (spec.type == FieldType::kNumber) CHECK(field->type() == T::TYPE_DOUBLE);
  if (spec.type == FieldType::kBool) CHECK(field->type() == T::TYPE_BOOL);
  if (spec.type == FieldType::kObject) {
    REQUIRE(field->type() == T::TYPE_MESSAGE);
    CompareMessage(spec.children, field->message_type(), path + ".", nullptr);
  }
}

TEST_CASE("Schema: every record message has exactly the fields of its family", "[grpc]") {
  std::set<std::string> kinds;
  for (const auto& family : records::Families()) {
    INFO(family.kind);
    kinds.insert(family.kind);
    auto it = RecordMessages().find(family.kind);
    REQUIRE(it != RecordMessages().end());
    CompareMessage(family.fields, it->second, "", &family);
  }
  CHECK(kinds.size() == RecordMessages().size());
}

// Integers travel as int32 so that they print as JSON numbers; a family allowing more
// would accept over REST a value gRPC cannot return.
void CheckIntRanges(const std::vector<FieldSpec>& specs, const std::string& path) {
  for (const auto& spec : specs) {
    INFO(path + spec.name + " allows " + std::to_string(spec.min) + ".." +
         std::to_string(spec.max));
    if (spec.type == FieldType::kInt) {
      CHECK(spec.min >= INT32_MIN);
      CHECK(spec.max <= INT32_MAX);
    }
    if (spec.type == FieldType::kObject) CheckIntRanges(spec.children, path + spec.name + ".");
  }
}

TEST_CASE("Schema: every integer field's range fits the message's int32", "[grpc]") {
  for (const auto& family : records::Families()) CheckIntRanges(family.fields, family.kind + ".");
}

// Drops empty lists and objects: proto3 cannot tell an empty repeated field or map from
// an absent one, so they read back as absent (the seed data has none).
nlohmann::json WithoutEmpty(const nlohmann::json& j) {
  if (!j.is_object() && !j.is_array()) return j;
  nlohmann::json out = j.is_object() ? nlohmann::json::object() : nlohmann::json::array();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if ((it->is_object() || it->is_array()) && it->empty()) continue;
    if (j.is_object())
      out[it.key()] = WithoutEmpty(*it);
    else
      out.push_back(WithoutEmpty(*it));
  }
  return out;
}

TEST_CASE("gRPC: every seed record converts to its message and back unchanged", "[grpc]") {
  GrpcFixture f;
  auto summary = service::ImportSeed(f.service.get(), SeedDir(), service::Caller{});
  REQUIRE_OK(summary);
  REQUIRE(summary->created > 100);
  size_t checked = 0;
  for (const auto& family : records::Families()) {
    service::ListQuery query;
    query.page_size = service::kMaxPageSize;
    do {
      auto page = f.service->List(family.kind, query);
      REQUIRE_OK(page);
      for (const auto& record : page->records) {
        INFO(family.kind + " " + record.value("id", ""));
        std::unique_ptr<pb::Message> message(pb::MessageFactory::generated_factory()
                                                 ->GetPrototype(RecordMessages().at(family.kind))
                                                 ->New());
        REQUIRE_OK(grpcapi::RecordToMessage(record, message.get()));
        auto back = grpcapi::MessageToRecord(*message);
        REQUIRE_OK(back);
        CHECK(*back == WithoutEmpty(record));
        ++checked;
      }
      query.page_token = page->next_page_token;
    } while (!query.page_token.empty());
  }
  CHECK(checked == summary->created);

  // And over the wire, one family: gRPC List answers what the service lists.
  auto stub = v1::AgreementService::NewStub(f.channel);
  grpc::ClientContext context;
  v1::ListRequest request;
  request.set_page_size(1000);
  v1::ListAgreementsResponse response;
  REQUIRE(stub->List(&context, request, &response).ok());
  service::ListQuery query;
  query.page_size = 1000;
  auto page = f.service->List("agreement", query);
  REQUIRE_OK(page);
  REQUIRE(static_cast<size_t>(response.agreements_size()) == page->records.size());
  for (int i = 0; i < response.agreements_size(); ++i)
    CHECK(ToJson(response.agreements(i)) == WithoutEmpty(page->records[i]));
}

}  // namespace
}  // namespace passerelle::testing
