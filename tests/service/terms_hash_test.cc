// The terms hash is stored in every agreement (and so in the digest): it must stay the
// BLAKE2b of json::to_cbor of the object of present terms fields, byte for byte.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include "node/core/coding.h"
#include "node/records/approval.h"
#include "node/records/family.h"

using nlohmann::json;
using namespace passerelle;

namespace {

std::string Reference(const records::Family& family, const json& fields) {
  json terms = json::object();
  for (const auto& name : family.terms_fields)
    if (auto it = fields.find(name); it != fields.end()) terms[name] = *it;
  std::vector<uint8_t> text = json::to_cbor(terms);
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, text.data(), text.size(), nullptr, 0);
  return core::ToHex(std::string(reinterpret_cast<char*>(hash), sizeof hash));
}

}  // namespace

TEST_CASE("Terms hash: equals the hash of the CBOR object of the terms fields", "[service]") {
  const records::Family* agr = records::FindFamily("agreement");
  REQUIRE(agr != nullptr);
  REQUIRE(!agr->terms_fields.empty());
  std::vector<json> cases = {
      json::object(),
      {{"id", "a"}, {"title", "Entente"}, {"status", "active"}},
      {{"title", "Entente é"}, {"parties", {"x", "y"}}, {"kind", "cooperation"},
       {"purpose", std::string(300, 'p')}, {"start_date", "2026-01-01"},
       {"end_date", "2029-01-01"}, {"notes", {"n1"}}, {"approval.m", {{"terms", "t"}}}},
  };
  json all = json::object();
  for (const auto& name : agr->terms_fields) all[name] = json::array({name, 1, 2.5, nullptr});
  cases.push_back(all);
  // Text is hashed without being encoded first: each size of CBOR text head.
  for (size_t length : {0, 1, 23, 24, 255, 256, 65535, 65536})
    cases.push_back({{"title", std::string(length, 't')}, {"purpose", std::string(length, 'p')}});
  for (const auto& fields : cases) CHECK(records::TermsHash(*agr, fields) == Reference(*agr, fields));
}

// What an approval covers is part of the federation's contract (node/README.md, "Agreement
// approval"): the list is written here, not read from the code under test, and one hash
// is pinned, so that a change to either shows up as a failing test, not as approvals
// that silently stop matching between nodes of different versions.
TEST_CASE("Terms hash: the terms fields and a known hash do not move", "[service]") {
  const records::Family* agr = records::FindFamily("agreement");
  REQUIRE(agr != nullptr);
  CHECK(agr->terms_fields == std::vector<std::string>{"title", "parties", "party_roles", "kind", "purpose",
                                                      "start_date", "end_date", "place", "place_country",
                                                      "documents", "counterparty_note"});
  json fields = {{"id", "agr-1"},
                 {"title", "Entente de coopération"},
                 {"parties", {"inmq", "cican"}},
                 {"kind", "cooperation"},
                 {"start_date", "2026-01-01"},
                 {"end_date", "2029-12-31"},
                 {"place", "Québec"},
                 {"documents", {{{"title", "Texte signé"}, {"url", "https://example.org/a.pdf"}}}},
                 {"notes", {"not a term"}},
                 {"status", "proposed"}};
  CHECK(records::TermsHash(*agr, fields) == "b2c7d7d062c3241ee916c7f3d0c9f3982d4c2f882fa8add3aaf501e97ccb6e87");
}
