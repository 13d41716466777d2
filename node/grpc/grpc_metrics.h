// A server interceptor that counts gRPC calls by full method name and status code and
// times them (passerelle_grpc_requests_total, passerelle_grpc_request_duration_seconds).
// Only methods of the generated protos become label values (bounded); others count as
// "other".
#pragma once

#include <memory>
#include <vector>

namespace grpc::experimental { class ServerInterceptorFactoryInterface; }

namespace passerelle::grpcapi {

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
MetricsInterceptors();

}  // namespace passerelle::grpcapi
