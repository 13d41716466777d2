// Trust with real nodes and a fake peer: forged ops are refused, counted and never relayed;
// a validly signed op by a member that does not own the record has no effect anywhere;
// an origin refused from a peer does not hold back the other origins it relays.
#include <catch2/catch.hpp>

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>

#include "passerelle/v1/peer.grpc.pb.h"
#include "tests/federation/fake_peer.h"
#include "tests/federation/rest_helpers.h"
#include "tests/federation/test_federation.h"

namespace passerelle::testing {
namespace {

using core::Op;
using core::OpType;
using nlohmann::json;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// alpha and bravo run nodes; mallory's node is the test's fake peer. Only alpha dials
// mallory, so whatever bravo could learn from mallory would have to be relayed by alpha.
std::vector<MemberSpec> WithMallory() {
  return {{"alpha", {"inst-alpha"}},
          {"bravo", {"inst-bravo"}},
          {"mallory", {"inst-mallory"}, /*runs_node=*/false}};
}

json Created(const std::string& id, const std::string& owner) {
  json fields = Institution(id, "Forged " + id);
  fields["owners"] = {owner};
  return fields;
}

uint64_t Refused(const json& status, const std::string& reason) {
  return status["refused"].value(reason, uint64_t{0});
}

}  // namespace

TEST_CASE("Federation: forged ops from a peer are refused, counted and reach no other node",
          "[federation]") {
  TestFederation fed(WithMallory());
  fed.SetDials("alpha", {"bravo", "mallory"});
  fed.SetDials("bravo", {"alpha"});
  FakePeer mallory(fed.peer_address("mallory"), fed.tls_ca(), fed.tls_cert("mallory"),
                   fed.tls_key("mallory"));
  core::KeyPair real_key = LoadKeyFile(fed.signing_key("mallory"));
  core::KeyPair wrong_key = core::GenerateKeyPair();

  // One forged batch per kind of refusal, each creating a record nobody may see.
  std::vector<std::vector<Op>> forged;
  {  // signed with a key that is not mallory's
    std::vector<Op> ops = {MakeOp("mallory", 1, OpType::kCreate, "institution", "forged-key",
                                  Created("forged-key", "mallory"))};
    ChainAndSign(&ops, wrong_key);
    forged.push_back(ops);
  }
  {  // validly signed, then the signed op's content changed
    std::vector<Op> ops = {MakeOp("mallory", 1, OpType::kCreate, "institution", "forged-tamper",
                                  Created("forged-tamper", "mallory"))};
    ChainAndSign(&ops, real_key);
    ops[0].fields["name"] = "Tampered after signing";
    forged.push_back(ops);
  }
  {  // an op replaced under a signed chain head: the chain no longer links
    std::vector<Op> ops = {MakeOp("mallory", 1, OpType::kCreate, "institution", "forged-chain-1",
                                  Created("forged-chain-1", "mallory")),
                           MakeOp("mallory", 2, OpType::kCreate, "institution", "forged-chain-2",
                                  Created("forged-chain-2", "mallory"))};
    ChainAndSign(&ops, real_key);
    ops[0].fields["name"] = "Swapped in";
    forged.push_back(ops);
  }
  {  // ops from an origin that is not a member
    std::vector<Op> ops = {MakeOp("nobody", 1, OpType::kCreate, "institution", "forged-origin",
                                  Created("forged-origin", "nobody"))};
    ChainAndSign(&ops, wrong_key);
    forged.push_back(ops);
  }
  {  // dated a day ahead (the bound is max_clock_skew_ms, 5 minutes by default)
    std::vector<Op> ops = {MakeOp("mallory", 1, OpType::kCreate, "institution", "forged-future",
                                  Created("forged-future", "mallory"), 24 * 3600 * 1000)};
    ChainAndSign(&ops, real_key);
    forged.push_back(ops);
  }
  {  // a gap: seq 5 first
    std::vector<Op> ops = {MakeOp("mallory", 5, OpType::kCreate, "institution", "forged-gap",
                                  Created("forged-gap", "mallory"))};
    ChainAndSign(&ops, real_key);
    forged.push_back(ops);
  }
  mallory.SetScript(forged);

  TestNode& a = fed.node("alpha");
  TestNode& b = fed.node("bravo");
  a.Start();
  b.Start();
  const std::vector<std::string> reasons = {"bad_signature", "broken_chain", "unknown_origin",
                                            "future_clock", "gap"};
  json status;
  bool all_reasons = Eventually(
      [&] {
        auto s = a.FederationStatus();
        if (!s) return false;
        status = *s;
        for (const auto& r : reasons)
          if (Refused(status, r) == 0) return false;
        return true;
      },
      60s, 100ms);
  INFO("alpha's status: " << status.dump());
  REQUIRE(all_reasons);
  CHECK(status["refused_total"].get<uint64_t>() >= reasons.size());
  Report("forged ops: alpha refused " + status["refused"].dump() + " after " +
         std::to_string(mallory.pulls()) + " pulls from the fake peer");

  // A keeps serving and replicating: a write made after the forgeries reaches B, and then
  // A and B hold the same state — without any forged record or origin.
  REQUIRE(Post(a.http(), "institutions", Institution("inst-alpha", "Collège Alpha")) == 201);
  fed.RequireConverged({"alpha", "bravo"});
  for (TestNode* n : {&a, &b}) {
    for (const char* id : {"forged-key", "forged-tamper", "forged-chain-1", "forged-chain-2",
                           "forged-origin", "forged-future", "forged-gap"})
      CHECK_FALSE(n->GetRecord("institutions", id).has_value());
    auto s = n->FederationStatus();
    REQUIRE(s);
    CHECK_FALSE((*s)["version_vector"].contains("mallory"));
    CHECK_FALSE((*s)["version_vector"].contains("nobody"));
  }
  auto bs = b.FederationStatus();
  CHECK((*bs)["refused_total"].get<uint64_t>() == 0);  // nothing forged was ever offered to B
}

TEST_CASE(
    "Federation: a member's validly signed change to a record it does not own has no effect "
    "anywhere",
    "[federation]") {
  TestFederation fed(WithMallory());
  fed.SetDials("alpha", {"bravo", "mallory"});
  fed.SetDials("bravo", {"alpha"});
  FakePeer mallory(fed.peer_address("mallory"), fed.tls_ca(), fed.tls_cert("mallory"),
                   fed.tls_key("mallory"));
  TestNode& a = fed.node("alpha");
  TestNode& b = fed.node("bravo");
  a.Start();
  b.Start();
  REQUIRE(Post(a.http(), "institutions", Institution("inst-alpha", "Collège Alpha")) == 201);
  fed.RequireConverged({"alpha", "bravo"});
  auto before = b.GetRecord("institutions", "inst-alpha");
  REQUIRE(before);

  // Mallory, with its real key: an update of alpha's record, then a create that would make
  // mallory its owner. Both are properly signed, so they are stored and relayed.
  std::vector<Op> ops = {MakeOp("mallory", 1, OpType::kUpdate, "institution", "inst-alpha",
                                {{"name", "Taken over by mallory"}}),
                         MakeOp("mallory", 2, OpType::kCreate, "institution", "inst-alpha",
                                Created("inst-alpha", "mallory"))};
  ops[1].hlc = ops[0].hlc + 1;  // an honest clock never repeats itself
  ChainAndSign(&ops, LoadKeyFile(fed.signing_key("mallory")));
  mallory.SetScript({ops});

  // Both ops reach A from the fake peer, and B through A.
  REQUIRE(Eventually(
      [&] {
        auto s = b.FederationStatus();
        return s && (*s)["version_vector"].value("mallory", uint64_t{0}) == 2;
      },
      30s));
  fed.RequireConverged({"alpha", "bravo"});

  for (TestNode* n : {&a, &b}) {
    INFO("on " << n->id());
    auto now = n->GetRecord("institutions", "inst-alpha");
    REQUIRE(now);
    CHECK(now->value("name", "") == "Collège Alpha");
    CHECK((*now)["owners"] == json::array({"alpha"}));
    CHECK((*now)["version"] == (*before)["version"]);
    auto res = n->http().Get("/api/v1/institutions/inst-alpha/history");
    REQUIRE(res.result_int() == 200);
    json history = JsonOf(res)["history"];
    INFO(history.dump());
    int refused = 0;
    for (const auto& op : history)
      if (op.value("origin", "") == "mallory") {
        CHECK(op.value("effect", "") == "not_owner");
        ++refused;
      }
    CHECK(refused == 2);
    auto s = n->FederationStatus();
    CHECK((*s)["refused_total"].get<uint64_t>() == 0);  // well-formed ops: kept, not refused
  }
}

TEST_CASE("Federation: an origin refused from a peer does not hold back the others it relays",
          "[federation]") {
  // mallory's fake node relays, on one stream, a forged batch of its own first, then
  // bravo's validly signed ops. alpha refuses the first and still gets bravo's.
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}},
                                             {"bravo", {"inst-bravo"}, /*runs_node=*/false},
                                             {"mallory", {"inst-mallory"}, /*runs_node=*/false}});
  fed.SetDials("alpha", {"mallory"});
  FakePeer mallory(fed.peer_address("mallory"), fed.tls_ca(), fed.tls_cert("mallory"),
                   fed.tls_key("mallory"));
  std::vector<Op> forged = {MakeOp("mallory", 1, OpType::kCreate, "institution", "forged-first",
                                   Created("forged-first", "mallory"))};
  ChainAndSign(&forged, core::GenerateKeyPair());  // not mallory's key
  std::vector<Op> relayed = {MakeOp("bravo", 1, OpType::kCreate, "institution", "inst-bravo",
                                    Created("inst-bravo", "bravo"))};
  ChainAndSign(&relayed, LoadKeyFile(fed.signing_key("bravo")));
  mallory.SetStream({forged, relayed});

  TestNode& a = fed.node("alpha");
  a.Start();
  json status;
  bool got = Eventually(
      [&] {
        auto s = a.FederationStatus();
        if (s) status = *s;
        return a.GetRecord("institutions", "inst-bravo").has_value();
      },
      60s, 100ms);
  INFO("alpha's status: " << status.dump());
  REQUIRE(got);
  CHECK(Refused(status, "bad_signature") >= 1);
  CHECK_FALSE(a.GetRecord("institutions", "forged-first").has_value());
  CHECK(status["version_vector"].value("bravo", uint64_t{0}) == 1);
  CHECK_FALSE(status["version_vector"].contains("mallory"));
}

