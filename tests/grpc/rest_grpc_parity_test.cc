// REST and gRPC are two faces of one service: over the same node (real gRPC server and
// real HTTP server on loopback), with the seed data imported, both list the same
// records with the same content, and refuse the same bad input with the same code and
// field; for every family, each method (create, get, update with a mask, list with a
// filter, delete) and each refusal (invalid, duplicate, stale version, absent, not this
// member's) answers the same both ways.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>

#include <set>

#include "node/http/http_server.h"
#include "node/service/seed_io.h"
#include "passerelle/v1/agreements.grpc.pb.h"
#include "passerelle/v1/forums.grpc.pb.h"
#include "passerelle/v1/projects.grpc.pb.h"
#include "tests/grpc/grpc_fixture.h"
#include "tests/http/http_client.h"
#include "tests/http/test_sessions.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;

namespace {

struct BothFixture : GrpcFixture {
  BothFixture() {
    REQUIRE_OK(service::ImportSeed(service.get(), SeedDir(), {}));
    http::HttpOptions options;
    options.port = 0;
    sessions = std::make_unique<TestSessions>(store.get());
    options.sessions = &sessions->sessions;
    http_server = std::make_unique<http::HttpServer>(service.get(), options);
    REQUIRE_OK(http_server->Start());
    rest = std::make_unique<HttpClient>("127.0.0.1", http_server->port());
    sessions->Authorize(rest.get());
  }
  ~BothFixture() { http_server->Stop(); }

  // Every record of a family over REST, by id.
  std::map<std::string, json> RestAll(const std::string& plural) {
    std::map<std::string, json> out;
    std::string token;
    do {
      auto res = rest->Get("/api/v1/" + plural + "?page_size=7" + (token.empty() ? "" : "&page_token=" + token));
      REQUIRE(res.result_int() == 200);
      json body = json::parse(res.body());
      for (const auto& r : body[plural]) out[r["id"].get<std::string>()] = r;
      token = body.value("next_page_token", "");
    } while (!token.empty());
    return out;
  }

  // Every record over gRPC, by id, for a stub whose List answers `Response`.
  template <typename Stub, typename Response, typename Items>
  std::map<std::string, json> GrpcAll(Stub& stub, Items items) {
    std::map<std::string, json> out;
    v1::ListRequest req;
    req.set_page_size(7);
    do {
      grpc::ClientContext ctx;
      Response page;
      REQUIRE(stub.List(&ctx, req, &page).ok());
      for (const auto& m : items(page)) {
        json j = ToJson(m);
        out[j["id"].get<std::string>()] = j;
      }
      req.set_page_token(page.next_page_token());
    } while (!req.page_token().empty());
    return out;
  }

  std::unique_ptr<TestSessions> sessions;  // before the server: outlives it
  std::unique_ptr<http::HttpServer> http_server;
  std::unique_ptr<HttpClient> rest;
};

// proto3 cannot tell an empty list from an absent one; compare without empty lists.
json WithoutEmpty(json j) {
  for (auto it = j.begin(); it != j.end();)
    it = (it->is_array() || it->is_object()) && it->empty() ? j.erase(it) : std::next(it);
  return j;
}

void ExpectSame(const std::map<std::string, json>& rest, const std::map<std::string, json>& grpc) {
  REQUIRE(rest.size() == grpc.size());
  REQUIRE(!rest.empty());
  for (const auto& [id, r] : rest) {
    INFO(id);
    REQUIRE(grpc.count(id));
    CHECK(WithoutEmpty(r) == WithoutEmpty(grpc.at(id)));
  }
}

}  // namespace

