// Section 3: gRPC over loopback with concurrent synchronous clients, each on its own
// channel and connection: an empty unary handler (the baseline: the faster of gRPC's
// sync and callback server APIs), then AgreementService.Create through the real API.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "bench/bench.grpc.pb.h"
#include "bench/records.h"
#include "bench/sections.h"
#include "bench/timing.h"
#include "node/grpc/grpc_server.h"
#include "passerelle/v1/agreements.grpc.pb.h"

namespace passerelle::bench {
namespace {

class EmptyService final : public BenchService::Service {
  grpc::Status Ping(grpc::ServerContext*, const Empty*, Empty*) override {
    return grpc::Status::OK;
  }
};

class EmptyCallbackService final : public BenchService::CallbackService {
  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context, const Empty*,
                                 Empty*) override {
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// A channel of its own (no subchannel shared with other clients), connected.
std::shared_ptr<grpc::Channel> Connect(int port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                           grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return channel;
}

std::string Describe(const grpc::Status& s) {
  return "grpc code " + std::to_string(s.error_code()) + ": " + s.error_message();
}

RunResult RunEmpty(int port, int clients, size_t calls) {
  return RunClients(clients, calls, [port](int) -> ClientOp {
    auto stub = std::shared_ptr<BenchService::Stub>(BenchService::NewStub(Connect(port)));
    for (int i = 0; i < 20; ++i) {  // warm-up: connection, HTTP/2 settings, allocations
      grpc::ClientContext ctx;
      Empty req, resp;
      stub->Ping(&ctx, req, &resp);
    }
    return [stub](size_t, std::string* error) {
      grpc::ClientContext ctx;
      Empty req, resp;
      grpc::Status s = stub->Ping(&ctx, req, &resp);
      if (!s.ok()) *error = Describe(s);
      return s.ok();
    };
  });
}

// Rate of the empty call with `service` behind a server with gRPC's default options.
RunResult RunEmptyServer(grpc::Service* service, size_t clients,
                         size_t calls) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "cannot start the empty gRPC server\n";
    RunResult failed;
    failed.failed = 1;
    return failed;
  }
  RunResult result = RunEmpty(port, clients, calls);
  if (result.failed > 0) std::cerr << "  empty: " << result.first_error << "\n";
  server->Shutdown(std::chrono::system_clock::now());
  return result;
}

// The baseline is the faster of gRPC's two server APIs: the node's record services use
// the callback API, its other services the synchronous one.
void RunEmptyHandler(const Config& config, Report* report) {
  EmptyService sync_service;
  EmptyCallbackService callback_service;
  RunResult one = RunEmptyServer(&sync_service, 1, std::max<size_t>(config.rpc_n / 4, 100));
  report->Value("grpc empty unary, 1 client", one.Rate(), "calls/s", one.failed);
  RunResult sync = RunEmptyServer(&sync_service, config.clients, config.rpc_n);
  report->Value("grpc empty unary (sync API)", sync.Rate(), "calls/s", sync.failed);
  RunResult callback = RunEmptyServer(&callback_service, config.clients, config.rpc_n);
  report->Value("grpc empty unary (callback API)", callback.Rate(), "calls/s", callback.failed);
  const RunResult& best = sync.Rate() >= callback.Rate() ? sync : callback;
  report->Value(kGrpcEmpty, best.Rate(), "calls/s", sync.failed + callback.failed);
}

void RunCreates(const Config& config, Report* report) {
  auto node = OpenBenchNode(config.tmp_root, "grpc");
  Result<std::unique_ptr<grpcapi::GrpcServer>> server =
      node.ok() ? grpcapi::StartGrpcServer((*node)->service.get(), "127.0.0.1:0")
                : Result<std::unique_ptr<grpcapi::GrpcServer>>(node.status());
  if (!server.ok()) {
    std::cerr << "cannot start the gRPC node: " << server.status().ToString() << "\n";
    report->Value(kGrpcCreate, 0, "calls/s", 1);
    return;
  }
  const int port = (*server)->port();
  RunResult creates = RunClients(config.clients, config.rpc_n, [&](int c) -> ClientOp {
    auto stub =
        std::shared_ptr<v1::AgreementService::Stub>(v1::AgreementService::NewStub(Connect(port)));
    for (int i = 0; i < 20; ++i) {  // warm-up with reads, so the store is unchanged
      grpc::ClientContext ctx;
      v1::GetRequest req;
      v1::Agreement resp;
      req.set_id("agr-none");
      stub->Get(&ctx, req, &resp);
    }
    // Every call sends this client's template with a fresh id: ~1 KB on the wire.
    auto msg = std::make_shared<v1::Agreement>();
    auto json = MakeAgreement(AgreementId("grpc", 0), c, config.value_bytes).dump();
    if (!google::protobuf::util::JsonStringToMessage(json, msg.get()).ok())
      std::cerr << "  cannot convert an agreement to protobuf\n";
    return [stub, msg](size_t i, std::string* error) {
      msg->set_id(AgreementId("grpc", i));
      grpc::ClientContext ctx;
      v1::Agreement created;
      grpc::Status s = stub->Create(&ctx, *msg, &created);
      if (!s.ok()) *error = Describe(s);
      return s.ok() && created.version() == 1;
    };
  });
  if (creates.failed > 0) std::cerr << "  create: " << creates.first_error << "\n";
  report->Ratio(kGrpcCreate, creates.Rate(), "calls/s", kGrpcEmpty, 0.50, creates.failed);
}

}  // namespace

void RunGrpc(const Config& config, Report* report) {
  std::cerr << "[3/5] gRPC: " << config.rpc_n << " empty calls, then " << config.rpc_n
            << " agreement creates, " << config.clients << " clients\n";
  RunEmptyHandler(config, report);
  RunCreates(config, report);
}

}  // namespace passerelle::bench
