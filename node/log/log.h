// The node's logging: one spdlog logger writing to stdout, either human-readable text
// or one JSON object per line ({"ts","level","msg"}), at a minimum level. Messages never
// carry secrets: callers log route patterns, member ids and counts, never request
// bodies, query strings, headers, passwords, session tokens or key material.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "storage/status.h"

namespace passerelle::log {

// format: "text" | "json"; level: "trace" | "debug" | "info" | "warn" | "error" | "off".
// INVALID_ARGUMENT naming log_format / log_level otherwise. Safe to call again.
Status Init(const std::string& format, const std::string& level);
// Checks the values without touching the logger (configuration checks).
Status Check(const std::string& format, const std::string& level);

// The node's logger (a stdout text logger at "info" until Init runs).
spdlog::logger& Get();

}  // namespace passerelle::log

// Short forms: PLOG_INFO("node {} ready", id).
#define PLOG_DEBUG(...) ::passerelle::log::Get().debug(__VA_ARGS__)
#define PLOG_INFO(...) ::passerelle::log::Get().info(__VA_ARGS__)
#define PLOG_WARN(...) ::passerelle::log::Get().warn(__VA_ARGS__)
#define PLOG_ERROR(...) ::passerelle::log::Get().error(__VA_ARGS__)
