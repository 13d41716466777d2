#include "node/service/sessions.h"

#include <sodium.h>

#include <algorithm>

#include "node/core/coding.h"

namespace passerelle::service {
namespace {

constexpr size_t kTokenBytes = 32;  // 256 random bits: not guessable

std::string RandomToken() {
  unsigned char bytes[kTokenBytes];
  randombytes_buf(bytes, sizeof bytes);
  return core::ToHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string KeyOf(std::string_view token) {
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

// Throttle keys: usernames are bounded so a huge name cannot grow the table's memory.
std::string UserKey(std::string_view username) {
  return "user:" + std::string(username.substr(0, kMaxUsernameBytes));
}
std::string ClientKey(std::string_view client) {
  return "addr:" + std::string(client.substr(0, 64));
}

}  // namespace

SessionManager::SessionManager(Accounts* accounts, SessionOptions options)
    : accounts_(accounts), options_(options), throttle_(options.throttle) {
  if (sodium_init() < 0) std::abort();
}

uint64_t SessionManager::ExpiresAt(const Entry& e) const {
  return std::min(e.last_used_ms + options_.idle_timeout_ms, e.created_ms + options_.lifetime_ms);
}

Result<SessionView> SessionManager::Login(std::string_view username, std::string_view password,
                                          std::string_view client, uint64_t now_ms,
                                          uint64_t* retry_after_s) {
  const std::string user_key = UserKey(username), client_key = ClientKey(client);
  uint64_t wait = std::max(throttle_.RetryAfterSeconds(user_key, now_ms),
                           throttle_.RetryAfterSeconds(client_key, now_ms));
  if (wait > 0) {
    if (retry_after_s) *retry_after_s = wait;
    return Status(Code::kResourceExhausted,
                  "too many failed logins; try again in " + std::to_string(wait) + " s");
  }
  // The password check takes ~50 ms outside the lock; an account change meanwhile
  // (removed, demoted, new password) sends the login round again with the new account.
  Result<Account> account = Status(Code::kUnauthenticated, "unknown user or wrong password");
  for (int attempt = 0;; ++attempt) {
    uint64_t changes_before;
    {
      std::lock_guard lock(mu_);
      auto c = account_changes_.find(std::string(username));
      changes_before = c == account_changes_.end() ? 0 : c->second;
    }
    account = accounts_->Verify(username, password);
    if (!account.ok()) {
      if (account.status().code() == Code::kUnauthenticated) {
        throttle_.Failure(user_key, now_ms);
        throttle_.Failure(client_key, now_ms);
      }
      return account.status();
    }
    if (after_verify_) after_verify_();
    std::lock_guard lock(mu_);
    auto c = account_changes_.find(account->username);
    if ((c == account_changes_.end() ? 0 : c->second) == changes_before) {
      throttle_.Success(user_key);
      return InsertLocked(*account, now_ms);
    }
    if (attempt == 2)
      return Status(Code::kUnavailable, "the account changed during the login; log in again");
  }
}

SessionView SessionManager::InsertLocked(const Account& account, uint64_t now_ms) {
  SessionView view{RandomToken(), RandomToken(), account.username, account.role, 0};
  Entry e{view.csrf_token, view.username, view.role, now_ms, now_ms};
  view.expires_at_ms = ExpiresAt(e);
  auto oldest_of = [&](auto pred) {
    auto oldest = sessions_.end();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (pred(it->second) && (oldest == sessions_.end() || it->second.created_ms < oldest->second.created_ms))
        oldest = it;
    return oldest;
  };
  // One user cannot crowd the others out: past its own cap, its oldest session ends.
  auto mine = [&](const Entry& x) { return x.username == account.username; };
  size_t own = static_cast<size_t>(std::count_if(sessions_.begin(), sessions_.end(),
                                                 [&](const auto& kv) { return mine(kv.second); }));
  if (own >= options_.max_sessions_per_user) sessions_.erase(oldest_of(mine));
  if (sessions_.size() >= options_.max_sessions) SweepLocked(now_ms);
  if (sessions_.size() >= options_.max_sessions) sessions_.erase(oldest_of([](const Entry&) { return true; }));
  sessions_.emplace(KeyOf(view.token), std::move(e));
  return view;
}

Result<SessionView> SessionManager::Lookup(std::string_view token, uint64_t now_ms, Activity activity) {
  const Status none(Code::kUnauthenticated, "no session: log in with POST /api/v1/session");
  if (token.empty()) return none;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(KeyOf(token));
  if (it == sessions_.end()) return none;
  if (now_ms >= ExpiresAt(it->second)) {
    sessions_.erase(it);
    return Status(Code::kUnauthenticated, "the session has expired: log in again");
  }
  if (activity == Activity::kUser) it->second.last_used_ms = std::max(it->second.last_used_ms, now_ms);
  const Entry& e = it->second;
  return SessionView{std::string(token), e.csrf_token, e.username, e.role, ExpiresAt(e)};
}

std::optional<std::string> SessionManager::LiveUser(std::string_view token, uint64_t now_ms) const {
  if (token.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = sessions_.find(KeyOf(token));
  if (it == sessions_.end() || now_ms >= ExpiresAt(it->second)) return std::nullopt;
  return it->second.username;
}

void SessionManager::Logout(std::string_view token) {
  std::lock_guard lock(mu_);
  sessions_.erase(KeyOf(token));
}

void SessionManager::EndSessionsOf(std::string_view username) {
  std::lock_guard lock(mu_);
  ++account_changes_[std::string(username)];
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.username == username; });
}

void SessionManager::SetRole(std::string_view username, Role role) {
  std::lock_guard lock(mu_);
  ++account_changes_[std::string(username)];
  for (auto& [key, e] : sessions_)
    if (e.username == username) e.role = role;
}

size_t SessionManager::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionManager::SweepLocked(uint64_t now_ms) {
  std::erase_if(sessions_, [&](const auto& kv) { return now_ms >= ExpiresAt(kv.second); });
}

bool CsrfMatches(const SessionView& session, std::string_view header_value) {
  if (session.csrf_token.empty() || header_value.size() != session.csrf_token.size()) return false;
  return sodium_memcmp(session.csrf_token.data(), header_value.data(), header_value.size()) == 0;
}

}  // namespace passerelle::service
