#include "node/cli/config.h"

#include <cerrno>
#include <cstring>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

#include "node/core/json_text.h"
#include "node/log/log.h"

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
    // Checked in the target's range before narrowing: 4294967297 is no int of 1.
    if (!it->is_number_integer() || it->template get<int64_t>() < 0 ||
        (it->is_number_unsigned() ? it->template get<uint64_t>() > std::numeric_limits<T>::max()
                                  : static_cast<uint64_t>(it->template get<int64_t>()) > std::numeric_limits<T>::max()))
      return Status::Invalid(key, "must be a non-negative integer no larger than " +
                                      std::to_string(std::numeric_limits<T>::max()));
  }
  *out = it->template get<T>();
  return Status::Ok();
}

// A host name or address that only this machine reaches: "localhost", 127.0.0.0/8, ::1
// or ::ffff:127.x.y.z. Other names are not resolved here: they count as remote.
bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
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

Result<std::string> GrpcTarget(const NodeConfig& config) {
  std::string host;
  uint16_t port;
  PASSERELLE_RETURN_IF_ERROR(SplitHostPort("grpc_listen", config.grpc_listen, &host, &port));
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

const std::vector<OptionInfo>& ConfigOptions() {
  static const std::vector<OptionInfo> kOptions = {
      {"member_id", OptionType::kString, "this node's member in the members file (required)"},
      {"data_dir", OptionType::kString, "data directory (RocksDB), created if missing (required)"},
      {"members_file", OptionType::kString, "federation members file (JSON) (required)"},
      {"grpc_listen", OptionType::kString, "gRPC host:port (port 0 = pick)"},
      {"http_listen", OptionType::kString, "REST, web client, /healthz, /readyz, /metrics host:port"},
      {"web_root", OptionType::kString, "directory of the web client's files"},
      {"sync_writes", OptionType::kBool, "fsync every write (survives power loss)"},
      {"http_threads", OptionType::kInt, "HTTP io threads (1..64)"},
      {"max_request_bytes", OptionType::kInt, "REST body / gRPC message limit in bytes"},
      {"peer_listen", OptionType::kString, "peer port host:port (\"\" = this member's node_address)"},
      {"signing_key", OptionType::kString, "file with this member's Ed25519 secret key"},
      {"tls_ca", OptionType::kString, "federation CA certificate (PEM)"},
      {"tls_cert", OptionType::kString, "this node's certificate (PEM)"},
      {"tls_key", OptionType::kString, "this node's TLS private key (PEM)"},
      {"insecure_peers", OptionType::kBool, "allow replication without TLS (tests only)"},
      {"grpc_allow_remote", OptionType::kBool, "let grpc_listen be a non-loopback address (every gRPC call acts as admin)"},
      {"repair_interval_ms", OptionType::kInt, "a peer stream is re-opened at least this often"},
      {"max_clock_skew_ms", OptionType::kInt, "peer ops dated further ahead are refused"},
      {"claim_unowned", OptionType::kBool, "import takes records touching no member"},
      {"log_format", OptionType::kString, "text or json"},
      {"log_level", OptionType::kString, "trace, debug, info, warn, error or off"},
      {"shutdown_grace_ms", OptionType::kInt, "on SIGTERM, in-flight requests get this long"},
      {"secure_cookies", OptionType::kBool, "mark the session cookie Secure (set when HTTPS is in front)"},
      {"trusted_proxies", OptionType::kString,
       "comma-separated IP addresses of reverse proxies whose X-Forwarded-For names the client"},
      {"session_idle_timeout_s", OptionType::kInt, "a web session unused this long expires"},
      {"session_lifetime_s", OptionType::kInt, "a web session expires this long after login"},
  };
  return kOptions;
}

std::string FlagName(const std::string& option) {
  std::string f = "--" + option;
  for (char& c : f) if (c == '_') c = '-';
  return f;
}

std::string EnvName(const std::string& option) {
  std::string e = "PASSERELLE_" + option;
  for (char& c : e) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

Status ApplyConfig(const json& j, NodeConfig* c) {
  if (!j.is_object()) return Status::Invalid("config", "must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto& o : ConfigOptions()) known |= key == o.name;
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
  PASSERELLE_RETURN_IF_ERROR(Read(j, "grpc_allow_remote", &c->grpc_allow_remote));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "repair_interval_ms", &c->repair_interval_ms));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "max_clock_skew_ms", &c->max_clock_skew_ms));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "claim_unowned", &c->claim_unowned));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "secure_cookies", &c->secure_cookies));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "trusted_proxies", &c->trusted_proxies));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "session_idle_timeout_s", &c->session_idle_timeout_s));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "session_lifetime_s", &c->session_lifetime_s));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "log_format", &c->log_format));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "log_level", &c->log_level));
  PASSERELLE_RETURN_IF_ERROR(Read(j, "shutdown_grace_ms", &c->shutdown_grace_ms));
  return Status::Ok();
}

Result<json> TextOverrides(const std::map<std::string, std::string>& values,
                           const std::string& source) {
  json out = json::object();
  for (const auto& [name, text] : values) {
    const OptionInfo* info = nullptr;
    for (const auto& o : ConfigOptions())
      if (name == o.name) info = &o;
    if (info == nullptr) return Status::Invalid(name, "unknown configuration option (" + source + ")");
    const std::string where = " (" + source + ")";
    switch (info->type) {
      case OptionType::kString:
        out[name] = text;
        break;
      case OptionType::kBool:
        if (text == "true" || text == "1") out[name] = true;
        else if (text == "false" || text == "0") out[name] = false;
        else return Status::Invalid(name, "must be true or false (got '" + text + "')" + where);
        break;
      case OptionType::kInt:
        if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
          return Status::Invalid(name, "must be a non-negative integer (got '" + text + "')" + where);
        out[name] = std::stoull(text);
        break;
    }
  }
  return out;
}

