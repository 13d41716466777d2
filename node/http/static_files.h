// Static files of the web client, served from one root directory for GET and HEAD.
// "/" and directories serve index.html. Paths with "..", hidden (dot) segments or
// backslashes are refused (400 / 404); a path that resolves outside the root, also
// through a symlink, is never served (404). Content-Type from the file extension; a
// strict Content-Security-Policy (kContentSecurityPolicy) with every file.
#pragma once

#include <string>
#include <string_view>

#include "node/http/target.h"
#include "node/http/types.h"

namespace passerelle::http {

// Sent with every static file, with X-Frame-Options: DENY.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

Response ServeStatic(const Request& request, const Target& target, const std::string& web_root);

// "text/html; charset=utf-8" for ".html"; application/octet-stream when unknown.
std::string_view MimeType(std::string_view path);

}  // namespace passerelle::http
