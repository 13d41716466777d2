// REST and gRPC are two faces of one service: over the same node (real gRPC server and
// real HTTP server on loopback), with the seed data imported, both list the same
// records with the same content, and refuse the same bad input with the same code and
// field.
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
