// The passerelle.v1 record services over a real server: the five methods, their
// errors, and the record shapes surviving the proto <-> JSON trip.
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>

#include <functional>

#include "passerelle/v1/agreements.grpc.pb.h"
#include "passerelle/v1/forums.grpc.pb.h"
#include "passerelle/v1/institutions.grpc.pb.h"
#include "passerelle/v1/node.grpc.pb.h"
#include "passerelle/v1/projects.grpc.pb.h"
#include "passerelle/v1/qualifications.grpc.pb.h"
#include "tests/grpc/grpc_fixture.h"

namespace passerelle::testing {
namespace {

using nlohmann::json;

// The fixture plus the institutions an agreement needs, created over gRPC.
struct AgreementFixture : GrpcFixture {
  AgreementFixture() {
    auto institutions = v1::InstitutionService::NewStub(channel);
    for (const char* id : {"cegep-abitibi-temiscamingue", "cegep-thetford", "inmq"}) {
      grpc::ClientContext context;
      v1::Institution created;
      auto request =
          FromJson<v1::Institution>(std::string(R"({"id": ")") + id +
                                    R"(", "name": "Collège", "type": "cegep", "country": "CA"})");
      REQUIRE(institutions->Create(&context, request, &created).ok());
    }
  }

  v1::Agreement Create(const std::string& id, const std::string& end_date = "2027-06-30") {
    grpc::ClientContext context;
    v1::Agreement created;
    auto status = agreements->Create(&context, Agreement(id, end_date), &created);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return created;
  }

  static v1::Agreement Agreement(const std::string& id,
                                 const std::string& end_date = "2027-06-30") {
    return FromJson<v1::Agreement>(R"({"id": ")" + id + R"(",
      "title": "Consortium de formation minière",
      "parties": ["cegep-abitibi-temiscamingue", "cegep-thetford"],
      "party_roles": {"cegep-thetford": "coordination"},
      "kind": "consortium", "status": "proposed",
      "start_date": "2026-03-23", "end_date": ")" +
                                   end_date + R"(",
      "place": "Rabat", "place_country": "MA",
      "documents": [{"title": "Entente", "sha256": "ab12"}],
      "source": {"file": "003_e635ed7d3ebba65b.txt", "quote": "trois cégeps"}})");
  }

  std::unique_ptr<v1::AgreementService::Stub> agreements = v1::AgreementService::NewStub(channel);
};

