// A table of bad inputs: each is refused with the expected code and field, and
// changes nothing.
#include "node/records/family.h"
#include "node/service/record_service.h"
#include "tests/service/fixture.h"

using namespace passerelle;
using namespace passerelle::testing;
using nlohmann::json;

namespace {

struct BadInput {
  const char* name;
  const char* kind;
  json record;
  Code code;
  const char* field;
};

json Forum() {
  return {{"id", "forum-x"}, {"title", "Forum"}, {"start_date", "2019-03-21"},
          {"end_date", "2019-03-22"}, {"participants_total", 132}, {"participants_women", 108},
          {"participants_men", 24}, {"organizers", {"cican"}}, {"format", "in_person"}};
}
json With(json base, const std::string& key, json value) {
  if (value.is_null()) base.erase(key);
  else base[key] = std::move(value);
  return base;
}

}  // namespace

TEST_CASE("Validation: bad inputs are refused naming the field and change nothing", "[service][validation]") {
  ServiceFixture f;
  REQUIRE_OK(f.service->Create("institutions", Institution("cican"), f.caller));
  REQUIRE_OK(f.service->Create("forums", Forum(), f.caller));
  REQUIRE_OK(f.service->Create("projects", json{{"id", "B01"}, {"title", "Projet"}}, f.caller));
  REQUIRE_OK(f.service->Create("frameworks", json{{"id", "mrc-ap"}, {"name", "MRC"}, {"scope", "regional"}, {"levels_count", 8},
                                                  {"levels", {{{"level", 1}}, {{"level", 2}}}}}, f.caller));
  auto vv = f.service->VersionVector();
  auto forum = With(Forum(), "id", "forum-new");

  const BadInput cases[] = {
      {"missing required field", "forums", With(forum, "title", nullptr), Code::kInvalidArgument, "title"},
      {"impossible date", "forums", With(forum, "start_date", "2020-13-01"), Code::kInvalidArgument, "start_date"},
      {"February 30th", "forums", With(forum, "end_date", "2019-02-30"), Code::kInvalidArgument, "end_date"},
      {"unknown country", "forums", With(forum, "country", "XX"), Code::kInvalidArgument, "country"},
      {"lower-case country", "forums", With(forum, "country", "cl"), Code::kInvalidArgument, "country"},
      {"women + men > total", "forums", With(forum, "participants_men", 30), Code::kInvalidArgument, "participants_women"},
      {"start after end", "forums", With(forum, "start_date", "2019-04-01"), Code::kInvalidArgument, "end_date"},
      {"unknown enum value", "forums", With(forum, "format", "telepathic"), Code::kInvalidArgument, "format"},
      {"unknown field", "forums", With(forum, "colour", "blue"), Code::kInvalidArgument, "colour"},
      {"wrong type", "forums", With(forum, "participants_total", "many"), Code::kInvalidArgument, "participants_total"},
      {"negative count", "forums", With(forum, "participants_total", -1), Code::kInvalidArgument, "participants_total"},
      {"fractional count", "forums", With(forum, "participants_total", 1.5), Code::kInvalidArgument, "participants_total"},
      {"too long", "forums", With(forum, "title", std::string(501, 'x')), Code::kInvalidArgument, "title"},
      {"control characters", "forums", With(forum, "title", "a\x01z"), Code::kInvalidArgument, "title"},
      {"DEL character", "forums", With(forum, "title", "a\x7fz"), Code::kInvalidArgument, "title"},
      {"C1 control (U+0085)", "forums", With(forum, "title", "a\xc2\x85z"), Code::kInvalidArgument, "title"},
      {"tab in a one-line field", "forums", With(forum, "title", "a\tz"), Code::kInvalidArgument, "title"},
      {"invalid UTF-8 (as a peer's CBOR can carry)", "forums", With(forum, "title", "a\xff\xfez"),
       Code::kInvalidArgument, "title"},
      {"overlong UTF-8", "forums", With(forum, "location", "\xc0\xaf" "etc"), Code::kInvalidArgument, "location"},
      {"empty string", "forums", With(forum, "location", ""), Code::kInvalidArgument, "location"},
      {"dangling reference", "forums", With(forum, "organizers", {"cican", "nobody"}), Code::kInvalidArgument, "organizers[1]"},
      {"duplicate in list", "forums", With(forum, "organizers", {"cican", "cican"}), Code::kInvalidArgument, "organizers[1]"},
      {"bad id", "forums", With(forum, "id", "../etc/passwd"), Code::kInvalidArgument, "id"},
      {"id taken", "forums", Forum(), Code::kAlreadyExists, "id"},
      {"not an object", "forums", json::array({1, 2}), Code::kInvalidArgument, "body"},
      {"nested source missing quote", "forums", With(forum, "source", {{"file", "x.txt"}}), Code::kInvalidArgument, "source.quote"},
      {"deliverable of a missing project", "deliverables",
       {{"id", "d1"}, {"project", "B99"}, {"title", "Guide"}}, Code::kInvalidArgument, "project"},
      {"deliverable status unknown", "deliverables",
       {{"id", "d1"}, {"project", "B01"}, {"title", "Guide"}, {"status", "done-ish"}}, Code::kInvalidArgument, "status"},
      {"qualification at a level the framework lacks", "qualifications",
       {{"id", "q1"}, {"title", "Técnico"}, {"framework_id", "mrc-ap"}, {"level", 5}}, Code::kInvalidArgument, "level"},
      {"level without framework", "qualifications",
       {{"id", "q1"}, {"title", "Técnico"}, {"level", 1}}, Code::kInvalidArgument, "framework_id"},
      {"mapping to a missing level", "mappings",
       {{"id", "m1"}, {"type", "level_mapping"}, {"status", "proposed"},
        {"from", {{"framework_id", "mrc-ap"}, {"level", 1}}}, {"to", {{"framework_id", "mrc-ap"}, {"level", 9}}}},
       Code::kInvalidArgument, "to.level"},
      {"level mapping without a target level", "mappings",
       {{"id", "m1"}, {"type", "level_mapping"}, {"status", "approved"},
        {"from", {{"framework_id", "mrc-ap"}, {"level", 1}}}, {"to", {{"framework_id", "mrc-ap"}}}},
       Code::kInvalidArgument, "to.level"},
      {"level mapping without a source", "mappings",
       {{"id", "m1"}, {"type", "level_mapping"}, {"status", "approved"}}, Code::kInvalidArgument, "from.framework_id"},
      {"end before start at a finer precision", "forums",
       With(With(forum, "start_date", "2019-03-15"), "end_date", "2019-02"), Code::kInvalidArgument, "end_date"},
      {"indicator measurement split exceeds value", "indicators",
       {{"id", "i1"}, {"description", "Formés"}, {"measurements", {{{"period", "2020"}, {"value", 10}, {"women", 8}, {"men", 5}}}}},
       Code::kInvalidArgument, "measurements[0].women"},
      // Institutions, projects, agreements, events, frameworks, indicators.
      {"institution type unknown", "institutions",
       {{"id", "inst-1"}, {"name", "Collège"}, {"type", "spaceport"}}, Code::kInvalidArgument, "type"},
      {"institution without a name", "institutions", {{"id", "inst-1"}, {"type", "college"}}, Code::kInvalidArgument, "name"},
      {"institution period ending before it starts", "institutions",
       {{"id", "inst-1"}, {"name", "Collège"}, {"type", "college"}, {"period", {{"start", "2020"}, {"end", "2010"}}}},
       Code::kInvalidArgument, "period.end"},
      {"project country not ISO", "projects",
       {{"id", "B02"}, {"title", "Projet"}, {"countries", {"CL", "Chile"}}}, Code::kInvalidArgument, "countries[1]"},
      {"project funding negative", "projects",
       {{"id", "B02"}, {"title", "Projet"}, {"funding", {{"amount", -5}}}}, Code::kInvalidArgument, "funding.amount"},
      {"project result target not a number", "projects",
       {{"id", "B02"}, {"title", "Projet"}, {"results", {{{"description", "Formés"}, {"target", "beaucoup"}}}}},
       Code::kInvalidArgument, "results[0].target"},
      {"agreement with no parties", "agreements",
       {{"id", "a1"}, {"title", "Entente"}, {"parties", json::array()}, {"kind", "mou"}}, Code::kInvalidArgument, "parties"},
      {"agreement list too long", "agreements",
       {{"id", "a1"}, {"title", "Entente"}, {"parties", std::vector<std::string>(51, "cican")}, {"kind", "mou"}},
       Code::kInvalidArgument, "parties"},
      {"event kind unknown", "events", {{"id", "e1"}, {"title", "Sommet"}, {"kind", "picnic"}}, Code::kInvalidArgument, "kind"},
      {"framework level out of range", "frameworks",
       {{"id", "fw-2"}, {"name", "Cadre"}, {"scope", "national"}, {"levels", {{{"level", 21}}}}},
       Code::kInvalidArgument, "levels[0].level"},
      {"framework scope missing", "frameworks", {{"id", "fw-2"}, {"name", "Cadre"}}, Code::kInvalidArgument, "scope"},
      {"number map value past 1e15 (JSON and gRPC's double would disagree)", "indicators",
       {{"id", "i1"}, {"description", "Formés"}, {"breakdown", {{"n", 9007199254740993LL}}}},
       Code::kInvalidArgument, "breakdown.n"},
      {"invalid UTF-8 in a map key", "indicators",
       {{"id", "i1"}, {"description", "Formés"}, {"breakdown", {{"a\xff", 1}}}}, Code::kInvalidArgument, "breakdown.a\xff"},
      {"indicator target not a number", "indicators",
       {{"id", "i1"}, {"description", "Formés"}, {"target", "dix"}}, Code::kInvalidArgument, "target"},
      {"indicator period ending before it starts", "indicators",
       {{"id", "i1"}, {"description", "Formés"}, {"period", {{"start", "2021-06"}, {"end", "2021-01"}}}},
       Code::kInvalidArgument, "period.end"},
      {"unknown family", "spaceships", forum, Code::kNotFound, "kind"},
      {"owners not members", "forums", With(forum, "owners", {"someone"}), Code::kInvalidArgument, "owners[0]"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto r = f.service->Create(c.kind, c.record, f.caller);
      INFO(r.status().ToString());
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == c.code);
      CHECK(r.status().field() == c.field);
      CHECK(!r.status().message().empty());
      CHECK(f.service->VersionVector() == vv);
    }
  }
}