TEST_CASE("Federation: a peer naming a new origin in each refused batch holds bounded memory",
          "[federation][trust]") {
  // mallory answers each pull with a batch of another unknown origin: alpha refuses each
  // and skips that origin for a while, keeping at most 64 such names per peer.
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}},
                                             {"mallory", {"inst-mallory"}, /*runs_node=*/false}});
  fed.SetDials("alpha", {"mallory"});
  FakePeer mallory(fed.peer_address("mallory"), fed.tls_ca(), fed.tls_cert("mallory"),
                   fed.tls_key("mallory"));
  constexpr int kOrigins = 90;
  std::vector<std::vector<Op>> script;
  const auto key = core::GenerateKeyPair();
  for (int i = 0; i < kOrigins; ++i) {
    std::string origin = "ghost-" + std::to_string(i);
    std::vector<Op> ops = {MakeOp(origin, 1, OpType::kCreate, "institution", "inst-" + origin,
                                  Created("inst-" + origin, origin))};
    ChainAndSign(&ops, key);
    script.push_back(std::move(ops));
  }
  mallory.SetScript(std::move(script));
  TestNode& a = fed.node("alpha");
  a.Start();
  // Every origin refused once, and the pull after the last one seen.
  REQUIRE(Eventually([&] { return mallory.pulls() > kOrigins + 1; }, 120s, 50ms));
  INFO("most origins one pull asked to skip: " << mallory.most_skips_asked());
  // 64 when the pulls come faster than a skip's first wait (30 s) runs out, as here;
  // fewer are live at once on a machine slow enough to take longer.
  CHECK(mallory.most_skips_asked() <= 64);
  CHECK(mallory.most_skips_asked() > 10);
  auto status = a.FederationStatus();
  REQUIRE(status);
  CHECK(Refused(*status, "unknown_origin") >= kOrigins);
  CHECK(a.Running());
}

