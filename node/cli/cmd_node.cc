#include <csignal>
#include <iostream>
#include <pthread.h>

#include "node/cli/commands.h"
#include "node/cli/node_context.h"
#include "node/grpc/grpc_server.h"
#include "node/http/http_server.h"
#include "node/service/seed_io.h"

namespace passerelle::cli {

int RunNode(const NodeConfig& config, const std::string& import_dir) {
  // Signals are taken synchronously by this thread only (sigwait below); threads
  // started from here on inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto ctx = OpenNode(config);
  if (!ctx.ok()) return Fail("cannot start node", ctx.status());
  auto& svc = *(*ctx)->service;
  if (!import_dir.empty()) {
    auto summary = service::ImportSeed(&svc, import_dir, {});
    if (!summary.ok()) return Fail("import of " + import_dir + " failed", summary.status());
    std::cout << "imported " << import_dir << ": " << summary->created << " created, "
              << summary->updated << " updated, " << summary->unchanged << " unchanged, "
              << summary->refused << " refused" << std::endl;
  }

  grpcapi::GrpcOptions grpc_options;
  grpc_options.max_message_bytes = config.max_request_bytes;
  int grpc_port = 0;
  auto grpc = grpcapi::StartGrpcServer(&svc, config.grpc_listen, &grpc_port, grpc_options);
  if (!grpc.ok()) return Fail("cannot start gRPC on " + config.grpc_listen, grpc.status());

  http::HttpOptions http_options;
  Status s = SplitHostPort("http_listen", config.http_listen, &http_options.address, &http_options.port);
  if (!s.ok()) return Fail("bad configuration", s);
  http_options.web_root = config.web_root;
  http_options.max_body_bytes = config.max_request_bytes;
  http_options.threads = config.http_threads;
  http::HttpServer http_server(&svc, http_options);
  s = http_server.Start();
  if (!s.ok()) return Fail("cannot start HTTP on " + config.http_listen, s);

  std::string grpc_host = config.grpc_listen.substr(0, config.grpc_listen.rfind(':'));
  std::cout << "passerelle node " << config.member_id << " ready: gRPC " << grpc_host << ":"
            << grpc_port << ", web/REST http://" << http_options.address << ":"
            << http_server.port() << "/" << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "passerelle node " << config.member_id << ": "
            << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping" << std::endl;
  http_server.Stop();
  (*grpc)->Shutdown();
  ctx->reset();  // closes the store
  std::cout << "passerelle node " << config.member_id << " stopped cleanly" << std::endl;
  return 0;
}

}  // namespace passerelle::cli