Result<json> EnvironmentOverrides(char** envp, std::vector<std::string>* ignored) {
  std::map<std::string, std::string> values;
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    if (entry.rfind("PASSERELLE_", 0) != 0) continue;
    size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    std::string var = entry.substr(0, eq);
    bool matched = false;
    for (const auto& o : ConfigOptions()) {
      if (var == EnvName(o.name)) {
        values[o.name] = entry.substr(eq + 1);
        matched = true;
      }
    }
    if (!matched && ignored != nullptr) ignored->push_back(var);
  }
  for (const auto& [name, text] : values) {
    auto one = TextOverrides({{name, text}}, "environment variable " + EnvName(name));
    if (!one.ok()) return one.status();
  }
  return TextOverrides(values, "environment");
}

Result<NodeConfig> ResolveConfig(const std::string& file, char** envp,
                                 const std::map<std::string, std::string>& flags, bool check) {
  auto loaded = LoadConfig(file);
  if (!loaded.ok()) return loaded.status();
  NodeConfig config = std::move(loaded).value();
  auto env = EnvironmentOverrides(envp);
  if (!env.ok()) return env.status();
  PASSERELLE_RETURN_IF_ERROR(ApplyConfig(*env, &config));
  auto from_flags = TextOverrides(flags, "command-line flag");
  if (!from_flags.ok()) return from_flags.status();
  PASSERELLE_RETURN_IF_ERROR(ApplyConfig(*from_flags, &config));
  if (!check) return config;
  Status checked = CheckConfig(config);
  if (!checked.ok()) {  // say where the refused value came from
    const std::string& f = checked.field();
    std::string source;
    if (from_flags->contains(f)) source = "command-line flag " + FlagName(f);
    else if (env->contains(f)) source = "environment variable " + EnvName(f);
    else if (!file.empty()) source = "configuration file " + file;
    if (!source.empty()) return Status(checked.code(), checked.message() + " (" + source + ")", f);
  }
  PASSERELLE_RETURN_IF_ERROR(checked);
  return config;
}

Status CheckConfig(const NodeConfig& c) {
  if (c.member_id.empty()) return Status::Invalid("member_id", "is required");
  if (c.data_dir.empty()) return Status::Invalid("data_dir", "is required");
  if (c.members_file.empty()) return Status::Invalid("members_file", "is required");
  std::string host;
  uint16_t port;
  PASSERELLE_RETURN_IF_ERROR(SplitHostPort("grpc_listen", c.grpc_listen, &host, &port));
  if (!c.grpc_allow_remote && !IsLoopback(host))
    return Status::Invalid("grpc_listen", "the gRPC port has no accounts (every call acts as this node's admin): bind it to "
                                          "127.0.0.1, or set grpc_allow_remote to expose '" + host + "' on purpose");
  PASSERELLE_RETURN_IF_ERROR(SplitHostPort("http_listen", c.http_listen, &host, &port));
  if (!c.peer_listen.empty())
    PASSERELLE_RETURN_IF_ERROR(SplitHostPort("peer_listen", c.peer_listen, &host, &port));
  bool any_tls = !c.tls_ca.empty() || !c.tls_cert.empty() || !c.tls_key.empty();
  if (any_tls && (c.tls_ca.empty() || c.tls_cert.empty() || c.tls_key.empty()))
    return Status::Invalid(c.tls_ca.empty() ? "tls_ca" : c.tls_cert.empty() ? "tls_cert" : "tls_key",
                           "tls_ca, tls_cert and tls_key go together");
  if (c.repair_interval_ms < 100 || c.repair_interval_ms > 24 * 3600 * 1000)
    return Status::Invalid("repair_interval_ms", "must be at least 100 and at most 86400000 (a day)");
  if (c.max_clock_skew_ms > 366ull * 24 * 3600 * 1000)
    return Status::Invalid("max_clock_skew_ms", "must be at most 31622400000 (a year)");
  if (c.http_threads < 1 || c.http_threads > 64) return Status::Invalid("http_threads", "must be 1 to 64");
  if (c.session_idle_timeout_s < 60 || c.session_idle_timeout_s > c.session_lifetime_s)
    return Status::Invalid("session_idle_timeout_s", "must be at least 60 and at most session_lifetime_s");
  if (c.session_lifetime_s > 30 * 24 * 3600)
    return Status::Invalid("session_lifetime_s", "must be at most 30 days (2592000)");
  if (c.max_request_bytes < 1024 || c.max_request_bytes > (64u << 20))
    return Status::Invalid("max_request_bytes", "must be between 1024 and 67108864");
  PASSERELLE_RETURN_IF_ERROR(log::Check(c.log_format, c.log_level));
  if (c.shutdown_grace_ms > 600000) return Status::Invalid("shutdown_grace_ms", "must be at most 600000");
  return Status::Ok();
}

Result<NodeConfig> LoadConfig(const std::string& path) {
  NodeConfig c;
  if (path.empty()) return c;
  std::ifstream in(path);
  if (!in) return Status::Invalid("config", "cannot read configuration file " + path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = core::ParseJson(ss.str(), "config");
  if (!j.ok()) return Status::Invalid("config", path + ": " + j.status().message());
  Status s = ApplyConfig(*j, &c);
  if (!s.ok()) return Status::Invalid(s.field(), path + ": " + s.message());
  return c;
}

}  // namespace passerelle::cli
