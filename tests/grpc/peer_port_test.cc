// The peer port's own limits, whatever its callers do: open Pull streams are capped (each
// holds a server thread), and a refused stream is told why.
#include <grpcpp/grpcpp.h>

#include <thread>

#include "node/grpc/peer_address.h"
#include "node/peer/peer_server.h"
#include "passerelle/v1/peer.grpc.pb.h"
#include "tests/service/fixture.h"

using namespace passerelle;
using namespace passerelle::testing;

TEST_CASE("Peer port: follow streams beyond the cap are refused; closing one makes room", "[peer]") {
  ServiceFixture f;
  auto server = peer::StartPeerServer(f.service.get(), "127.0.0.1:0", grpc::InsecureServerCredentials());
  REQUIRE_OK(server);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::PeerService::NewStub(channel);
  v1::PullRequest request;
  request.set_member_id("morocco");
  request.set_follow(true);
  struct Stream {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<v1::OpBatch>> reader;
  };
  // Open streams until one is refused; each open one has sent its first heartbeat.
  std::vector<std::unique_ptr<Stream>> open;
  grpc::Status refused;
  for (int i = 0; i < 200; ++i) {
    auto s = std::make_unique<Stream>();
    s->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    s->reader = stub->Pull(&s->ctx, request);
    v1::OpBatch first;
    if (!s->reader->Read(&first)) {
      refused = s->reader->Finish();
      break;
    }
    open.push_back(std::move(s));
  }
  CHECK(open.size() == 64);
  CHECK(refused.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Closing one makes room for another.
  open.back()->ctx.TryCancel();
  open.back()->reader->Finish();
  open.pop_back();
  // The slot frees once the handler sees the cancel (within its 250 ms wait): poll with a deadline.
  bool reopened = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!reopened && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto s = std::make_unique<Stream>();
    s->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    s->reader = stub->Pull(&s->ctx, request);
    v1::OpBatch first;
    reopened = s->reader->Read(&first);
    if (reopened) open.push_back(std::move(s));
    else s->reader->Finish();
  }
  CHECK(reopened);
  for (auto& s : open) s->ctx.TryCancel();
  for (auto& s : open) s->reader->Finish();
  (*server)->Shutdown();
}

TEST_CASE("Admin: only callers on the node's own host count as loopback", "[grpc][admin]") {
  for (const char* local : {"ipv4:127.0.0.1:5000", "ipv4:127.1.2.3:1", "ipv6:[::1]:5000", "ipv6:%5B::1%5D:5000",
                            "ipv6:[::ffff:127.0.0.1]:5000", "ipv6:%5B::ffff:127.0.0.1%5D:5000", "unix:/run/p.sock"})
    CHECK(grpcapi::IsLoopbackPeer(local));
  for (const char* remote : {"ipv4:10.0.0.1:5", "ipv4:128.0.0.1:5", "ipv6:[::ffff:10.0.0.1]:5", "ipv6:[::2]:5",
                             "ipv6:[::10]:5", "ipv6:[::1234]:5", "ipv4:1.127.0.0:5", "", "127.0.0.1:5"})
    CHECK_FALSE(grpcapi::IsLoopbackPeer(remote));
}
