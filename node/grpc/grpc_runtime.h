// Process-wide settings of the gRPC runtime. Call TuneGrpcRuntime() once, first thing in
// main(), in every program that runs gRPC servers or clients (the node, the bench).
#pragma once

namespace passerelle::grpcapi {

// Debian 12 builds abseil without NDEBUG, so each absl::Mutex gRPC locks (several per
// call) also updates abseil's global lock-order graph, under one global lock, to detect
// deadlocks: a debugging aid that cost the bench's empty gRPC call about 15% of its
// rate. This turns that detection off.
void TuneGrpcRuntime();

}  // namespace passerelle::grpcapi
