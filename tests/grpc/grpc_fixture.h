// A real gRPC server on a loopback port over a RecordService on RocksDB in a temporary
// directory, for the member "quebec-consortium"; plus helpers to build messages from
// JSON text and read the field an error names.
#pragma once

#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/server.h>

#include <chrono>
#include <memory>
#include <string>

#include "node/grpc/grpc_server.h"
#include "node/grpc/status_map.h"
#include "node/service/members.h"
#include "node/service/record_service.h"
#include "storage/kv_store.h"
#include "tests/service/fixture.h"
#include "tests/test_util.h"

namespace passerelle::testing {

inline service::Members GrpcTestMembers() { return TestMembers(); }

struct GrpcFixture {
  explicit GrpcFixture(const grpcapi::GrpcOptions& options = {}) {
    auto s = storage::OpenRocksStore(dir.str());
    REQUIRE_OK(s);
    store = std::move(s).value();
    service =
        std::make_unique<service::RecordService>(store.get(), &members, "quebec-consortium", [] {
          return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
        });
    REQUIRE_OK(service->Open());
    auto started = grpcapi::StartGrpcServer(service.get(), "127.0.0.1:0", &port, options);
    REQUIRE_OK(started);
    server = std::move(started).value();
    REQUIRE(port > 0);
    REQUIRE(server->port() == port);
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                  grpc::InsecureChannelCredentials());
  }

  TempDir dir;
  service::Members members = GrpcTestMembers();
  std::unique_ptr<storage::KvStore> store;
  std::unique_ptr<service::RecordService> service;
  int port = 0;
  std::unique_ptr<grpcapi::GrpcServer> server;  // after service: stops before it goes
  std::shared_ptr<grpc::Channel> channel;
};

// A message from JSON text in the record shape.
template <typename M>
M FromJson(const std::string& text) {
  M message;
  auto st = google::protobuf::util::JsonStringToMessage(text, &message);
  INFO(text);
  REQUIRE(st.ok());
  return message;
}

// A message as the record JSON the REST API shows.
inline nlohmann::json ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  REQUIRE(google::protobuf::util::MessageToJsonString(message, &text, options).ok());
  return nlohmann::json::parse(text);
}

// The field named by an error (trailing metadata x-passerelle-field), "" if none.
inline std::string ErrorField(const grpc::ClientContext& context) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(grpcapi::kFieldMetadataKey);
  return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace passerelle::testing
