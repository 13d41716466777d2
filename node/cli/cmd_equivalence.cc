// `passerelle equivalence --qualification ID --target-country CC [...]`: asks the running
// node (EquivalenceService/Lookup on its grpc_listen); when no node answers there, opens
// the stopped node's data directory and asks its EquivalenceService directly. Prints the
// answer for people (path, strengths, confidence, caveats, disclaimer) or, with --json,
// the REST answer as is.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "node/cli/commands.h"
#include "node/cli/node_context.h"
#include "node/core/json_text.h"
#include "passerelle/v1/equivalences.grpc.pb.h"

namespace passerelle::cli {
namespace {

using nlohmann::json;

// The node's answer over its gRPC port (the administrative interface; REST needs a user
// session), converted to the REST shape; UNAVAILABLE with connected=false when nothing
// listens there.
Result<json> AskNode(const std::string& target, const service::EquivalenceRequest& r,
                     bool* connected) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  *connected = channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (!*connected) return Status(Code::kUnavailable, "no node answers on " + target);
  v1::LookupEquivalencesRequest req;
  req.set_qualification(r.qualification);
  req.set_framework(r.framework);
  if (r.level) req.set_level(static_cast<int32_t>(*r.level));
  req.set_target_country(r.target_country);
  req.set_target_framework(r.target_framework);
  req.set_sector(r.sector);
  req.set_include_proposed(r.include_proposed);
  req.set_reverse(r.reverse);
  req.set_lang(r.lang);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::Equivalences answer;
  grpc::Status rpc = v1::EquivalenceService::NewStub(channel)->Lookup(&ctx, req, &answer);
  if (!rpc.ok()) {
    std::string field;
    const auto& trailers = ctx.GetServerTrailingMetadata();
    if (auto it = trailers.find("x-passerelle-field"); it != trailers.end())
      field.assign(it->second.data(), it->second.size());
    return Status(static_cast<Code>(rpc.error_code()), rpc.error_message(), field);
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(answer, &text, options).ok())
    return Status(Code::kInternal, "cannot convert the node's answer to JSON");
  auto j = core::ParseJson(text, "answer");
  if (!j.ok()) return j.status();
  // The REST shape: absent source qualification and targets are null, counts are numbers.
  json& a = *j;
  if (!a["source"].contains("qualification")) a["source"]["qualification"] = nullptr;
  for (const char* k : {"country", "framework_id"})
    if (a["target"].value(k, "").empty()) a["target"][k] = nullptr;
  for (auto& c : a["candidates"])
    if (c["qualifications_total"].is_string())
      c["qualifications_total"] = std::stoull(c["qualifications_total"].get<std::string>());
  return std::move(*j);
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
  auto target = GrpcTarget(config);
  if (!target.ok()) return Fail("bad configuration", target.status());
  bool connected = false;
  auto answer = AskNode(*target, request, &connected);
  if (!connected) {  // no node running there: read its data directory
    auto ctx = OpenNode(config, StoreMode::kMustExist);
    if (!ctx.ok()) return Fail("no node answers on " + config.grpc_listen + " and its data cannot be opened", ctx.status());
    service::EquivalenceService equivalences((*ctx)->service.get());
    answer = equivalences.Lookup(request);
  }
  if (!answer.ok()) return Fail("equivalence", answer.status());
  if (as_json) std::cout << core::DumpJson(*answer, 2) << std::endl;
  else Print(*answer, std::cout);
  return 0;
}

}  // namespace passerelle::cli