TEST_CASE("Validation: an update that breaks a rule is refused and changes nothing", "[service][validation]") {
  ServiceFixture f;
  REQUIRE_OK(f.service->Create("institutions", Institution("cican"), f.caller));
  REQUIRE_OK(f.service->Create("forums", Forum(), f.caller));
  service::UpdateRequest up;
  up.patch = {{"participants_total", 10}};
  auto r = f.service->Update("forums", "forum-x", up, f.caller);
  CHECK(r.status().field() == "participants_women");
  up.patch = {{"version", 7}};
  up.mask = {"version"};
  CHECK(f.service->Update("forums", "forum-x", up, f.caller).status().field() == "version");
  auto got = f.service->Get("forums", "forum-x");
  REQUIRE_OK(got);
  CHECK((*got)["participants_total"] == 132);
  CHECK((*got)["version"] == 1);

  // A qualification's level is checked when only its framework changes.
  REQUIRE_OK(f.service->Create("frameworks", json{{"id", "fw-2"}, {"name", "Two"}, {"scope", "national"},
                                                  {"levels", {{{"level", 1}}, {{"level", 2}}}}}, f.caller));
  REQUIRE_OK(f.service->Create("frameworks", json{{"id", "fw-1"}, {"name", "One"}, {"scope", "national"},
                                                  {"levels", {{{"level", 1}}}}}, f.caller));
  REQUIRE_OK(f.service->Create("qualifications", json{{"id", "q2"}, {"title", "Técnico"}, {"framework_id", "fw-2"}, {"level", 2}},
                               f.caller));
  service::UpdateRequest move;
  move.patch = {{"framework_id", "fw-1"}};
  auto moved = f.service->Update("qualifications", "q2", move, f.caller);
  CHECK(moved.status().code() == Code::kInvalidArgument);
  CHECK(moved.status().field() == "level");
  CHECK(f.service->Get("qualifications", "q2").value()["framework_id"] == "fw-2");

  // An end given at a coarser precision than the start, within its period, is in order.
  REQUIRE_OK(f.service->Create("forums", With(With(With(Forum(), "id", "forum-march"), "start_date", "2019-03-15"),
                                              "end_date", "2019-03"), f.caller));
  REQUIRE_OK(f.service->Create("forums", With(With(With(Forum(), "id", "forum-year"), "start_date", "2019-03"),
                                              "end_date", "2019"), f.caller));
}

