#include "node/grpc/peer_address.h"

namespace passerelle::grpcapi {

bool IsLoopbackPeer(std::string_view peer) {
  for (std::string_view loopback : {"ipv4:127.", "ipv6:[::1]:", "ipv6:%5B::1%5D:", "ipv6:[::ffff:127.",
                                    "ipv6:%5B::ffff:127.", "unix:"})
    if (peer.starts_with(loopback)) return true;
  return false;
}

}  // namespace passerelle::grpcapi
