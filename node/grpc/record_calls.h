// The five record methods once, for every family: decode the request into the
// service's JSON form, call service::RecordService, map the Status, encode the answer.
// No rule lives here. Per-family gRPC classes (record_adapter.h) forward to these.
#pragma once

#include <grpcpp/support/status.h>

#include <cstdint>
#include <optional>
#include <string>

namespace google::protobuf {
class Message;
class FieldMask;
}  // namespace google::protobuf
namespace grpc {
class ServerContextBase;
}
namespace passerelle::service {
class RecordService;
}
namespace passerelle::v1 {
class GetRequest;
class ListRequest;
class DeleteRequest;
}  // namespace passerelle::v1

namespace passerelle::grpcapi {

class RecordCalls {
 public:
  // `kind` is a family's kind ("agreement"); `service` must outlive this object.
  RecordCalls(service::RecordService* service, std::string kind);

  grpc::Status Get(grpc::ServerContextBase* context, const v1::GetRequest& request,
                   google::protobuf::Message* record) const;
  // `response` has a repeated field named after the family's plural and next_page_token.
  grpc::Status List(grpc::ServerContextBase* context, const v1::ListRequest& request,
                    google::protobuf::Message* response) const;
  grpc::Status Create(grpc::ServerContextBase* context, const google::protobuf::Message& record,
                      google::protobuf::Message* created) const;
  // `record` carries the id and new values; `mask` lists the fields to change.
  grpc::Status Update(grpc::ServerContextBase* context, const google::protobuf::Message& record,
                      const google::protobuf::FieldMask& mask,
                      std::optional<uint64_t> expected_version,
                      google::protobuf::Message* updated) const;
  grpc::Status Delete(grpc::ServerContextBase* context, const v1::DeleteRequest& request) const;
  // Agreements: this member's approval of the terms named by `terms_hash`.
  grpc::Status Approve(grpc::ServerContextBase* context, const std::string& id,
                       const std::string& terms_hash, google::protobuf::Message* approved) const;

 private:
  service::RecordService* service_;
  std::string kind_;
  std::string plural_;
};

}  // namespace passerelle::grpcapi
