#include "node/http/http_metrics.h"

#include "node/log/log.h"
#include "node/metrics/registry.h"

namespace passerelle::http {

std::string MethodLabel(const Request& request) {
  if (request.method() == beast_http::verb::unknown) return "OTHER";
  return std::string(request.method_string());
}

void RecordRequest(const Request& request, unsigned status, std::chrono::microseconds elapsed) {
  const std::string method = MethodLabel(request);
  const std::string route =
      RoutePattern(std::string_view(request.target().data(), request.target().size()));
  auto& registry = metrics::Global();
  registry
      .GetCounter("passerelle_http_requests_total", "HTTP requests answered, by method, route and status",
                  {{"method", method}, {"route", route}, {"status", std::to_string(status)}})
      .Inc();
  registry
      .GetHistogram("passerelle_http_request_duration_seconds",
                    "Time to handle an HTTP request (until the answer is ready), by method and route",
                    {{"method", method}, {"route", route}})
      .ObserveMicros(static_cast<uint64_t>(elapsed.count()));
  PLOG_DEBUG("http {} {} {} {}us", method, route, status, elapsed.count());
}

}  // namespace passerelle::http
