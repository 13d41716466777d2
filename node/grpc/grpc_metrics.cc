#include "node/grpc/grpc_metrics.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <chrono>
#include <string>

#include "node/metrics/registry.h"

namespace passerelle::grpcapi {
namespace {

namespace gx = grpc::experimental;

// "/passerelle.v1.AgreementService/Get" when that method exists in the protos, else "other".
std::string MethodLabel(const char* method) {
  std::string m = method ? method : "";
  if (m.size() < 3 || m[0] != '/') return "other";
  std::string full = m.substr(1);
  auto slash = full.find('/');
  if (slash == std::string::npos) return "other";
  full[slash] = '.';
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full) ? m : "other";
}

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                       "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
                                       "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  int c = static_cast<int>(code);
  return c >= 0 && c < 17 ? kNames[c] : "UNKNOWN";
}

class MetricsInterceptor final : public gx::Interceptor {
 public:
  explicit MetricsInterceptor(gx::ServerRpcInfo* info)
      : method_(MethodLabel(info->method())), started_(std::chrono::steady_clock::now()) {}

  void Intercept(gx::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(gx::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const auto code = methods->GetSendStatus().error_code();
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
      auto& registry = metrics::Global();
      registry
          .GetCounter("passerelle_grpc_requests_total", "gRPC calls answered, by method and status code",
                      {{"method", method_}, {"code", CodeName(code)}})
          .Inc();
      registry
          .GetHistogram("passerelle_grpc_request_duration_seconds",
                        "Time from a gRPC call's start to its status, by method", {{"method", method_}})
          .ObserveMicros(static_cast<uint64_t>(us));
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  std::chrono::steady_clock::time_point started_;
};

class MetricsInterceptorFactory final : public gx::ServerInterceptorFactoryInterface {
 public:
  gx::Interceptor* CreateServerInterceptor(gx::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info);
  }
};

}  // namespace

std::vector<std::unique_ptr<gx::ServerInterceptorFactoryInterface>> MetricsInterceptors() {
  std::vector<std::unique_ptr<gx::ServerInterceptorFactoryInterface>> out;
  out.push_back(std::make_unique<MetricsInterceptorFactory>());
  return out;
}

}  // namespace passerelle::grpcapi
