// passerelle.v1.EquivalenceService/Lookup over a real loopback server: the answer as
// the REST one, and errors with the field in the trailing metadata.
#include "passerelle/v1/equivalences.grpc.pb.h"
#include "tests/equivalence/world.h"
#include "tests/grpc/grpc_fixture.h"

using namespace passerelle;
using namespace passerelle::testing;

TEST_CASE("gRPC equivalences: Lookup answers and names the field of a bad request", "[grpc][equivalence]") {
  GrpcFixture f;
  SeedEquivalenceWorld(*f.service, "inmq");
  auto stub = v1::EquivalenceService::NewStub(f.channel);
  {
    grpc::ClientContext ctx;
    v1::LookupEquivalencesRequest req;
    req.set_qualification("q-ca");
    req.set_target_country("PE");
    req.set_lang("en");
    v1::Equivalences out;
    auto st = stub->Lookup(&ctx, req, &out);
    INFO(st.error_message());
    REQUIRE(st.ok());
    CHECK(out.lang() == "en");
    CHECK(out.source().qualification().id() == "q-ca");
    REQUIRE(out.candidates_size() == 1);
    CHECK(out.candidates(0).framework_id() == "fw-pe");
    CHECK(out.candidates(0).path_size() == 2);
    CHECK(out.candidates(0).path(1).direction() == "read_backwards");
    CHECK(out.candidates(0).confidence() == Approx(0.8));
    CHECK_FALSE(out.disclaimer().empty());
  }
  {
    grpc::ClientContext ctx;
    v1::LookupEquivalencesRequest req;
    req.set_framework("fw-ca");
    req.set_level(9);
    req.set_target_country("PE");
    v1::Equivalences out;
    auto st = stub->Lookup(&ctx, req, &out);
    CHECK(st.error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(ErrorField(ctx) == "level");
  }
}