TEST_CASE("Validation: women + men may exceed a total stated as a lower bound or an estimate", "[service][validation]") {
  ServiceFixture f;
  REQUIRE_OK(f.service->Create("institutions", Institution("cican"), f.caller));
  // forum-4-durabilite-environnementale-2021: "plus de 500" participants, 280 women, 260 men.
  json forum = With(With(With(Forum(), "participants_total", 500), "participants_women", 280), "participants_men", 260);
  for (const char* qualifier : {"more_than", "at_least", "approx", "target_exceeded"}) {
    INFO(qualifier);
    json stated = With(With(forum, "id", std::string("forum-") + qualifier), "participants_qualifier", qualifier);
    REQUIRE_OK(f.service->Create("forums", stated, f.caller));
    REQUIRE_OK(f.service->Create("events", With(stated, "kind", "forum"), f.caller));
  }
  // An exact total (no qualifier, or one that does not qualify the count) still bounds them.
  for (json exact : {With(forum, "id", "forum-exact"),
                     With(With(forum, "id", "forum-increase"), "participants_qualifier", "increase")}) {
    auto r = f.service->Create("forums", exact, f.caller);
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().field() == "participants_women");
  }
  service::UpdateRequest exact;
  exact.patch = {{"participants_qualifier", nullptr}};
  auto r = f.service->Update("forums", "forum-more_than", exact, f.caller);
  CHECK(r.status().field() == "participants_women");
  CHECK(f.service->Get("forums", "forum-more_than").value()["participants_qualifier"] == "more_than");
}

