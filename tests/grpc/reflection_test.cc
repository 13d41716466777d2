// Server reflection is on: a client can discover every passerelle.v1 service. Speaks
// grpc.reflection.v1alpha with the message descriptors the reflection library
// registers, so no second copy of reflection.proto is compiled in.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/impl/codegen/client_context.h>
#include <grpcpp/impl/codegen/rpc_method.h>
#include <grpcpp/impl/codegen/sync_stream.h>
#include <grpcpp/support/byte_buffer.h>

#include <set>

#include "tests/grpc/grpc_fixture.h"

namespace passerelle::testing {
namespace {

namespace pb = google::protobuf;

// Asks the server's reflection service for the names of its services.
std::set<std::string> ListServices(grpc::Channel* channel) {
  const pb::DescriptorPool* pool = pb::DescriptorPool::generated_pool();
  const auto* request_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionRequest");
  const auto* response_type =
      pool->FindMessageTypeByName("grpc.reflection.v1alpha.ServerReflectionResponse");
  REQUIRE(request_type != nullptr);
  REQUIRE(response_type != nullptr);
  pb::DynamicMessageFactory factory(pool);
  std::unique_ptr<pb::Message> request(factory.GetPrototype(request_type)->New());
  request->GetReflection()->SetString(request.get(), request_type->FindFieldByName("list_services"),
                                      "*");

  grpc::ClientContext context;
  grpc::internal::RpcMethod method("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                   grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel, method, &context));
  grpc::Slice slice(request->SerializeAsString());
  REQUIRE(stream->Write(grpc::ByteBuffer(&slice, 1)));
  REQUIRE(stream->WritesDone());
  grpc::ByteBuffer reply;
  REQUIRE(stream->Read(&reply));
  REQUIRE(stream->Finish().ok());

  std::vector<grpc::Slice> slices;
  REQUIRE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  std::unique_ptr<pb::Message> response(factory.GetPrototype(response_type)->New());
  REQUIRE(response->ParseFromString(bytes));

  const pb::Message& list = response->GetReflection()->GetMessage(
      *response, response_type->FindFieldByName("list_services_response"));
  const auto* service_field = list.GetDescriptor()->FindFieldByName("service");
  std::set<std::string> names;
  for (int i = 0; i < list.GetReflection()->FieldSize(list, service_field); ++i) {
    const pb::Message& s = list.GetReflection()->GetRepeatedMessage(list, service_field, i);
    names.insert(s.GetReflection()->GetString(s, s.GetDescriptor()->FindFieldByName("name")));
  }
  return names;
}

TEST_CASE("gRPC: server reflection lists every passerelle.v1 service", "[grpc]") {
  GrpcFixture f;
  std::set<std::string> names = ListServices(f.channel.get());
  for (const char* service :
       {"passerelle.v1.InstitutionService", "passerelle.v1.AgreementService",
        "passerelle.v1.ProjectService", "passerelle.v1.DeliverableService",
        "passerelle.v1.IndicatorService", "passerelle.v1.ForumService",
        "passerelle.v1.EventService", "passerelle.v1.FrameworkService",
        "passerelle.v1.QualificationService", "passerelle.v1.MappingService",
        "passerelle.v1.NodeService", "passerelle.v1.AdminService",
        "grpc.reflection.v1alpha.ServerReflection"}) {
    INFO(service);
    CHECK(names.count(service) == 1);
  }
}

}  // namespace
}  // namespace passerelle::testing
