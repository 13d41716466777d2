// REST semantics through HandleRequest, without sockets: create/get/list/patch/delete,
// page tokens, nested routes, optimistic concurrency, errors and their HTTP statuses.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "node/http/handler.h"
#include "tests/http/fixture.h"

namespace passerelle::http {
namespace {

using nlohmann::json;
using testing::Forum;
using testing::Institution;
using testing::MakeRequest;
using testing::Project;
using testing::TestNode;
using verb = beast_http::verb;

json Body(const Response& res) { return json::parse(res.body(), nullptr, false); }

struct Rest {
  TestNode node;
  Deps deps = node.deps();
  service::SessionView admin = node.LoginAs("admin", service::Role::kAdmin);

  // A request with the admin's session.
  http::Request Make(verb method, const std::string& target, const std::string& body = {},
                     const std::string& content_type = "application/json") {
    auto req = MakeRequest(method, target, body, content_type);
    testing::Authorize(&req, admin);
    return req;
  }
  Response Call(verb method, const std::string& target, const std::string& body = {},
                const std::string& content_type = "application/json") {
    return HandleRequest(Make(method, target, body, content_type), deps);
  }
  Response Post(const std::string& target, const json& body) {
    return Call(verb::post, target, body.dump());
  }
  Response Get(const std::string& target) { return Call(verb::get, target); }
  size_t Count(const std::string& plural) {
    auto res = Get("/api/v1/" + plural + "?page_size=1000");
    REQUIRE(res.result_int() == 200);
    return Body(res)[plural].size();
  }
  void Seed() { REQUIRE(Post("/api/v1/institutions", Institution()).result_int() == 201); }
};

void RequireError(const Response& res, unsigned status, const std::string& code,
                  const std::string& field) {
  INFO(res.body());
  REQUIRE(res.result_int() == status);
  REQUIRE(res[beast_http::field::content_type] == "application/json");
  json body = Body(res);
  REQUIRE(body["error"]["code"] == code);
  REQUIRE(body["error"]["message"].is_string());
  if (field.empty())
    REQUIRE_FALSE(body["error"].contains("field"));
  else
    REQUIRE(body["error"]["field"] == field);
}

TEST_CASE("REST: create answers 201 with Location, then get, list and history find it", "[http]") {
  Rest r;
  r.Seed();
  auto created = r.Post("/api/v1/forums", Forum("forum-1"));
  INFO(created.body());
  REQUIRE(created.result_int() == 201);
  REQUIRE(created[beast_http::field::location] == "/api/v1/forums/forum-1");
  json record = Body(created);
  REQUIRE(record["id"] == "forum-1");
  REQUIRE(record["version"] == 1);
  REQUIRE(record["owners"] == json::array({"quebec-consortium"}));
  REQUIRE(created[beast_http::field::etag] == "\"1\"");

  auto got = r.Get("/api/v1/forums/forum-1");
  REQUIRE(got.result_int() == 200);
  REQUIRE(Body(got)["participants_total"] == 132);
  REQUIRE(Body(got)["location"] == "Santiago");

  auto list = r.Get("/api/v1/forums");
  REQUIRE(list.result_int() == 200);
  REQUIRE(Body(list)["forums"].size() == 1);
  REQUIRE(Body(list)["next_page_token"] == "");

  auto history = r.Get("/api/v1/forums/forum-1/history");
  REQUIRE(history.result_int() == 200);
  REQUIRE(Body(history)["history"].size() == 1);
  REQUIRE(Body(history)["history"][0]["type"].is_string());
}

TEST_CASE("REST: a list is paged with page_size and next_page_token", "[http]") {
  Rest r;
  r.Seed();
  for (int i = 1; i <= 5; ++i)
    REQUIRE(r.Post("/api/v1/forums", Forum("forum-" + std::to_string(i), i)).result_int() == 201);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    std::string target = "/api/v1/forums?page_size=2";
    if (!token.empty()) target += "&page_token=" + token;
    auto res = r.Get(target);
    REQUIRE(res.result_int() == 200);
    json body = Body(res);
    REQUIRE(body["forums"].size() <= 2);
    for (const auto& f : body["forums"]) seen.push_back(f["id"]);
    token = body["next_page_token"];
    ++pages;
  } while (!token.empty() && pages < 10);
  REQUIRE(pages == 3);
  REQUIRE(seen == std::vector<std::string>{"forum-1", "forum-2", "forum-3", "forum-4", "forum-5"});
}

TEST_CASE("REST: list filters are passed to the service; unknown filters are refused", "[http]") {
  Rest r;
  r.Seed();
  REQUIRE(r.Post("/api/v1/forums", Forum("forum-cl")).result_int() == 201);
  json pe = Forum("forum-pe", 2);
  pe["country"] = "PE";
  REQUIRE(r.Post("/api/v1/forums", pe).result_int() == 201);
  auto res = r.Get("/api/v1/forums?country=PE");
  REQUIRE(res.result_int() == 200);
  REQUIRE(Body(res)["forums"].size() == 1);
  REQUIRE(Body(res)["forums"][0]["id"] == "forum-pe");
  RequireError(r.Get("/api/v1/forums?colour=blue"), 400, "invalid_argument", "colour");
  RequireError(r.Get("/api/v1/forums?country=CL&country=PE"), 400, "invalid_argument", "country");
  RequireError(r.Get("/api/v1/forums?page_size=abc"), 400, "invalid_argument", "page_size");
  RequireError(r.Get("/api/v1/forums?page_size=5000"), 400, "invalid_argument", "page_size");
}

TEST_CASE("REST: PATCH changes the fields given and bumps the version", "[http]") {
  Rest r;
  r.Seed();
  REQUIRE(r.Post("/api/v1/forums", Forum("forum-1")).result_int() == 201);
  auto res =
      r.Call(verb::patch, "/api/v1/forums/forum-1", R"({"location": "Lima", "country": "PE"})");
  INFO(res.body());
  REQUIRE(res.result_int() == 200);
  REQUIRE(Body(res)["location"] == "Lima");
  REQUIRE(Body(res)["version"] == 2);
  REQUIRE(res[beast_http::field::etag] == "\"2\"");

  // With an update_mask only the named fields change.
  res = r.Call(verb::patch, "/api/v1/forums/forum-1?update_mask=location",
               R"({"location": "Bogotá", "country": "CO"})");
  REQUIRE(res.result_int() == 200);
  REQUIRE(Body(res)["location"] == "Bogotá");
  REQUIRE(Body(res)["country"] == "PE");
}

TEST_CASE("REST: a stale version is refused with 412 and changes nothing", "[http]") {
  Rest r;
  r.Seed();
  REQUIRE(r.Post("/api/v1/forums", Forum("forum-1")).result_int() == 201);
  auto patch = [&](const std::string& if_match, const std::string& query = "") {
    auto req = r.Make(verb::patch, "/api/v1/forums/forum-1" + query, R"({"location": "Lima"})");
    if (!if_match.empty()) req.set(beast_http::field::if_match, if_match);
    return HandleRequest(req, r.deps);
  };
  REQUIRE(patch("\"1\"").result_int() == 200);  // now at version 2
  RequireError(patch("\"1\""), 412, "aborted", "version");
  RequireError(patch("", "?expected_version=1"), 412, "aborted", "version");
  RequireError(patch("abc"), 400, "invalid_argument", "If-Match");
  RequireError(patch("2", "?expected_version=3"), 400, "invalid_argument", "expected_version");
  RequireError(patch("", "?expected_versoin=2"), 400, "invalid_argument", "expected_versoin");
  REQUIRE(Body(r.Get("/api/v1/forums/forum-1"))["version"] == 2);
  REQUIRE(patch("2").result_int() == 200);  // unquoted is accepted too
  REQUIRE(patch("*").result_int() == 200);  // any version

  auto del = r.Make(verb::delete_, "/api/v1/forums/forum-1");
  del.set(beast_http::field::if_match, "\"3\"");
  RequireError(HandleRequest(del, r.deps), 412, "aborted", "version");
  REQUIRE(r.Get("/api/v1/forums/forum-1").result_int() == 200);
}

TEST_CASE("REST: DELETE answers 204, then the record is gone", "[http]") {
  Rest r;
  r.Seed();
  REQUIRE(r.Post("/api/v1/forums", Forum("forum-1")).result_int() == 201);
  auto res = r.Call(verb::delete_, "/api/v1/forums/forum-1?expected_version=1");
  REQUIRE(res.result_int() == 204);
  REQUIRE(res.body().empty());
  RequireError(r.Get("/api/v1/forums/forum-1"), 404, "not_found", "id");
  RequireError(r.Call(verb::delete_, "/api/v1/forums/forum-1"), 404, "not_found", "id");
  REQUIRE(r.Count("forums") == 0);
}

TEST_CASE("REST: deliverables are listed and created under their project", "[http]") {
  Rest r;
  r.Seed();
  REQUIRE(r.Post("/api/v1/projects", Project("A07.1")).result_int() == 201);
  REQUIRE(r.Post("/api/v1/projects", Project("B02")).result_int() == 201);
  auto created = r.Post("/api/v1/projects/A07.1/deliverables",
                        {{"id", "d1"}, {"title", "Guide de formation"}, {"status", "planned"}});
  INFO(created.body());
  REQUIRE(created.result_int() == 201);
  REQUIRE(Body(created)["project"] == "A07.1");
  REQUIRE(created[beast_http::field::location] == "/api/v1/deliverables/d1");
  REQUIRE(r.Post("/api/v1/deliverables", {{"id", "d2"}, {"project", "B02"}, {"title", "Rapport"}})
              .result_int() == 201);

  auto list = r.Get("/api/v1/projects/A07.1/deliverables");
  REQUIRE(list.result_int() == 200);
  REQUIRE(Body(list)["deliverables"].size() == 1);
  REQUIRE(Body(list)["deliverables"][0]["id"] == "d1");
  REQUIRE(Body(r.Get("/api/v1/deliverables"))["deliverables"].size() == 2);

  // A body naming another project than the path is refused, naming the field.
  RequireError(r.Post("/api/v1/projects/A07.1/deliverables",
                      {{"id", "d3"}, {"project", "B02"}, {"title", "x"}}),
               400, "invalid_argument", "project");
  RequireError(r.Get("/api/v1/projects/nope/deliverables"), 404, "not_found", "id");
  RequireError(r.Get("/api/v1/institutions/x/deliverables"), 404, "not_found", "");
  REQUIRE(r.Count("deliverables") == 2);
}

TEST_CASE("REST: unknown collections, ids and paths answer 404; wrong methods 405", "[http]") {
  Rest r;
  RequireError(r.Get("/api/v1/unicorns"), 404, "not_found", "");
  RequireError(r.Get("/api/v1/forum"), 404, "not_found", "");  // the kind is not a path
  RequireError(r.Get("/api/v1/forums/nope"), 404, "not_found", "id");
  RequireError(r.Get("/api/v1/forums/nope/history"), 404, "not_found", "id");
  RequireError(r.Get("/api/v1/forums/a/b/c/d"), 404, "not_found", "");
  RequireError(r.Get("/api/v2/forums"), 404, "not_found", "");
  auto res = r.Call(verb::put, "/api/v1/forums/x", "{}");
  RequireError(res, 405, "unimplemented", "");
  REQUIRE(res[beast_http::field::allow] == "GET, PATCH, DELETE");
  RequireError(r.Call(verb::delete_, "/api/v1/forums"), 405, "unimplemented", "");
  RequireError(r.Call(verb::post, "/healthz", "{}"), 405, "unimplemented", "");
}

TEST_CASE("REST: healthz and node answer JSON", "[http]") {
  Rest r;
  auto health = r.Get("/healthz");
  REQUIRE(health.result_int() == 200);
  REQUIRE(Body(health) == json{{"status", "ok"}});
  r.Seed();
  auto node = r.Get("/api/v1/node");
  REQUIRE(node.result_int() == 200);
  REQUIRE(Body(node)["member_id"] == "quebec-consortium");
  REQUIRE(Body(node)["version_vector"]["quebec-consortium"] == 1);
}

TEST_CASE("REST: without a service the API answers 503", "[http]") {
  Rest r;
  Deps deps = r.deps;
  deps.service = nullptr;
  auto res = HandleRequest(r.Make(verb::get, "/api/v1/forums"), deps);
  RequireError(res, 503, "unavailable", "");
}

// One row of the bad-input table: the request, then the refusal it must get.
struct BadInput {
  const char* name;
  verb method;
  std::string target;
  std::string body;
  unsigned status;
  std::string code;
  std::string field;
  std::string content_type = "application/json";
};

TEST_CASE("REST: each bad input is refused naming the field, and changes nothing", "[http]") {
  Rest r;
  r.Seed();
  REQUIRE(r.Post("/api/v1/forums", Forum("forum-1")).result_int() == 201);
  REQUIRE(r.Post("/api/v1/projects", Project("A07.1")).result_int() == 201);

  auto forum = [](auto&& change) {
    json f = Forum("forum-new", 2);
    change(f);
    return f.dump();
  };
  const std::vector<BadInput> table = {
      {"missing required field", verb::post, "/api/v1/forums",
       forum([](json& f) { f.erase("title"); }), 400, "invalid_argument", "title"},
      {"bad date", verb::post, "/api/v1/forums", forum([](json& f) {
         f["start_date"] = "2020-13-01";
         f.erase("end_date");
       }),
       400, "invalid_argument", "start_date"},
      {"bad country", verb::post, "/api/v1/forums", forum([](json& f) { f["country"] = "XX"; }),
       400, "invalid_argument", "country"},
      {"women + men > total", verb::post, "/api/v1/forums",
       forum([](json& f) { f["participants_total"] = 100; }), 400, "invalid_argument",
       "participants_women"},
      {"start after end", verb::post, "/api/v1/forums",
       forum([](json& f) { f["start_date"] = "2019-04-01"; }), 400, "invalid_argument", "end_date"},
      {"unknown enum value", verb::post, "/api/v1/forums",
       forum([](json& f) { f["format"] = "telepathic"; }), 400, "invalid_argument", "format"},
      {"unknown field", verb::post, "/api/v1/forums", forum([](json& f) { f["colour"] = "red"; }),
       400, "invalid_argument", "colour"},
      {"wrong type", verb::post, "/api/v1/forums",
       forum([](json& f) { f["participants_total"] = "many"; }), 400, "invalid_argument",
       "participants_total"},
      {"too long string", verb::post, "/api/v1/forums",
       forum([](json& f) { f["title"] = std::string(501, 'x'); }), 400, "invalid_argument",
       "title"},
      {"dangling reference", verb::post, "/api/v1/forums",
       forum([](json& f) { f["organizers"].push_back("no-such-institution"); }), 400,
       "invalid_argument", "organizers[1]"},
      {"malformed JSON", verb::post, "/api/v1/forums", R"({"id": "forum-new", "title": )", 400,
       "invalid_argument", "body"},
      {"body not an object", verb::post, "/api/v1/forums", "[1, 2, 3]", 400, "invalid_argument",
       "body"},
      {"bad id", verb::post, "/api/v1/forums", forum([](json& f) { f["id"] = "../etc"; }), 400,
       "invalid_argument", "id"},
      {"id taken", verb::post, "/api/v1/forums", Forum("forum-1").dump(), 409, "already_exists",
       "id"},
      {"not JSON content type", verb::post, "/api/v1/forums", Forum("forum-new").dump(), 415,
       "invalid_argument", "Content-Type", "text/plain"},
      {"no content type", verb::post, "/api/v1/forums", Forum("forum-new").dump(), 415,
       "invalid_argument", "Content-Type", ""},
      {"patch with a bad date", verb::patch, "/api/v1/forums/forum-1",
       R"({"end_date": "2019-02-30"})", 400, "invalid_argument", "end_date"},
      {"patch masking output-only meta", verb::patch, "/api/v1/forums/forum-1?update_mask=version",
       R"({"version": 9})", 400, "invalid_argument", "version"},
      {"patch with malformed JSON", verb::patch, "/api/v1/forums/forum-1", "{", 400,
       "invalid_argument", "body"},
      {"patch with an empty mask item", verb::patch,
       "/api/v1/forums/forum-1?update_mask=location,,title", R"({"location": "Lima"})", 400,
       "invalid_argument", "update_mask"},
      {"deliverable without title", verb::post, "/api/v1/projects/A07.1/deliverables",
       R"({"id": "d1"})", 400, "invalid_argument", "title"},
      {"deliverable of another project", verb::post, "/api/v1/projects/A07.1/deliverables",
       R"({"id": "d1", "title": "x", "project": "B02"})", 400, "invalid_argument", "project"},
      {"deliverable with unknown status", verb::post, "/api/v1/deliverables",
       R"({"id": "d1", "title": "x", "project": "A07.1", "status": "lost"})", 400,
       "invalid_argument", "status"},
  };
  const size_t forums = r.Count("forums"), deliverables = r.Count("deliverables");
  const json before = Body(r.Get("/api/v1/forums/forum-1"));
  for (const auto& row : table) {
    SECTION(row.name) {
      auto res = r.Call(row.method, row.target, row.body, row.content_type);
      RequireError(res, row.status, row.code, row.field);
      REQUIRE(r.Count("forums") == forums);
      REQUIRE(r.Count("deliverables") == deliverables);
      REQUIRE(Body(r.Get("/api/v1/forums/forum-1")) == before);
    }
  }
}

}  // namespace
}  // namespace passerelle::http
