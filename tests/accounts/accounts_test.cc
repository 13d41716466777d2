// Accounts on a real RocksDB store: validation, argon2id hashes, persistence across a
// reopen, the last-admin rule, management refused to non-admins, and accounts kept out
// of the replicated state (op log, version vector, digest).
#include "node/service/accounts.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "node/service/record_service.h"
#include "storage/kv_store.h"
#include "tests/accounts/auth_fixture.h"
#include "tests/test_util.h"

namespace passerelle::service {
namespace {

using testing::TempDir;

std::unique_ptr<storage::KvStore> OpenStore(const TempDir& dir) {
  auto kv = storage::OpenRocksStore(dir.str());
  REQUIRE_OK(kv);
  return std::move(kv).value();
}

TEST_CASE("Accounts: add, verify, change and remove survive reopening the store", "[accounts]") {
  TempDir dir;
  {
    auto kv = OpenStore(dir);
    Accounts accounts(kv.get(), kTestHashCost);
    REQUIRE_OK(accounts.Add(Caller{}, "amina.k", Role::kCoordinator, "first password"));
    REQUIRE_OK(accounts.Add(Caller{}, "root", Role::kAdmin, "second password"));
    // Only a hash is stored: the password itself is nowhere in the store.
    std::string value;
    REQUIRE_OK(kv->Get(storage::Column::kMeta, "user/amina.k", &value));
    REQUIRE(value.find("first password") == std::string::npos);
    REQUIRE(value.find("$argon2id$") != std::string::npos);
  }
  auto kv = OpenStore(dir);
  Accounts accounts(kv.get(), kTestHashCost);
  auto ok = accounts.Verify("amina.k", "first password");
  REQUIRE_OK(ok);
  REQUIRE(ok->role == Role::kCoordinator);
  REQUIRE(accounts.Verify("amina.k", "second password").status().code() == Code::kUnauthenticated);

  REQUIRE_OK(
      accounts.Change(Caller{}, "amina.k", Role::kViewer, std::string_view("new password!")));
  REQUIRE(accounts.Verify("amina.k", "first password").status().code() == Code::kUnauthenticated);
  REQUIRE(accounts.Verify("amina.k", "new password!")->role == Role::kViewer);

  auto list = accounts.List(Caller{});
  REQUIRE_OK(list);
  REQUIRE(list->size() == 2);
  REQUIRE((*list)[0].username == "amina.k");
  REQUIRE((*list)[1].username == "root");

  REQUIRE_OK(accounts.Remove(Caller{}, "amina.k"));
  REQUIRE(accounts.Find("amina.k").status().code() == Code::kNotFound);
  REQUIRE(accounts.Remove(Caller{}, "amina.k").code() == Code::kNotFound);
}

TEST_CASE("Accounts: bad usernames, passwords and duplicates are refused naming the field",
          "[accounts]") {
  TempDir dir;
  auto kv = OpenStore(dir);
  Accounts accounts(kv.get(), kTestHashCost);
  for (std::string bad :
       std::vector<std::string>{"", "Amina", "a b", "é", "x/y", std::string(65, 'a'), "a\n"}) {
    INFO(bad);
    auto r = accounts.Add(Caller{}, bad, Role::kViewer, "long enough");
    REQUIRE(r.status().code() == Code::kInvalidArgument);
    REQUIRE(r.status().field() == "username");
  }
  REQUIRE_OK(accounts.Add(Caller{}, std::string(64, 'a'), Role::kViewer, "long enough"));
  auto short_pw = accounts.Add(Caller{}, "bob", Role::kViewer, "short");
  REQUIRE(short_pw.status().field() == "password");
  REQUIRE(short_pw.status().message().find("short") == std::string::npos);  // never echoed
  REQUIRE(accounts.Add(Caller{}, "bob", Role::kViewer, std::string(2000, 'p')).status().field() ==
          "password");
  REQUIRE_OK(accounts.Add(Caller{}, "bob", Role::kViewer, "long enough"));
  auto dup = accounts.Add(Caller{}, "bob", Role::kAdmin, "long enough");
  REQUIRE(dup.status().code() == Code::kAlreadyExists);
  REQUIRE(accounts.Find("bob")->role == Role::kViewer);  // unchanged
}

TEST_CASE("Accounts: only an admin manages accounts, and the last admin stays", "[accounts]") {
  TempDir dir;
  auto kv = OpenStore(dir);
  Accounts accounts(kv.get(), kTestHashCost);
  REQUIRE_OK(accounts.Add(Caller{}, "root", Role::kAdmin, "admin password"));
  for (Role r : {Role::kCoordinator, Role::kProjectLead, Role::kMobilityOfficer, Role::kViewer}) {
    const Caller who{"someone", r};
    INFO(RoleName(r));
    auto added = accounts.Add(who, "intruder", Role::kAdmin, "long enough");
    REQUIRE(added.status().code() == Code::kPermissionDenied);
    REQUIRE(added.status().message().find(RoleName(r)) != std::string::npos);
    REQUIRE(accounts.List(who).status().code() == Code::kPermissionDenied);
    REQUIRE(accounts.Remove(who, "root").code() == Code::kPermissionDenied);
    REQUIRE(accounts.Change(who, "root", Role::kViewer, std::nullopt).status().code() ==
            Code::kPermissionDenied);
  }
  REQUIRE(accounts.Remove(Caller{}, "root").code() == Code::kFailedPrecondition);
  REQUIRE(accounts.Change(Caller{}, "root", Role::kViewer, std::nullopt).status().code() ==
          Code::kFailedPrecondition);
  REQUIRE_OK(accounts.Add(Caller{}, "root2", Role::kAdmin, "admin password"));
  REQUIRE_OK(accounts.Change(Caller{}, "root", Role::kViewer, std::nullopt));
  REQUIRE(accounts.Remove(Caller{}, "root2").code() == Code::kFailedPrecondition);
}

TEST_CASE("Accounts: users are not replicated state (no op, same version vector and digest)",
          "[accounts]") {
  testing::AuthNode node;
  REQUIRE_OK(node.service().Create("institution", testing::Institution(), Caller{}));
  auto digest = node.service().Digest();
  REQUIRE_OK(digest);
  auto vv = node.service().VersionVector();
  uint64_t generation = node.service().Generation();
  REQUIRE_OK(node.accounts().Add(Caller{}, "amina", Role::kCoordinator, "long enough"));
  REQUIRE_OK(node.accounts().Change(Caller{}, "amina", Role::kViewer, std::nullopt));
  REQUIRE(*node.service().Digest() == *digest);
  REQUIRE(node.service().VersionVector() == vv);
  REQUIRE(node.service().Generation() == generation);
}

TEST_CASE("Roles: the permission table of the contract", "[accounts][roles]") {
  const std::vector<std::string> families = {"institution",   "agreement", "project", "deliverable",
                                             "indicator",     "forum",     "event",   "framework",
                                             "qualification", "mapping"};
  const std::map<Role, std::set<std::string>> writes = {
      {Role::kAdmin, {families.begin(), families.end()}},
      {Role::kCoordinator,
       {"institution", "agreement", "project", "deliverable", "indicator", "forum", "event"}},
      {Role::kProjectLead, {"project", "deliverable", "indicator"}},
      {Role::kMobilityOfficer, {"framework", "qualification", "mapping"}},
      {Role::kViewer, {}},
  };
  for (const auto& [role, allowed] : writes) {
    for (const auto& kind : families) {
      INFO(RoleName(role) << " " << kind);
      REQUIRE(MayWrite(role, kind) == (allowed.count(kind) == 1));
      Status s = CheckWrite(role, kind);
      if (!allowed.count(kind)) {
        REQUIRE(s.code() == Code::kPermissionDenied);
        REQUIRE(s.message().find(RoleName(role)) != std::string::npos);
        REQUIRE(s.message().find(kind) != std::string::npos);
      }
    }
    REQUIRE(MayManageUsers(role) == (role == Role::kAdmin));
    REQUIRE(ParseRole(RoleName(role)) == role);
  }
  REQUIRE_FALSE(MayWrite(Role::kCoordinator, "some_future_family"));  // admin only by default
  REQUIRE_FALSE(ParseRole("Admin").has_value());
  REQUIRE_FALSE(ParseRole("").has_value());
}

}  // namespace
}  // namespace passerelle::service
