#include "node/grpc/status_map.h"

#include <cstdio>

namespace passerelle::grpcapi {
namespace {

// Metadata values must be printable ASCII; a field naming a map key may not be, so
// other bytes (and '%') are percent-encoded as grpc-message is.
std::string MetadataSafe(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '%') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

grpc::Status ToGrpcStatus(const Status& status, grpc::ServerContextBase* context) {
  if (status.ok()) return grpc::Status::OK;
  std::string message = status.message();
  if (!status.field().empty()) {
    message = status.field() + ": " + message;
    if (context != nullptr)
      context->AddTrailingMetadata(kFieldMetadataKey, MetadataSafe(status.field()));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), message);
}

}  // namespace passerelle::grpcapi
