#include "node/grpc/record_calls.h"

#include <google/protobuf/field_mask.pb.h>
#include <grpcpp/server_context.h>

#include "node/grpc/record_codec.h"
#include "node/grpc/status_map.h"
#include "node/records/family.h"
#include "node/service/record_service.h"
#include "passerelle/v1/common.pb.h"

namespace passerelle::grpcapi {
namespace {

using nlohmann::json;

// The service's answer as a record message.
grpc::Status Reply(const Result<json>& result, grpc::ServerContextBase* context,
                   google::protobuf::Message* out) {
  if (!result.ok()) return ToGrpcStatus(result.status(), context);
  return ToGrpcStatus(RecordToMessage(*result, out), context);
}

// The id a record message addresses; INVALID_ARGUMENT when it has none.
Result<std::string> IdOf(const json& record) {
  auto it = record.find("id");
  if (it == record.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    return Status::Invalid("id", "is required");
  return it->get<std::string>();
}

// The service's UpdateRequest for a record message and a field mask: with a mask, each
// masked top-level field takes the message's value, or null (clear) when unset; without
// one, every field set in the message (the service skips output-only meta; owners change
// only when named in a mask, so echoing a read record back leaves them alone).
service::UpdateRequest ToUpdate(json fields, const google::protobuf::FieldMask& mask) {
  service::UpdateRequest update;
  if (mask.paths_size() == 0) {
    fields.erase("owners");
    update.patch = std::move(fields);
    return update;
  }
  for (const std::string& path : mask.paths()) {
    update.mask.push_back(path);
    std::string top = path.substr(0, path.find('.'));
    auto it = fields.find(top);
    update.patch[top] = it == fields.end() ? json() : *it;
  }
  return update;
}

}  // namespace

RecordCalls::RecordCalls(service::RecordService* service, std::string kind)
    : service_(service), kind_(std::move(kind)) {
  const records::Family* family = records::FindFamily(kind_);
  plural_ = family != nullptr ? family->plural : kind_;  // unknown kinds fail in the service
}

grpc::Status RecordCalls::Get(grpc::ServerContextBase* context, const v1::GetRequest& request,
                              google::protobuf::Message* record) const {
  return Reply(service_->Get(kind_, request.id()), context, record);
}

grpc::Status RecordCalls::List(grpc::ServerContextBase* context, const v1::ListRequest& request,
                               google::protobuf::Message* response) const {
  if (request.page_size() < 0)
    return ToGrpcStatus(Status::Invalid("page_size", "must not be negative"), context);
  service::ListQuery query;
  query.filters.insert(request.filters().begin(), request.filters().end());
  query.page_size = static_cast<size_t>(request.page_size());
  query.page_token = request.page_token();
  auto page = service_->List(kind_, query);
  if (!page.ok()) return ToGrpcStatus(page.status(), context);
  json body = {{plural_, json::array()}, {"next_page_token", page->next_page_token}};
  for (auto& record : page->records) body[plural_].push_back(std::move(record));
  return ToGrpcStatus(RecordToMessage(body, response), context);
}

grpc::Status RecordCalls::Create(grpc::ServerContextBase* context,
                                 const google::protobuf::Message& record,
                                 google::protobuf::Message* created) const {
  auto fields = MessageToRecord(record);
  if (!fields.ok()) return ToGrpcStatus(fields.status(), context);
  return Reply(service_->Create(kind_, std::move(*fields), service::Caller{}), context, created);
}

grpc::Status RecordCalls::Update(grpc::ServerContextBase* context,
                                 const google::protobuf::Message& record,
                                 const google::protobuf::FieldMask& mask,
                                 std::optional<uint64_t> expected_version,
                                 google::protobuf::Message* updated) const {
  auto fields = MessageToRecord(record);
  if (!fields.ok()) return ToGrpcStatus(fields.status(), context);
  auto id = IdOf(*fields);
  if (!id.ok()) return ToGrpcStatus(id.status(), context);
  service::UpdateRequest update = ToUpdate(std::move(*fields), mask);
  update.expected_version = expected_version;
  return Reply(service_->Update(kind_, *id, update, service::Caller{}), context, updated);
}

grpc::Status RecordCalls::Delete(grpc::ServerContextBase* context,
                                 const v1::DeleteRequest& request) const {
  std::optional<uint64_t> expected;
  if (request.has_expected_version()) expected = request.expected_version();
  return ToGrpcStatus(service_->Delete(kind_, request.id(), expected, service::Caller{}), context);
}

grpc::Status RecordCalls::Approve(grpc::ServerContextBase* context, const std::string& id,
                                  const std::string& terms_hash,
                                  google::protobuf::Message* approved) const {
  return Reply(service_->Approve(kind_, id, terms_hash, service::Caller{}), context, approved);
}

}  // namespace passerelle::grpcapi
