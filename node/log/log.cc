#include "node/log/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

namespace passerelle::log {
namespace {

// {"ts":"2026-11-24T10:00:00.123Z","level":"info","msg":"..."}; the message is
// JSON-escaped, so a log line can never be split or forged by what it quotes.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto t = std::chrono::system_clock::to_time_t(msg.time);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[40];
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    nlohmann::json line = {
        {"ts", ts},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    // Invalid UTF-8 in a message is replaced rather than throwing.
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::shared_ptr<spdlog::logger> Make() {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto l = std::make_shared<spdlog::logger>("passerelle", sink);
  l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  l->set_level(spdlog::level::info);
  l->flush_on(spdlog::level::trace);  // every line reaches the log at once (tests, journald)
  return l;
}

}  // namespace

Status Check(const std::string& format, const std::string& level) {
  if (format != "text" && format != "json")
    return Status::Invalid("log_format", "must be text or json (got '" + format + "')");
  static const char* const kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  for (const char* l : kLevels)
    if (level == l) return Status::Ok();
  return Status::Invalid("log_level", "must be trace, debug, info, warn, error or off (got '" + level + "')");
}

Status Init(const std::string& format, const std::string& level) {
  PASSERELLE_RETURN_IF_ERROR(Check(format, level));
  spdlog::logger& l = Get();
  if (format == "json")
    l.set_formatter(std::make_unique<JsonFormatter>());
  else
    l.set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  l.set_level(spdlog::level::from_str(level));
  return Status::Ok();
}

spdlog::logger& Get() {
  static const std::shared_ptr<spdlog::logger> logger = Make();  // thread-safe once
  return *logger;
}

}  // namespace passerelle::log
