// The request and response types of the HTTP layer: Beast messages with string bodies.
// Shared by the handler (pure), the session (sockets) and the tests.
#pragma once

#include <boost/beast/http.hpp>
#include <string>

namespace passerelle::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

}  // namespace passerelle::http
