#include "node/service/accounts.h"

#include <argon2.h>
#include <sodium.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "node/service/keys.h"
#include "storage/kv_store.h"

namespace passerelle::service {
namespace {

using nlohmann::json;
using storage::Column;

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;
const char* const kBadCredentials = "wrong username or password";

uint64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Denied(const Caller& caller) {
  return Status(Code::kPermissionDenied,
                std::string("role ") + RoleName(caller.role) + " may not manage user accounts");
}

struct Stored {
  Account account;
  std::string hash;
};

Result<Stored> Decode(std::string_view username, const std::string& value) {
  json j = json::parse(value, nullptr, false);
  if (!j.is_object() || !j.contains("role") || !j["role"].is_string() || !j.contains("hash") ||
      !j["hash"].is_string())
    return Status(Code::kDataLoss, "account '" + std::string(username) + "' is unreadable");
  auto role = ParseRole(j["role"].get<std::string>());
  if (!role)
    return Status(Code::kDataLoss, "account '" + std::string(username) + "' has an unknown role");
  Stored s;
  s.account.username = std::string(username);
  s.account.role = *role;
  s.account.created_at_ms = j.value("created_at", uint64_t{0});
  s.hash = j["hash"].get<std::string>();
  return s;
}

std::string Encode(const Stored& s) {
  return json{
      {"role", RoleName(s.account.role)}, {"hash", s.hash}, {"created_at", s.account.created_at_ms}}
      .dump();
}

Result<Stored> Load(const storage::KvStore* kv, std::string_view username) {
  std::string value;
  Status st = kv->Get(Column::kMeta, keys::User(username), &value);
  if (st.code() == Code::kNotFound)
    return Status::NotFound("no user '" + std::string(username) + "'", "username");
  if (!st.ok()) return st;
  return Decode(username, value);
}

Status Save(storage::KvStore* kv, const Stored& s) {
  storage::WriteBatch batch;
  batch.Put(Column::kMeta, keys::User(s.account.username), Encode(s));
  return kv->Write(batch);
}

}  // namespace

Status ValidateUsername(std::string_view name) {
  if (name.empty() || name.size() > kMaxUsernameBytes)
    return Status::Invalid("username", "must be 1 to 64 characters");
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return Status::Invalid("username", "may contain only a-z, 0-9, '.', '_' and '-'");
  return Status::Ok();
}

Status ValidatePassword(std::string_view password) {
  if (password.size() < kMinPasswordBytes)
    return Status::Invalid("password", "must be at least 8 characters");
  if (password.size() > kMaxPasswordBytes)
    return Status::Invalid("password", "must be at most 1024 bytes");
  return Status::Ok();
}

Accounts::Accounts(storage::KvStore* kv, HashCost cost, std::function<uint64_t()> now_ms)
    : kv_(kv), cost_(cost), now_ms_(now_ms ? std::move(now_ms) : WallMs) {
  if (sodium_init() < 0) std::abort();  // no randomness: no salts, no sessions
}

Result<std::string> Accounts::Hash(std::string_view password) const {
  unsigned char salt[kSaltBytes];
  randombytes_buf(salt, sizeof salt);
  std::string encoded(argon2_encodedlen(cost_.passes, cost_.memory_kib, cost_.lanes, kSaltBytes,
                                        kHashBytes, Argon2_id),
                      '\0');
  int rc = argon2id_hash_encoded(cost_.passes, cost_.memory_kib, cost_.lanes, password.data(),
                                 password.size(), salt, sizeof salt, kHashBytes, encoded.data(),
                                 encoded.size());
  if (rc != ARGON2_OK) return Status::Internal(std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0') == std::string::npos ? encoded.size() : encoded.find('\0'));
  return encoded;
}

Result<size_t> Accounts::CountAdmins() const {
  size_t n = 0;
  auto it = kv_->Scan(Column::kMeta, keys::kUserPrefix);
  for (; it->Valid(); it->Next()) {
    auto s = Decode(it->key().substr(keys::kUserPrefix.size()), std::string(it->value()));
    if (s.ok() && s->account.role == Role::kAdmin) ++n;
  }
  if (!it->status().ok()) return it->status();
  return n;
}

Result<Account> Accounts::Add(const Caller& caller, std::string_view username, Role role,
                              std::string_view password) {
  if (!MayManageUsers(caller.role)) return Denied(caller);
  PASSERELLE_RETURN_IF_ERROR(ValidateUsername(username));
  PASSERELLE_RETURN_IF_ERROR(ValidatePassword(password));
  auto hash = Hash(password);
  if (!hash.ok()) return hash.status();
  std::lock_guard lock(mu_);
  auto existing = Load(kv_, username);
  if (existing.ok())
    return Status(Code::kAlreadyExists, "user '" + std::string(username) + "' already exists",
                  "username");
  if (existing.status().code() != Code::kNotFound) return existing.status();
  Stored s{{std::string(username), role, now_ms_()}, std::move(hash).value()};
  PASSERELLE_RETURN_IF_ERROR(Save(kv_, s));
  return s.account;
}

Result<Account> Accounts::Change(const Caller& caller, std::string_view username,
                                 std::optional<Role> role,
                                 std::optional<std::string_view> password) {
  if (!MayManageUsers(caller.role)) return Denied(caller);
  PASSERELLE_RETURN_IF_ERROR(ValidateUsername(username));
  std::string new_hash;
  if (password) {
    PASSERELLE_RETURN_IF_ERROR(ValidatePassword(*password));
    auto hash = Hash(*password);
    if (!hash.ok()) return hash.status();
    new_hash = std::move(hash).value();
  }
  std::lock_guard lock(mu_);
  auto stored = Load(kv_, username);
  if (!stored.ok()) return stored.status();
  if (role && *role != Role::kAdmin && stored->account.role == Role::kAdmin) {
    auto admins = CountAdmins();
    if (!admins.ok()) return admins.status();
    if (*admins <= 1)
      return Status(Code::kFailedPrecondition,
                    "'" + std::string(username) + "' is the node's last admin", "role");
  }
  if (role) stored->account.role = *role;
  if (password) stored->hash = std::move(new_hash);
  PASSERELLE_RETURN_IF_ERROR(Save(kv_, *stored));
  return stored->account;
}

Status Accounts::Remove(const Caller& caller, std::string_view username) {
  if (!MayManageUsers(caller.role)) return Denied(caller);
  PASSERELLE_RETURN_IF_ERROR(ValidateUsername(username));
  std::lock_guard lock(mu_);
  auto stored = Load(kv_, username);
  if (!stored.ok()) return stored.status();
  if (stored->account.role == Role::kAdmin) {
    auto admins = CountAdmins();
    if (!admins.ok()) return admins.status();
    if (*admins <= 1)
      return Status(Code::kFailedPrecondition,
                    "'" + std::string(username) + "' is the node's last admin", "username");
  }
  storage::WriteBatch batch;
  batch.Delete(Column::kMeta, keys::User(username));
  return kv_->Write(batch);
}

Result<std::vector<Account>> Accounts::List(const Caller& caller) const {
  if (!MayManageUsers(caller.role)) return Denied(caller);
  std::vector<Account> out;
  auto it = kv_->Scan(Column::kMeta, keys::kUserPrefix);
  for (; it->Valid(); it->Next()) {
    auto s = Decode(it->key().substr(keys::kUserPrefix.size()), std::string(it->value()));
    if (!s.ok()) return s.status();
    out.push_back(std::move(s->account));
  }
  if (!it->status().ok()) return it->status();
  return out;
}

Result<Account> Accounts::Verify(std::string_view username, std::string_view password) const {
  const Status bad(Code::kUnauthenticated, kBadCredentials);
  Result<Stored> stored = Status::NotFound("user");
  if (ValidateUsername(username).ok() && password.size() <= kMaxPasswordBytes)
    stored = Load(kv_, username);
  if (!stored.ok()) {
    if (stored.status().code() != Code::kNotFound) return stored.status();
    // Spend the time a real check takes, so timing does not tell who exists.
    std::call_once(dummy_once_, [this] {
      auto h = Hash("not a password of anyone");
      dummy_hash_ = h.ok() ? *h : std::string();
    });
    if (!dummy_hash_.empty() && password.size() <= kMaxPasswordBytes)
      argon2id_verify(dummy_hash_.c_str(), password.data(), password.size());
    return bad;
  }
  if (argon2id_verify(stored->hash.c_str(), password.data(), password.size()) != ARGON2_OK)
    return bad;
  return stored->account;
}

Result<Account> Accounts::Find(std::string_view username) const {
  PASSERELLE_RETURN_IF_ERROR(ValidateUsername(username));
  auto stored = Load(kv_, username);
  if (!stored.ok()) return stored.status();
  return stored->account;
}

}  // namespace passerelle::service