TEST_CASE("Federation: the peer port answers only a client certificate from the federation's CA",
          "[federation][trust][tls]") {
  TestFederation fed(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}, {"bravo", {"inst-bravo"}}});
  TestFederation other(std::vector<MemberSpec>{{"alpha", {"inst-alpha"}}});  // another CA, same member id
  TestNode& a = fed.node("alpha");
  a.Start();
  REQUIRE(Post(a.http(), "institutions", Institution("inst-alpha", "Alpha college")) == 201);
  const std::string address = fed.peer_address("alpha");

  // Pulls alpha's ops with `credentials`; the status, and how many ops came.
  auto pull = [&](std::shared_ptr<grpc::ChannelCredentials> credentials, size_t* ops) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("alpha");
    auto channel = grpc::CreateCustomChannel(address, credentials, args);
    auto stub = v1::PeerService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::PullRequest req;
    req.set_member_id("bravo");
    auto reader = stub->Pull(&ctx, req);
    v1::OpBatch batch;
    *ops = 0;
    while (reader->Read(&batch)) *ops += batch.ops_size();
    return reader->Finish();
  };
  // Client credentials: the CA to check alpha by, and a client key and certificate.
  auto tls = [](const std::string& ca, const std::string& key, const std::string& cert) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadText(ca);
    if (!key.empty()) o.pem_private_key = ReadText(key);
    if (!cert.empty()) o.pem_cert_chain = ReadText(cert);
    // A path that reads as nothing would turn a case into another (no certificate).
    REQUIRE(!o.pem_root_certs.empty());
    REQUIRE(key.empty() == o.pem_private_key.empty());
    REQUIRE(cert.empty() == o.pem_cert_chain.empty());
    return grpc::SslCredentials(o);
  };
  size_t ops = 0;
  // The federation's own member: served.
  grpc::Status served = pull(tls(fed.tls_ca(), fed.tls_key("bravo"), fed.tls_cert("bravo")), &ops);
  INFO(served.error_message());
  CHECK(ops >= 1);
  // No TLS at all; TLS without a client certificate; a certificate from another CA
  // (naming a member of this federation): no handshake, nothing served.
  CHECK_FALSE(pull(grpc::InsecureChannelCredentials(), &ops).ok());
  CHECK(ops == 0);
  CHECK_FALSE(pull(tls(fed.tls_ca(), "", ""), &ops).ok());
  CHECK(ops == 0);
  CHECK_FALSE(pull(tls(fed.tls_ca(), other.tls_key("alpha"), other.tls_cert("alpha")), &ops).ok());
  CHECK(ops == 0);
  // And the node keeps serving.
  CHECK(a.Running());
  CHECK(a.http().Get("/healthz").result_int() == 200);
}

}  // namespace passerelle::testing