TEST_CASE("gRPC: an agreement round-trips through Create, Get, Update and Delete", "[grpc]") {
  AgreementFixture f;
  v1::Agreement created = f.Create("agr-consortium-2026");
  CHECK(created.version() == 1);
  CHECK(std::vector<std::string>(created.owners().begin(), created.owners().end()) ==
        std::vector<std::string>{"quebec-consortium"});
  CHECK(!created.created_at().empty());

  // Get gives back exactly what was stated, plus meta.
  grpc::ClientContext get_context;
  v1::GetRequest get;
  get.set_id("agr-consortium-2026");
  v1::Agreement got;
  REQUIRE(f.agreements->Get(&get_context, get, &got).ok());
  json stated = ToJson(AgreementFixture::Agreement("agr-consortium-2026"));
  json read = ToJson(got);
  for (const char* meta :
       {"owners", "version", "created_at", "updated_at", "updated_by", "approvals", "terms_hash"})
    read.erase(meta);
  CHECK(read == stated);

  // Update with a mask changes only the masked field.
  v1::UpdateAgreementRequest update;
  update.mutable_agreement()->set_id("agr-consortium-2026");
  update.mutable_agreement()->set_title("Consortium minier (révisé)");
  update.mutable_agreement()->set_place("ignored: not in the mask");
  update.mutable_update_mask()->add_paths("title");
  update.set_expected_version(1);
  grpc::ClientContext update_context;
  v1::Agreement updated;
  REQUIRE(f.agreements->Update(&update_context, update, &updated).ok());
  CHECK(updated.title() == "Consortium minier (révisé)");
  CHECK(updated.place() == "Rabat");
  CHECK(updated.version() == 2);
  CHECK(updated.parties_size() == 2);

  // Delete with the current version; the record is then gone.
  v1::DeleteRequest del;
  del.set_id("agr-consortium-2026");
  del.set_expected_version(2);
  grpc::ClientContext delete_context;
  google::protobuf::Empty empty;
  REQUIRE(f.agreements->Delete(&delete_context, del, &empty).ok());
  grpc::ClientContext after_context;
  CHECK(f.agreements->Get(&after_context, get, &got).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("gRPC: an update mask naming an unset field clears it; an empty mask sets what is set",
          "[grpc]") {
  AgreementFixture f;
  f.Create("agr-a");
  v1::UpdateAgreementRequest update;
  update.mutable_agreement()->set_id("agr-a");
  update.mutable_update_mask()->add_paths("place");
  grpc::ClientContext context;
  v1::Agreement updated;
  REQUIRE(f.agreements->Update(&context, update, &updated).ok());
  CHECK(!updated.has_place());
  CHECK(updated.place_country() == "MA");

  // Echoing a read record back with a change and no mask: meta fields are ignored.
  v1::UpdateAgreementRequest echo;
  *echo.mutable_agreement() = updated;
  echo.mutable_agreement()->set_purpose("Former des techniciens miniers");
  grpc::ClientContext echo_context;
  v1::Agreement echoed;
  auto status = f.agreements->Update(&echo_context, echo, &echoed);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(echoed.purpose() == "Former des techniciens miniers");
  CHECK(echoed.place_country() == "MA");
  CHECK(echoed.version() == 3);
}

TEST_CASE("gRPC: List pages through agreements with page tokens and filters", "[grpc]") {
  AgreementFixture f;
  for (const char* id : {"agr-1", "agr-2", "agr-3", "agr-4", "agr-5"}) f.Create(id);

  std::vector<std::string> seen;
  v1::ListRequest list;
  list.set_page_size(2);
  int pages = 0;
  do {
    grpc::ClientContext context;
    v1::ListAgreementsResponse page;
    REQUIRE(f.agreements->List(&context, list, &page).ok());
    CHECK(page.agreements_size() <= 2);
    for (const auto& a : page.agreements()) seen.push_back(a.id());
    list.set_page_token(page.next_page_token());
    REQUIRE(++pages <= 5);
  } while (!list.page_token().empty());
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"agr-1", "agr-2", "agr-3", "agr-4", "agr-5"});

  v1::ListRequest by_party;
  (*by_party.mutable_filters())["party"] = "cegep-thetford";
  grpc::ClientContext party_context;
  v1::ListAgreementsResponse party_page;
  REQUIRE(f.agreements->List(&party_context, by_party, &party_page).ok());
  CHECK(party_page.agreements_size() == 5);

  (*by_party.mutable_filters())["party"] = "inmq";
  grpc::ClientContext none_context;
  REQUIRE(f.agreements->List(&none_context, by_party, &party_page).ok());
  CHECK(party_page.agreements_size() == 0);

  v1::ListRequest unknown;
  (*unknown.mutable_filters())["colour"] = "blue";
  grpc::ClientContext unknown_context;
  auto status = f.agreements->List(&unknown_context, unknown, &party_page);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ErrorField(unknown_context) == "colour");

  v1::ListRequest negative;
  negative.set_page_size(-1);
  grpc::ClientContext negative_context;
  status = f.agreements->List(&negative_context, negative, &party_page);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ErrorField(negative_context) == "page_size");
}