// Text is checked eight bytes at a time while it is printable ASCII (validate.cc): a
// fault is found wherever it sits, at either end of a block or past it, and only then.
TEST_CASE("Validation: a text fault is found at any position in the text", "[service][validation]") {
  const records::Family& forum = *records::FindFamily("forum");
  struct Fault {
    const char* name;
    std::string bytes;
    bool local_only;  // refused in this node's writes, accepted from peers
    const char* rule;
  };
  const Fault faults[] = {
      {"C0 control", "\x01", false, "contains control characters"},
      {"line break in a one-line field", "\n", false, "contains control characters"},
      {"tab in a one-line field", "\t", true, "contains control characters"},
      {"DEL", "\x7f", true, "contains control characters"},
      {"C1 control", "\xc2\x85", true, "contains control characters"},
      {"stray continuation byte", "\x80", false, "is not valid UTF-8"},
      {"truncated sequence", "\xc3", false, "is not valid UTF-8"},
      {"surrogate", "\xed\xa0\x80", false, "is not valid UTF-8"},
  };
  auto check = [&](const std::string& title, bool local) {
    std::vector<records::Reference> refs;
    return records::Validate(forum, With(Forum(), "title", title), &refs, nullptr, local);
  };
  for (size_t pos = 0; pos <= 20; ++pos) {
    const std::string before(pos, 'a'), after(20 - pos, 'z');
    for (const auto& fault : faults) {
      INFO(fault.name << " at byte " << pos);
      for (bool local : {true, false}) {
        Status s = check(before + fault.bytes + after, local);
        if (fault.local_only && !local) {
          CHECK(s.ok());
        } else {
          CHECK(s.code() == Code::kInvalidArgument);
          CHECK(s.field() == "title");
          CHECK(s.message().find(fault.rule) != std::string::npos);
        }
      }
    }
    // Accented letters and printable ASCII on both sides of a block boundary pass, and
    // the length counts characters, not bytes: 500 are allowed, 501 are not.
    CHECK(check(before + "é~ ñ" + after, true).ok());
    std::string longest(pos, 'a');
    for (size_t i = pos; i < 500; ++i) longest += "\xc3\xa9";
    CHECK(check(longest, true).ok());
    std::string too_long = longest + "\xc3\xa9";
    Status s = check(too_long, true);
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.message().find("longer than 500") != std::string::npos);
  }
}
