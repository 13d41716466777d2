// RecordAdapter<...>: the gRPC service class of one record family, in a few lines:
// each method forwards to RecordCalls. Include only from the per-area .cc files (it
// pulls in generated headers). gRPC's callback API: no sync-server thread pool to size
// for calls queued on the write lock (bench, 8 clients: creates 5.4-5.8k -> 5.5-6.2k/s).
#pragma once

#include <google/protobuf/empty.pb.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include <memory>
#include <optional>
#include <string>

#include "node/grpc/record_calls.h"
#include "node/grpc/services.h"
#include "passerelle/v1/common.pb.h"

namespace passerelle::grpcapi {

// GrpcService is the generated class (v1::AgreementService); UpdateRequest's first
// field is the record, as in every Update<Record>Request of passerelle.v1.
template <typename GrpcService, typename Record, typename UpdateRequest, typename ListResponse>
class RecordAdapter : public GrpcService::CallbackService {
 public:
  RecordAdapter(service::RecordService* service, std::string kind)
      : calls_(service, std::move(kind)) {}

  grpc::ServerUnaryReactor* Get(grpc::CallbackServerContext* context,
                                const v1::GetRequest* request, Record* response) override {
    return Done(context, calls_.Get(context, *request, response));
  }
  grpc::ServerUnaryReactor* List(grpc::CallbackServerContext* context,
                                 const v1::ListRequest* request, ListResponse* response) override {
    return Done(context, calls_.List(context, *request, response));
  }
  grpc::ServerUnaryReactor* Create(grpc::CallbackServerContext* context, const Record* request,
                                   Record* response) override {
    return Done(context, calls_.Create(context, *request, response));
  }
  grpc::ServerUnaryReactor* Update(grpc::CallbackServerContext* context,
                                   const UpdateRequest* request, Record* response) override {
    const auto* record_field = UpdateRequest::descriptor()->field(0);
    const auto& record = request->GetReflection()->GetMessage(*request, record_field);
    std::optional<uint64_t> expected;
    if (request->has_expected_version()) expected = request->expected_version();
    return Done(context, calls_.Update(context, record, request->update_mask(), expected, response));
  }
  grpc::ServerUnaryReactor* Delete(grpc::CallbackServerContext* context,
                                   const v1::DeleteRequest* request,
                                   google::protobuf::Empty*) override {
    return Done(context, calls_.Delete(context, *request));
  }

 protected:
  // Answers a call whose work is done: handlers run inline on gRPC's threads (a write
  // waits only for the service's write lock).
  static grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* context,
                                        grpc::Status status) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(std::move(status));
    return reactor;
  }
  RecordCalls calls_;
};

// Adds a RecordAdapter for one family to `out`.
template <typename GrpcService, typename Record, typename UpdateRequest, typename ListResponse>
void AddRecordService(service::RecordService* service, std::string kind, ServiceList* out) {
  out->push_back(std::make_unique<RecordAdapter<GrpcService, Record, UpdateRequest, ListResponse>>(
      service, std::move(kind)));
}

}  // namespace passerelle::grpcapi