TEST_CASE("gRPC: a stale expected_version is refused with ABORTED and changes nothing", "[grpc]") {
  AgreementFixture f;
  f.Create("agr-a");
  v1::UpdateAgreementRequest update;
  update.mutable_agreement()->set_id("agr-a");
  update.mutable_agreement()->set_title("Titre périmé");
  update.mutable_update_mask()->add_paths("title");
  update.set_expected_version(7);
  grpc::ClientContext context;
  v1::Agreement out;
  CHECK(f.agreements->Update(&context, update, &out).error_code() == grpc::StatusCode::ABORTED);

  v1::DeleteRequest del;
  del.set_id("agr-a");
  del.set_expected_version(0);
  grpc::ClientContext delete_context;
  google::protobuf::Empty empty;
  CHECK(f.agreements->Delete(&delete_context, del, &empty).error_code() ==
        grpc::StatusCode::ABORTED);

  grpc::ClientContext get_context;
  v1::GetRequest get;
  get.set_id("agr-a");
  REQUIRE(f.agreements->Get(&get_context, get, &out).ok());
  CHECK(out.title() == "Consortium de formation minière");
  CHECK(out.version() == 1);
}

TEST_CASE("gRPC: an invalid field is refused with INVALID_ARGUMENT naming the field", "[grpc]") {
  AgreementFixture f;
  struct Case {
    const char* what;
    std::function<void(v1::Agreement*)> spoil;
    const char* field;
  };
  const Case cases[] = {
      {"unknown party", [](v1::Agreement* a) { a->add_parties("nowhere"); }, "parties[2]"},
      {"bad country", [](v1::Agreement* a) { a->set_place_country("ZZ"); }, "place_country"},
      {"bad date", [](v1::Agreement* a) { a->set_end_date("2027-13-01"); }, "end_date"},
      {"end before start", [](v1::Agreement* a) { a->set_end_date("2020-01-01"); }, "end_date"},
      {"bad enum", [](v1::Agreement* a) { a->set_kind("alliance"); }, "kind"},
      {"missing title", [](v1::Agreement* a) { a->clear_title(); }, "title"},
      {"stated empty title", [](v1::Agreement* a) { a->set_title(""); }, "title"},
      {"nested", [](v1::Agreement* a) { a->mutable_documents(0)->clear_title(); },
       "documents[0].title"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      v1::Agreement request = AgreementFixture::Agreement("agr-bad");
      c.spoil(&request);
      grpc::ClientContext context;
      v1::Agreement out;
      auto status = f.agreements->Create(&context, request, &out);
      INFO(status.error_message());
      CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK(ErrorField(context) == c.field);
      CHECK(status.error_message().rfind(std::string(c.field) + ": ", 0) == 0);
      grpc::ClientContext get_context;
      v1::GetRequest get;
      get.set_id("agr-bad");
      CHECK(f.agreements->Get(&get_context, get, &out).error_code() == grpc::StatusCode::NOT_FOUND);
    }
  }
}

TEST_CASE("gRPC: Approve signs the current terms; a change of terms returns to proposed",
          "[grpc]") {
  AgreementFixture f;
  v1::Agreement created = f.Create("agr-a");
  REQUIRE(created.terms_hash().size() == 64);
  CHECK(created.approvals().empty());

  v1::ApproveAgreementRequest approve;
  approve.set_id("agr-a");
  approve.set_terms_hash(std::string(64, '0'));
  grpc::ClientContext stale_context;
  v1::Agreement out;
  CHECK(f.agreements->Approve(&stale_context, approve, &out).error_code() ==
        grpc::StatusCode::ABORTED);
  CHECK(ErrorField(stale_context) == "terms_hash");

  approve.set_terms_hash(created.terms_hash());
  grpc::ClientContext context;
  auto status = f.agreements->Approve(&context, approve, &out);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(out.status() == "signed");
  REQUIRE(out.approvals().count("quebec-consortium") == 1);
  CHECK(out.approvals().at("quebec-consortium").current());
  CHECK(out.approvals().at("quebec-consortium").terms() == created.terms_hash());

  v1::UpdateAgreementRequest update;
  update.mutable_agreement()->set_id("agr-a");
  update.mutable_agreement()->set_purpose("Nouvel objet");
  grpc::ClientContext update_context;
  REQUIRE(f.agreements->Update(&update_context, update, &out).ok());
  CHECK(out.status() == "proposed");
  CHECK(!out.approvals().at("quebec-consortium").current());
  CHECK(out.terms_hash() != created.terms_hash());
}

