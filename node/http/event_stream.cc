#include "node/http/event_stream.h"

#include <nlohmann/json.hpp>

#include "node/service/change_feed.h"

namespace passerelle::http {

bool AcceptsEventStream(const Request& request) {
  auto accept = request[beast_http::field::accept];
  return std::string_view(accept.data(), accept.size()).find(kEventStreamType) != std::string_view::npos;
}

Response EventStreamResponse(const Request& request) {
  Response res{beast_http::status::ok, request.version()};
  res.set(beast_http::field::content_type, kEventStreamType);
  res.set(beast_http::field::cache_control, "no-cache");
  res.keep_alive(false);
  return res;
}

bool IsEventStream(const Response& response) {
  return response.result() == beast_http::status::ok &&
         response[beast_http::field::content_type] == kEventStreamType;
}

std::string EventStreamHead(const Response& response) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (const auto& field : response) {
    if (field.name() == beast_http::field::content_length ||
        field.name() == beast_http::field::connection)
      continue;
    auto name = field.name_string();
    auto value = field.value();
    head.append(name.data(), name.size()).append(": ").append(value.data(), value.size()).append("\r\n");
  }
  head += "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n";
  head += "retry: 3000\n: connected\n\n";
  return head;
}

std::string FormatChangeEvents(const std::vector<service::Change>& changes) {
  std::string out;
  for (const auto& c : changes) {
    nlohmann::json data = {{"kind", c.kind}, {"id", c.id}, {"origin", c.origin},
                           {"generation", c.generation}};
    out += "id: " + std::to_string(c.generation) + "\nevent: change\ndata: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
  }
  return out;
}

}  // namespace passerelle::http
