// `passerelle equivalence --qualification ID --target-country CC [...]`: asks the running
// node (GET /api/v1/equivalences on its http_listen); when no node answers there, opens
// the stopped node's data directory and asks its EquivalenceService directly. Prints the
// answer for people (path, strengths, confidence, caveats, disclaimer) or, with --json,
// the REST answer as is.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "node/cli/commands.h"
#include "node/cli/node_context.h"
#include "node/core/json_text.h"

namespace passerelle::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

std::string UrlEncode(const std::string& s) {
  std::ostringstream out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out << c;
    else out << '%' << std::uppercase << std::hex << std::setw(2) << std::setfill('0') << int(c);
  }
  return out.str();
}

std::string QueryString(const service::EquivalenceRequest& r) {
  std::string q;
  auto add = [&](const char* k, const std::string& v) {
    if (!v.empty()) q += std::string(q.empty() ? "?" : "&") + k + "=" + UrlEncode(v);
  };
  add("qualification", r.qualification);
  add("framework", r.framework);
  if (r.level) add("level", std::to_string(*r.level));
  add("target_country", r.target_country);
  add("target_framework", r.target_framework);
  add("sector", r.sector);
  if (r.include_proposed) add("include_proposed", "true");
  if (r.reverse) add("reverse", "true");
  add("lang", r.lang);
  return q;
}

// The node's answer; UNAVAILABLE (with connected=false) when nothing listens there.
Result<json> AskNode(const std::string& host, uint16_t port, const std::string& target, bool* connected) {
  *connected = false;
  try {
    boost::asio::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(host, std::to_string(port)));
    *connected = true;
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    auto body = core::ParseJson(res.body(), "answer");
    if (!body.ok()) return body.status();
    if (res.result() == http::status::ok) return *body;
    const json& e = (*body)["error"];
    Code code = res.result() == http::status::not_found ? Code::kNotFound
                : res.result() == http::status::bad_request ? Code::kInvalidArgument
                : res.result() == http::status::conflict ? Code::kFailedPrecondition
                                                          : Code::kUnavailable;
    return Status(code, e.value("message", res.body()), e.value("field", ""));
  } catch (const std::exception& e) {
    return Status(Code::kUnavailable, "cannot reach the node at " + host + ":" + std::to_string(port) + ": " + e.what());
  }
}

std::string Level(const json& l) {
  return l.value("framework_id", "") + " " + std::to_string(l.value("level", 0));
}

void Print(const json& a, std::ostream& out) {
  const json& src = a["source"];
  out << "Source: " << Level(src);
  if (!src.value("level_title", "").empty()) out << " (" << src["level_title"].get<std::string>() << ")";
  if (src["qualification"].is_object())
    out << " - " << src["qualification"].value("id", "") << " \"" << src["qualification"].value("title", "") << "\"";
  out << "\nTarget: ";
  if (a["target"]["country"].is_string()) out << "country " << a["target"]["country"].get<std::string>() << " ";
  if (a["target"]["framework_id"].is_string()) out << "framework " << a["target"]["framework_id"].get<std::string>();
  out << "\n";
  if (a["candidates"].empty()) out << "\nNo candidate level found";
  if (a["candidates"].empty() && !a.value("include_proposed", false))
    out << " through decided mappings (--include-proposed also follows proposed ones)";
  if (a["candidates"].empty()) out << ".\n";
  int n = 0;
  for (const auto& c : a["candidates"]) {
    out << "\n" << ++n << ". " << c.value("framework_name", "") << " (" << c.value("framework_id", "") << ") level "
        << c.value("level", 0);
    if (!c.value("level_title", "").empty()) out << " \"" << c["level_title"].get<std::string>() << "\"";
    out << "\n   confidence " << std::fixed << std::setprecision(2) << c.value("confidence", 0.0) << " ("
        << c.value("confidence_label", "") << ")\n   path:\n";
    for (const auto& s : c["path"]) {
      out << "     " << Level(s["from"]) << " -> " << Level(s["to"]) << "  " << s.value("mapping_id", "")
          << ": strength " << s.value("strength", "") << ", status " << s.value("status", "");
      if (s.value("direction", "") == "read_backwards") out << ", read backwards";
      out << "; decided by ";
      for (size_t i = 0; i < s["decided_by"].size(); ++i) out << (i ? ", " : "") << s["decided_by"][i].get<std::string>();
      if (!s.value("basis", "").empty()) out << "; basis: " << s["basis"].get<std::string>();
      out << "\n";
    }
    if (!c["qualifications"].empty()) {
      out << "   qualifications (" << c.value("qualifications_total", 0) << "):\n";
      for (const auto& q : c["qualifications"])
        out << "     " << q.value("id", "") << "  " << q.value("title", "") << " (" << q.value("sector", "") << ")\n";
    }
    for (const auto& cv : c["caveats"]) out << "   ! " << cv.value("message", "") << "\n";
  }
  if (!a["problems"].empty()) out << "\nProblems:\n";
  for (const auto& p : a["problems"]) out << "  " << p.value("kind", "") << ": " << p.value("message", "") << "\n";
  out << "\n" << a.value("disclaimer", "") << std::endl;
}

}  // namespace

int RunEquivalence(const NodeConfig& config, const service::EquivalenceRequest& request, bool as_json) {
  std::string host;
  uint16_t port;
  Status s = SplitHostPort("http_listen", config.http_listen, &host, &port);
  if (!s.ok()) return Fail("bad configuration", s);
  if (host == "0.0.0.0") host = "127.0.0.1";
  bool connected = false;
  auto answer = AskNode(host, port, "/api/v1/equivalences" + QueryString(request), &connected);
  if (!connected) {  // no node running there: read its data directory
    auto ctx = OpenNode(config);
    if (!ctx.ok()) return Fail("no node answers on " + config.http_listen + " and its data cannot be opened", ctx.status());
    service::EquivalenceService equivalences((*ctx)->service.get());
    answer = equivalences.Lookup(request);
  }
  if (!answer.ok()) return Fail("equivalence", answer.status());
  if (as_json) std::cout << core::DumpJson(*answer, 2) << std::endl;
  else Print(*answer, std::cout);
  return 0;
}

}  // namespace passerelle::cli