TEST_CASE("gRPC: an unknown id is NOT_FOUND for Get, Update and Delete", "[grpc]") {
  GrpcFixture f;
  auto deliverables = v1::DeliverableService::NewStub(f.channel);
  v1::Deliverable out;
  v1::GetRequest get;
  get.set_id("nothing-here");
  grpc::ClientContext get_context;
  CHECK(deliverables->Get(&get_context, get, &out).error_code() == grpc::StatusCode::NOT_FOUND);

  v1::UpdateDeliverableRequest update;
  update.mutable_deliverable()->set_id("nothing-here");
  update.mutable_deliverable()->set_status("late");
  grpc::ClientContext update_context;
  CHECK(deliverables->Update(&update_context, update, &out).error_code() ==
        grpc::StatusCode::NOT_FOUND);

  v1::DeleteRequest del;
  del.set_id("nothing-here");
  grpc::ClientContext delete_context;
  google::protobuf::Empty empty;
  CHECK(deliverables->Delete(&delete_context, del, &empty).error_code() ==
        grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("gRPC: creating an id that exists is ALREADY_EXISTS", "[grpc]") {
  AgreementFixture f;
  f.Create("agr-a");
  grpc::ClientContext context;
  v1::Agreement out;
  CHECK(f.agreements->Create(&context, AgreementFixture::Agreement("agr-a"), &out).error_code() ==
        grpc::StatusCode::ALREADY_EXISTS);
}

TEST_CASE("gRPC: a record this node's member would not own is PERMISSION_DENIED", "[grpc]") {
  GrpcFixture f;
  auto institutions = v1::InstitutionService::NewStub(f.channel);
  grpc::ClientContext context;
  v1::Institution out;
  auto request = FromJson<v1::Institution>(
      R"({"id": "maroc-ministere-energie-mines", "name": "Ministère", "type": "ministry"})");
  CHECK(institutions->Create(&context, request, &out).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
}

TEST_CASE("gRPC: stated zeros, maps and nested lists survive the trip", "[grpc]") {
  AgreementFixture f;
  grpc::ClientContext forum_context;
  auto forum = FromJson<v1::Forum>(R"({"id": "forum-1", "title": "Forum 1", "number": 1,
      "organizers": ["cegep-thetford"], "participants_total": 40, "participants_women": 0,
      "participants_men": 0, "format": "hybrid", "outcomes": ["Une politique partagée"]})");
  v1::Forum forum_out;
  auto status = v1::ForumService::NewStub(f.channel)->Create(&forum_context, forum, &forum_out);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(forum_out.has_participants_women());
  CHECK(forum_out.participants_women() == 0);

  grpc::ClientContext project_context;
  auto project = FromJson<v1::Project>(R"({"id": "B01", "title": "Projet", "component": "B",
      "lead_partner": "cegep-thetford", "theme_numbers": [3, 7],
      "funding": {"amount": 0, "currency": "CAD"},
      "results": [{"description": "Cours", "value": 12.5, "courses": 0,
                   "disaggregation": {"CL": 6, "women_pct": 54.5}}]})");
  v1::Project project_out;
  status = v1::ProjectService::NewStub(f.channel)->Create(&project_context, project, &project_out);
  INFO(status.error_message());
  REQUIRE(status.ok());
  json read = ToJson(project_out);
  CHECK(read["funding"] == json{{"amount", 0}, {"currency", "CAD"}});
  CHECK(read["results"][0]["courses"] == 0);
  CHECK(read["results"][0]["disaggregation"] == json{{"CL", 6}, {"women_pct", 54.5}});
  CHECK(read["theme_numbers"] == json{3, 7});

  grpc::ClientContext indicator_context;
  auto indicator = FromJson<v1::Indicator>(R"({"id": "ind-1", "project": "B01",
      "description": "Diplômés", "baseline": 0, "target": 100,
      "measurements": [{"period": "2019", "value": 10, "women": 0, "men": 10}]})");
  v1::Indicator indicator_out;
  status = v1::IndicatorService::NewStub(f.channel)->Create(&indicator_context, indicator,
                                                            &indicator_out);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(indicator_out.owners(0) == "quebec-consortium");  // the project's owners
  CHECK(indicator_out.has_baseline());
  CHECK(indicator_out.measurements(0).has_women());

  grpc::ClientContext framework_context;
  auto framework = FromJson<v1::Framework>(R"({"id": "mrc-ap", "name": "MRC-AP",
      "scope": "regional", "levels_count": 8, "countries": ["CL", "CO", "MX", "PE"],
      "levels": [{"level": 1, "descriptors": {"Connaissances": "De base"}}]})");
  v1::Framework framework_out;
  status = v1::FrameworkService::NewStub(f.channel)->Create(&framework_context, framework,
                                                            &framework_out);
  INFO(status.error_message());
  REQUIRE(status.ok());
  CHECK(framework_out.levels(0).descriptors().at("Connaissances") == "De base");

  grpc::ClientContext mapping_context;
  auto mapping = FromJson<v1::Mapping>(R"({"id": "map-1", "type": "level_mapping",
      "status": "proposed", "from": {"framework_id": "mrc-ap", "level": 1},
      "to": {"framework_id": "mrc-ap", "level": 2}})");
  v1::Mapping mapping_out;
  status = v1::MappingService::NewStub(f.channel)->Create(&mapping_context, mapping, &mapping_out);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);  // no level 2 yet
  CHECK(ErrorField(mapping_context) == "to.level");
}