TEST_CASE("REST and gRPC: the same records with the same content", "[grpc][http][parity]") {
  BothFixture f;
  auto forums = v1::ForumService::NewStub(f.channel);
  ExpectSame(f.RestAll("forums"), f.GrpcAll<v1::ForumService::Stub, v1::ListForumsResponse>(
                                      *forums, [](const auto& p) { return p.forums(); }));
  auto agreements = v1::AgreementService::NewStub(f.channel);
  ExpectSame(f.RestAll("agreements"), f.GrpcAll<v1::AgreementService::Stub, v1::ListAgreementsResponse>(
                                          *agreements, [](const auto& p) { return p.agreements(); }));
  auto projects = v1::ProjectService::NewStub(f.channel);
  ExpectSame(f.RestAll("projects"), f.GrpcAll<v1::ProjectService::Stub, v1::ListProjectsResponse>(
                                        *projects, [](const auto& p) { return p.projects(); }));
}

TEST_CASE("REST and gRPC: the same refusal for the same bad input", "[grpc][http][parity]") {
  BothFixture f;
  const char* bad = R"({"id": "forum-x", "title": "Forum", "start_date": "2019-03-21",
                        "end_date": "2019-03-01", "participants_total": 10})";
  auto res = f.rest->Post("/api/v1/forums", json::parse(bad));
  CHECK(res.result_int() == 400);
  json err = json::parse(res.body())["error"];
  auto forums = v1::ForumService::NewStub(f.channel);
  grpc::ClientContext ctx;
  v1::Forum out;
  auto status = forums->Create(&ctx, FromJson<v1::Forum>(bad), &out);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ErrorField(ctx) == err["field"].get<std::string>());
  CHECK(err["field"] == "end_date");
  CHECK(f.RestAll("forums").size() == 5);
}

