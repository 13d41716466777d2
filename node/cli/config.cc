#include "node/cli/config.h"

#include <fstream>
#include <sstream>

#include "node/core/json_text.h"

namespace passerelle::cli {
namespace {

using nlohmann::json;

template <typename T>
Status Read(const json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return Status::Ok();
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return Status::Invalid(key, "must be a string");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return Status::Invalid(key, "must be true or false");
  } else {
    if (!it->is_number_integer() || it->template get<int64_t>() < 0)
      return Status::Invalid(key, "must be a non-negative integer");
  }
  *out = it->template get<T>();
  return Status::Ok();
}

}  // namespace

Status SplitHostPort(const std::string& option, const std::string& value, std::string* host,
                     uint16_t* port) {
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
    return Status::Invalid(option, "must be host:port, e.g. 127.0.0.1:8081 (got '" + value + "')");
  std::string p = value.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoi(p) > 65535)
    return Status::Invalid(option, "port must be a number from 0 to 65535 (got '" + p + "')");
  *host = value.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  *port = static_cast<uint16_t>(std::stoi(p));
  return Status::Ok();
}

Status ApplyConfig(const json& j, NodeConfig* c) {
  if (!j.is_object()) return Status::Invalid("config", "must be a JSON object");
  static const char* const kKnown[] = {"member_id",  "data_dir",    "members_file",
                                       "grpc_listen", "http_listen", "web_root",
                                       "sync_writes", "http_threads", "max_request_bytes",
                                       "peer_listen", "signing_key",  "tls_ca",
                                       "tls_cert",    "tls_key",      "insecure_peers",
                                       "repair_interval_ms", "max_clock_skew_ms",
                                       "claim_unowned",
                                       "secure_cookies", "session_idle_timeout_s", "session_lifetime_s"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known |= key == k;
    if (!known) return Status::Invalid(key, "unknown configuration option");
  }
  PASSERELLE_RETURN_IF_ERROR(Read(j, "member_id", &c->member_id));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "data_dir", &c->data_dir));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "members_file", &c->members_file));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "grpc_listen", &c->grpc_listen));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "http_listen", &c->http_listen));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "web_root", &c->web_root));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "sync_writes", &c->sync_writes));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "http_threads", &c->http_threads));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "max_request_bytes", &c->max_request_bytes));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "peer_listen", &c->peer_listen));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "signing_key", &c->signing_key));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "tls_ca", &c->tls_ca));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "tls_cert", &c->tls_cert));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "tls_key", &c->tls_key));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "insecure_peers", &c->insecure_peers));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "repair_interval_ms", &c->repair_interval_ms));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "max_clock_skew_ms", &c->max_clock_skew_ms));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "claim_unowned", &c->claim_unowned));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "secure_cookies", &c->secure_cookies));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "session_idle_timeout_s", &c->session_idle_timeout_s));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "session_lifetime_s", &c->session_lifetime_s));
  return Status::Ok();
}

Status CheckConfig(const NodeConfig& c) {
  if (c.member_id.empty()) return Status::Invalid("member_id", "is required");
  if (c.data_dir.empty()) return Status::Invalid("data_dir", "is required");
  if (c.members_file.empty()) return Status::Invalid("members_file", "is required");
  std::string host;
  uint16_t port;
  PASSERELLE_RETURN_IF_ERROR(SplitHostPort("grpc_listen", c.grpc_listen, &host, &port));
  PASSERELLE_RETURN_IF_ERROR(SplitHostPort("http_listen", c.http_listen, &host, &port));
  if (!c.peer_listen.empty())
    PASSERELLE_RETURN_IF_ERROR(SplitHostPort("peer_listen", c.peer_listen, &host, &port));
  bool any_tls = !c.tls_ca.empty() || !c.tls_cert.empty() || !c.tls_key.empty();
  if (any_tls && (c.tls_ca.empty() || c.tls_cert.empty() || c.tls_key.empty()))
    return Status::Invalid(c.tls_ca.empty() ? "tls_ca" : c.tls_cert.empty() ? "tls_cert" : "tls_key",
                           "tls_ca, tls_cert and tls_key go together");
  if (c.repair_interval_ms < 100) return Status::Invalid("repair_interval_ms", "must be at least 100");
  if (c.http_threads < 1 || c.http_threads > 64) return Status::Invalid("http_threads", "must be 1 to 64");
  if (c.session_idle_timeout_s < 60 || c.session_idle_timeout_s > c.session_lifetime_s)
    return Status::Invalid("session_idle_timeout_s", "must be at least 60 and at most session_lifetime_s");
  if (c.session_lifetime_s > 30 * 24 * 3600)
    return Status::Invalid("session_lifetime_s", "must be at most 30 days (2592000)");
  if (c.max_request_bytes < 1024 || c.max_request_bytes > (64u << 20))
    return Status::Invalid("max_request_bytes", "must be between 1024 and 67108864");
  return Status::Ok();
}

Result<NodeConfig> LoadConfig(const std::string& path) {
  NodeConfig c;
  if (path.empty()) return c;
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read configuration file " + path, "config");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = core::ParseJson(ss.str(), "config");
  if (!j.ok()) return Status::Invalid("config", path + ": " + j.status().message());
  Status s = ApplyConfig(*j, &c);
  if (!s.ok()) return Status::Invalid(s.field(), path + ": " + s.message());
  return c;
}

}  // namespace passerelle::cli
