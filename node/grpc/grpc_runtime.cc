#include "node/grpc/grpc_runtime.h"

#include <absl/synchronization/mutex.h>

namespace passerelle::grpcapi {

void TuneGrpcRuntime() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace passerelle::grpcapi
