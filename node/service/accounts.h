// Accounts: the user accounts of THIS node (not replicated, not in the digest), kept in
// the node's store (meta column, "user/<name>" keys) so they survive restarts. Passwords
// are stored only as argon2id encoded hashes (salt and cost inside). Management calls
// take the Caller and refuse a role that may not manage users (roles.h). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/service/caller.h"
#include "storage/status.h"

namespace passerelle::storage {
class KvStore;
}

namespace passerelle::service {

struct Account {
  std::string username;
  Role role = Role::kViewer;
  uint64_t created_at_ms = 0;
};

// argon2id cost. The default follows OWASP's minimum (19 MiB, 2 passes, ~30-60 ms a hash);
// tests use kTestHashCost so that logging in hundreds of times stays fast.
struct HashCost {
  uint32_t passes = 2;
  uint32_t memory_kib = 19 * 1024;
  uint32_t lanes = 1;
};
inline constexpr HashCost kTestHashCost{1, 8, 1};

constexpr size_t kMaxUsernameBytes = 64;
constexpr size_t kMinPasswordBytes = 8;     // below that a password is guessed online
constexpr size_t kMaxPasswordBytes = 1024;  // bounds the work one login can cause

// OK or INVALID_ARGUMENT (field "username"): 1..64 of [a-z0-9._-].
Status ValidateUsername(std::string_view name);
// OK or INVALID_ARGUMENT (field "password"): 8..1024 bytes. Never echoes the password.
Status ValidatePassword(std::string_view password);

class Accounts {
 public:
  // `kv` must outlive the accounts.
  explicit Accounts(storage::KvStore* kv, HashCost cost = {},
                    std::function<uint64_t()> now_ms = nullptr);

  // Errors: PERMISSION_DENIED (caller's role), INVALID_ARGUMENT (field named),
  // ALREADY_EXISTS (field "username").
  Result<Account> Add(const Caller& caller, std::string_view username, Role role,
                      std::string_view password);
  // Sets the role and/or the password. NOT_FOUND for an unknown user; FAILED_PRECONDITION
  // when it would leave the node without an admin.
  Result<Account> Change(const Caller& caller, std::string_view username, std::optional<Role> role,
                         std::optional<std::string_view> password);
  // NOT_FOUND for an unknown user; FAILED_PRECONDITION for the last admin.
  Status Remove(const Caller& caller, std::string_view username);
  // Every account, by name.
  Result<std::vector<Account>> List(const Caller& caller) const;

  // The account when `password` is its password. Otherwise UNAUTHENTICATED with the same
  // message and about the same time whether or not the user exists.
  Result<Account> Verify(std::string_view username, std::string_view password) const;
  // The account (for a session's role after a change); NOT_FOUND when absent.
  Result<Account> Find(std::string_view username) const;

 private:
  Result<std::string> Hash(std::string_view password) const;
  Result<size_t> CountAdmins() const;  // caller holds mu_

  storage::KvStore* kv_;
  HashCost cost_;
  std::function<uint64_t()> now_ms_;
  std::mutex mu_;  // serialises changes (the last-admin check reads then writes)
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;  // verified against for unknown users (equal timing)
};

}  // namespace passerelle::service
