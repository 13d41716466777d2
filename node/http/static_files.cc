#include "node/http/static_files.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "node/http/errors.h"
#include "node/http/request_decoding.h"

namespace passerelle::http {
namespace {

namespace fs = std::filesystem;

// The web client is a handful of small files; anything bigger is not ours to serve.
constexpr uintmax_t kMaxStaticFileBytes = 32u << 20;

bool IsInside(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

// The canonical file for `rel` under `root`, or an empty path when it does not exist,
// is not a regular file or lies outside the root.
fs::path Resolve(const fs::path& root, const fs::path& rel) {
  std::error_code ec;
  fs::path full = fs::weakly_canonical(root / rel, ec);
  if (ec || !IsInside(root, full)) return {};
  if (fs::is_directory(full, ec)) {
    full = fs::weakly_canonical(full / "index.html", ec);
    if (ec || !IsInside(root, full)) return {};
  }
  if (!fs::is_regular_file(full, ec) || ec) return {};
  return full;
}

}  // namespace

std::string_view MimeType(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/vnd.microsoft.icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".wasm", "application/wasm"},
  };
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  std::string ext(path.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [e, type] : kTypes)
    if (e == ext) return type;
  return "application/octet-stream";
}

// Whether an If-None-Match header value names `etag` (a list, or "*").
bool EtagMatches(boost::beast::string_view header, std::string_view etag) {
  for (std::string_view item : CommaList(std::string_view(header.data(), header.size()))) {
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag || item == "*") return true;
  }
  return false;
}

Response ServeStatic(const Request& request, const Target& target, const std::string& web_root) {
  auto refuse = [&](const Status& s) {
    return ErrorResponse(s, request.version(), request.keep_alive());
  };
  const Status not_found = Status::NotFound("no such file: " + target.path);
  if (web_root.empty()) return refuse(not_found);
  if (target.path.find('\\') != std::string::npos || target.path.find('\0') != std::string::npos)
    return refuse(Status::Invalid("path", "backslashes and NUL bytes are not allowed"));
  fs::path rel;
  for (const auto& seg : target.segments) {
    if (seg == "..") return refuse(Status::Invalid("path", "'..' is not allowed"));
    if (seg.front() == '.' || seg.find('/') != std::string::npos) return refuse(not_found);
    rel /= seg;
  }
  std::error_code ec;
  fs::path root = fs::weakly_canonical(web_root, ec);
  if (ec) return refuse(not_found);
  fs::path file = Resolve(root, rel);
  if (file.empty()) return refuse(not_found);
  uintmax_t size = fs::file_size(file, ec);
  if (ec || size > kMaxStaticFileBytes) return refuse(not_found);
  // A validator from the file's size and modification time: a browser revalidating
  // (Cache-Control: no-cache) gets 304 without the body while the file is unchanged.
  auto mtime = fs::last_write_time(file, ec);
  if (ec) return refuse(not_found);
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%jx-%llx\"", size,
                static_cast<unsigned long long>(mtime.time_since_epoch().count()));

  Response res;
  res.version(request.version());
  res.result(200);
  res.keep_alive(request.keep_alive());
  res.set(beast_http::field::content_type, std::string(MimeType(file.filename().string())));
  res.set("X-Content-Type-Options", "nosniff");
  // The web client loads only its own files and talks only to its node: nothing inline,
  // nothing from elsewhere, never framed (a page that injected markup could run nothing).
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Frame-Options", "DENY");
  res.set(beast_http::field::cache_control, "no-cache");
  res.set(beast_http::field::etag, etag);
  if (EtagMatches(request[beast_http::field::if_none_match], etag)) {
    res.result(304);
    return res;
  }
  if (request.method() == beast_http::verb::head) {
    res.content_length(size);
    return res;
  }
  std::ifstream in(file, std::ios::binary);
  res.body().assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof())
    return ErrorResponse(Status::Internal("cannot read " + target.path), request.version(),
                         request.keep_alive());
  res.prepare_payload();
  return res;
}

}  // namespace passerelle::http