namespace {

// One unary call by name ("ForumService", "Update"), whatever the family: the request
// built from JSON through the generated descriptors, the answer as record JSON.
struct GrpcAnswer {
  grpc::StatusCode code;
  std::string field;
  json body;
};

GrpcAnswer CallByName(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                      const std::string& method, const json& request) {
  const auto* sd = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("passerelle.v1." + service);
  REQUIRE(sd != nullptr);
  const auto* md = sd->FindMethodByName(method);
  REQUIRE(md != nullptr);
  auto* factory = google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<google::protobuf::Message> req(factory->GetPrototype(md->input_type())->New());
  std::unique_ptr<google::protobuf::Message> resp(factory->GetPrototype(md->output_type())->New());
  INFO(service << "." << method << " " << request.dump());
  REQUIRE(google::protobuf::util::JsonStringToMessage(request.dump(), req.get()).ok());
  const std::string path = "/" + sd->full_name() + "/" + method;
  grpc::internal::RpcMethod rpc(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ClientContext ctx;
  grpc::Status s = grpc::internal::BlockingUnaryCall<google::protobuf::Message, google::protobuf::Message,
                                                     google::protobuf::MessageLite, google::protobuf::MessageLite>(
      channel.get(), rpc, &ctx, *req, resp.get());
  return {s.error_code(), ErrorField(ctx), s.ok() ? ToJson(*resp) : json()};
}

struct RestAnswer {
  unsigned status;
  json body;
  std::string field() const { return body.is_object() && body.contains("error") ? body["error"].value("field", "") : ""; }
};

RestAnswer Rest(HttpClient& http, beast_http::verb verb, const std::string& target, const json& body = nullptr) {
  auto res = http.Send(verb, target, body.is_null() ? std::string() : body.dump());
  return {res.result_int(), res.body().empty() ? json() : json::parse(res.body(), nullptr, false)};
}

// A record as both adapters show it, without what proto3 cannot tell apart.
json Shown(const json& j) { return WithoutEmpty(j); }

struct FamilyCase {
  std::string plural, service, update_field;  // update_field: the record field of UpdateXRequest
  json record;                                // valid, owned by this node's member
  std::string required;                       // a required field, for the refusal
  std::pair<std::string, json> change;        // a top-level field and a new value
};

}  // namespace

TEST_CASE("REST and gRPC: every method and refusal the same, family by family", "[grpc][http][parity]") {
  BothFixture f;
  // In dependency order; deleted in the reverse order.
  const std::vector<FamilyCase> cases = {
      {"institutions", "InstitutionService", "institution",
       {{"id", "parity-inst"}, {"name", "Collège parité"}, {"type", "college"}, {"country", "CA"}}, "name",
       {"name", "Collège de la parité"}},
      {"agreements", "AgreementService", "agreement",
       {{"id", "parity-agr"}, {"title", "Entente parité"}, {"parties", {"inmq"}}, {"kind", "cooperation"}}, "title",
       {"title", "Entente de parité"}},
      {"projects", "ProjectService", "project",
       {{"id", "parity-prj"}, {"title", "Projet parité"}, {"lead_partner", "inmq"}}, "title", {"title", "Projet de parité"}},
      {"deliverables", "DeliverableService", "deliverable",
       {{"id", "parity-del"}, {"project", "parity-prj"}, {"title", "Livrable parité"}}, "title",
       {"status", "delivered"}},
      {"indicators", "IndicatorService", "indicator",
       {{"id", "parity-ind"}, {"project", "parity-prj"}, {"description", "Indicateur parité"}, {"target", 12}},
       "description", {"value", 7.5}},
      {"forums", "ForumService", "forum", {{"id", "parity-forum"}, {"title", "Forum parité"}}, "title",
       {"location", "Rabat"}},
      {"events", "EventService", "event", {{"id", "parity-evt"}, {"title", "Sommet parité"}, {"kind", "summit"}},
       "kind", {"title", "Sommet de la parité"}},
      {"frameworks", "FrameworkService", "framework",
       {{"id", "parity-fw"}, {"name", "Cadre parité"}, {"scope", "national"}, {"authority", "inmq"},
        {"levels", {{{"level", 1}, {"title", "Un"}}, {{"level", 2}, {"title", "Deux"}}}}},
       "scope", {"short_name", "CP"}},
      {"qualifications", "QualificationService", "qualification",
       {{"id", "parity-q"}, {"title", "Qualification parité"}, {"framework_id", "parity-fw"}, {"level", 1}}, "title",
       {"level", 2}},
      {"mappings", "MappingService", "mapping",
       {{"id", "parity-map"}, {"type", "level_mapping"}, {"status", "proposed"},
        {"from", {{"framework_id", "parity-fw"}, {"level", 1}}}, {"to", {{"framework_id", "parity-fw"}, {"level", 2}}}},
       "status", {"status", "approved"}},
  };
  for (const auto& c : cases) {
    INFO(c.plural);
    const std::string base = "/api/v1/" + c.plural;
    const std::string id = c.record["id"];

    // A missing required field: 400 and INVALID_ARGUMENT, naming it; nothing created.
    json partial = c.record;
    partial.erase(c.required);
    RestAnswer bad = Rest(*f.rest, beast_http::verb::post, base, partial);
    GrpcAnswer gbad = CallByName(f.channel, c.service, "Create", partial);
    CHECK(bad.status == 400);
    CHECK(gbad.code == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(bad.field() == c.required);
    CHECK(gbad.field == c.required);

    // Created over gRPC: REST and gRPC show the same record.
    GrpcAnswer created = CallByName(f.channel, c.service, "Create", c.record);
    REQUIRE(created.code == grpc::StatusCode::OK);
    RestAnswer got = Rest(*f.rest, beast_http::verb::get, base + "/" + id);
    REQUIRE(got.status == 200);
    CHECK(Shown(got.body) == Shown(created.body));
    CHECK(Shown(CallByName(f.channel, c.service, "Get", {{"id", id}}).body) == Shown(got.body));

    // The same id again: 409 and ALREADY_EXISTS on "id".
    RestAnswer dup = Rest(*f.rest, beast_http::verb::post, base, c.record);
    GrpcAnswer gdup = CallByName(f.channel, c.service, "Create", c.record);
    CHECK(dup.status == 409);
    CHECK(gdup.code == grpc::StatusCode::ALREADY_EXISTS);
    CHECK(dup.field() == "id");
    CHECK(gdup.field == "id");

    // A stale expected version: 412 and ABORTED, nothing changed.
    const uint64_t version = got.body["version"];
    json change_body = {{c.change.first, c.change.second}};
    RestAnswer stale = Rest(*f.rest, beast_http::verb::patch, base + "/" + id + "?expected_version=" + std::to_string(version + 5), change_body);
    json grecord = change_body;
    grecord["id"] = id;
    GrpcAnswer gstale = CallByName(f.channel, c.service, "Update",
                                   {{c.update_field, grecord}, {"update_mask", c.change.first}, {"expected_version", version + 5}});
    CHECK(stale.status == 412);
    CHECK(gstale.code == grpc::StatusCode::ABORTED);
    CHECK(stale.field() == "version");
    CHECK(gstale.field == "version");

    // The change over gRPC (field mask, current version): REST shows what gRPC answered.
    GrpcAnswer updated = CallByName(f.channel, c.service, "Update",
                                    {{c.update_field, grecord}, {"update_mask", c.change.first}, {"expected_version", version}});
    REQUIRE(updated.code == grpc::StatusCode::OK);
    CHECK(updated.body[c.change.first] == c.change.second);
    RestAnswer after = Rest(*f.rest, beast_http::verb::get, base + "/" + id);
    CHECK(Shown(after.body) == Shown(updated.body));
    CHECK(after.body["version"] == version + 1);

    // Absent: 404 and NOT_FOUND.
    CHECK(Rest(*f.rest, beast_http::verb::get, base + "/parity-none").status == 404);
    CHECK(CallByName(f.channel, c.service, "Get", {{"id", "parity-none"}}).code == grpc::StatusCode::NOT_FOUND);
  }

  // A record that would belong to another member: 403 and PERMISSION_DENIED on "owners".
  json theirs = {{"id", "parity-theirs"}, {"title", "Forum d'un autre"}, {"owners", {"morocco"}}};
  RestAnswer denied = Rest(*f.rest, beast_http::verb::post, "/api/v1/forums", theirs);
  GrpcAnswer gdenied = CallByName(f.channel, "ForumService", "Create", theirs);
  CHECK(denied.status == 403);
  CHECK(gdenied.code == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(denied.field() == "owners");
  CHECK(gdenied.field == "owners");

  // The same filtered list both ways.
  auto ids = [](const json& records) {
    std::set<std::string> out;
    for (const auto& r : records) out.insert(r["id"].get<std::string>());
    return out;
  };
  RestAnswer listed = Rest(*f.rest, beast_http::verb::get, "/api/v1/deliverables?project=parity-prj");
  GrpcAnswer glisted = CallByName(f.channel, "DeliverableService", "List", {{"filters", {{"project", "parity-prj"}}}});
  REQUIRE(listed.status == 200);
  CHECK(ids(listed.body["deliverables"]) == std::set<std::string>{"parity-del"});
  CHECK(ids(glisted.body["deliverables"]) == ids(listed.body["deliverables"]));

  // Deleted one way, gone the other (children first); a stale delete is refused both ways.
  for (auto c = cases.rbegin(); c != cases.rend(); ++c) {
    INFO(c->plural);
    const std::string id = c->record["id"];
    const std::string path = "/api/v1/" + c->plural + "/" + id;
    const uint64_t version = Rest(*f.rest, beast_http::verb::get, path).body["version"];
    CHECK(Rest(*f.rest, beast_http::verb::delete_, path + "?expected_version=" + std::to_string(version + 5)).status == 412);
    CHECK(CallByName(f.channel, c->service, "Delete", {{"id", id}, {"expected_version", version + 5}}).code ==
          grpc::StatusCode::ABORTED);
    if (std::distance(cases.rbegin(), c) % 2 == 0) {
      REQUIRE(Rest(*f.rest, beast_http::verb::delete_, path + "?expected_version=" + std::to_string(version)).status == 204);
      CHECK(CallByName(f.channel, c->service, "Get", {{"id", id}}).code == grpc::StatusCode::NOT_FOUND);
    } else {
      REQUIRE(CallByName(f.channel, c->service, "Delete", {{"id", id}, {"expected_version", version}}).code ==
              grpc::StatusCode::OK);
      CHECK(Rest(*f.rest, beast_http::verb::get, path).status == 404);
    }
  }
}
