// Our Status -> grpc::Status, converted once at the edge. Codes map 1:1; the message
// starts with the offending field ("parties[1]: unknown institution") and the field is
// also sent as trailing metadata kFieldMetadataKey.
#pragma once

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include "storage/status.h"

namespace passerelle::grpcapi {

inline constexpr char kFieldMetadataKey[] = "x-passerelle-field";

// `context` may be null (no trailing metadata then).
grpc::Status ToGrpcStatus(const Status& status, grpc::ServerContextBase* context);

}  // namespace passerelle::grpcapi