TEST_CASE("gRPC: a request over the size limit is RESOURCE_EXHAUSTED", "[grpc]") {
  grpcapi::GrpcOptions options;
  options.max_message_bytes = 64 * 1024;
  GrpcFixture f(options);
  v1::Institution big = FromJson<v1::Institution>(R"({"id": "big", "type": "college"})");
  big.set_name(std::string(100 * 1024, 'x'));
  grpc::ClientContext context;
  v1::Institution out;
  CHECK(v1::InstitutionService::NewStub(f.channel)->Create(&context, big, &out).error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_CASE("gRPC: malformed protobuf bytes are refused and the node keeps serving", "[grpc]") {
  GrpcFixture f;
  const std::string garbage[] = {std::string("\xff\xff\xff\xff\x0f", 5),
                                 std::string("\x0a\x80\x80\x80\x80\x10", 6),       // huge length
                                 std::string("\x1a\x05\xc3\x28\xa0\xa1\x00", 7)};  // bad UTF-8
  for (const auto& bytes : garbage) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext context;
    grpc::internal::RpcMethod method("/passerelle.v1.AgreementService/Create",
                                     grpc::internal::RpcMethod::NORMAL_RPC);
    auto status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
        f.channel.get(), method, &context, request, &response);
    CHECK(!status.ok());
  }
  grpc::ClientContext context;
  v1::GetNodeInfoRequest request;
  v1::NodeInfo info;
  CHECK(v1::NodeService::NewStub(f.channel)->GetNodeInfo(&context, request, &info).ok());
}

TEST_CASE("gRPC: GetNodeInfo reports the member and its version vector", "[grpc]") {
  AgreementFixture f;  // three institutions created
  grpc::ClientContext context;
  v1::GetNodeInfoRequest request;
  v1::NodeInfo info;
  REQUIRE(v1::NodeService::NewStub(f.channel)->GetNodeInfo(&context, request, &info).ok());
  CHECK(info.member_id() == "quebec-consortium");
  CHECK(info.version_vector().at("quebec-consortium") == 3);
}

}  // namespace
}  // namespace passerelle::testing
