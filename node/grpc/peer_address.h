// Who is calling, from gRPC's peer string ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000" or
// its URI-escaped form "ipv6:%5B::1%5D:5000", "unix:/path").
#pragma once

#include <string_view>

namespace passerelle::grpcapi {

// True for a caller on this host: IPv4 127.0.0.0/8, IPv6 ::1, an IPv4-mapped 127.x
// address, or a Unix socket. Anything else (other addresses, unknown forms) is false.
bool IsLoopbackPeer(std::string_view peer);

}  // namespace passerelle::grpcapi
