// `passerelle status [--json]`: asks the running node (its http_listen) for
// GET /api/v1/federation/status and prints it for people or, with --json, for scripts.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iostream>

#include "node/cli/commands.h"
#include "node/cli/keys.h"
#include "node/cli/tls_keys.h"
#include "node/core/coding.h"
#include "node/core/json_text.h"

namespace passerelle::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

Result<std::string> HttpGet(const std::string& host, uint16_t port, const std::string& target) {
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(resolver.resolve(host, std::to_string(port)));
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (res.result() != http::status::ok)
      return Status(Code::kUnavailable, "node answered HTTP " + std::to_string(res.result_int()) + ": " + res.body());
    return res.body();
  } catch (const std::exception& e) {
    return Status(Code::kUnavailable, "cannot reach the node at " + host + ":" + std::to_string(port) +
                                          " (is it running?): " + e.what());
  }
}

}  // namespace

int RunStatus(const NodeConfig& config, bool as_json) {
  std::string host;
  uint16_t port;
  Status s = SplitHostPort("http_listen", config.http_listen, &host, &port);
  if (!s.ok()) return Fail("bad configuration", s);
  if (host == "0.0.0.0") host = "127.0.0.1";
  auto body = HttpGet(host, port, "/api/v1/federation/status");
  if (!body.ok()) return Fail("status", body.status());
  auto j = core::ParseJson(*body, "status");
  if (!j.ok()) return Fail("status", j.status());
  if (as_json) {
    std::cout << core::DumpJson(*j, 2) << std::endl;
    return 0;
  }
  std::cout << "member   " << j->value("member_id", "") << "\n"
            << "digest   " << j->value("digest", "") << "\n"
            << "ops      ";
  for (const auto& [origin, seq] : (*j)["version_vector"].items()) std::cout << origin << "=" << seq << " ";
  std::cout << "\npeers\n";
  for (const auto& p : (*j)["peers"]) {
    std::cout << "  " << p.value("member_id", "") << " at " << p.value("address", "") << ": "
              << (p.value("connected", false) ? "connected" : "not connected") << ", last contact ";
    if (p["last_contact_ms_ago"].is_null()) std::cout << "never";
    else std::cout << p["last_contact_ms_ago"].get<uint64_t>() << " ms ago";
    std::cout << ", behind " << p.value("behind", 0) << " ops";
    if (p.contains("last_error")) std::cout << " (last error: " << p["last_error"].get<std::string>() << ")";
    std::cout << "\n";
  }
  std::cout << "refused  " << j->value("refused_total", 0) << " ops";
  for (const auto& [reason, n] : (*j)["refused"].items()) std::cout << " " << reason << "=" << n;
  std::cout << std::endl;
  return 0;
}

int RunKeysInit(const std::string& dir, const std::string& member_id) {
  auto key = InitSigningKey(dir, member_id);
  if (!key.ok()) return Fail("keys init", key.status());
  Status tls = InitTlsKeyAndCsr(dir, member_id);
  if (tls.code() == Code::kAlreadyExists) {  // e.g. made by new-federation.sh: kept as it is
    std::cout << "kept the existing TLS key in " << dir << " (" << tls.message() << ")\n";
  } else if (!tls.ok()) {
    return Fail("keys init (TLS)", tls);
  }
  std::cout << "wrote " << dir << "/" << member_id << ".signing.key (secret, mode 600) and "
            << member_id << ".signing.pub\n";
  if (tls.ok())
    std::cout << "wrote " << dir << "/tls.key (secret, mode 600) and " << dir
              << "/tls.csr (SAN DNS:" << member_id << "): have the federation CA sign it "
              << "(deploy/sign-csr.sh) into tls.crt\n";
  std::cout << "public_key for the members file: " << core::ToHex(key->public_key) << std::endl;
  return 0;
}

}  // namespace passerelle::cli
