#include "node/service/change_feed.h"

namespace passerelle::service {

nlohmann::json ChangeToJson(const Change& c) {
  return {{"kind", c.kind}, {"id", c.id},     {"title", c.title}, {"origin", c.origin},
          {"user", c.user}, {"at", c.at},     {"type", c.type},   {"remote", c.remote}};
}

void ChangeFeed::Publish(std::vector<Change> changes) {
  if (changes.empty()) return;
  std::vector<std::shared_ptr<const Callback>> callbacks;
  {
    std::lock_guard lock(mu_);
    size_t skip = changes.size() > kChangeRingSize ? changes.size() - kChangeRingSize : 0;
    for (size_t i = skip; i < changes.size(); ++i) ring_.push_back(changes[i]);
    while (ring_.size() > kChangeRingSize) ring_.pop_front();
    for (const auto& [id, cb] : callbacks_) callbacks.push_back(cb);
  }
  for (const auto& cb : callbacks) (*cb)(changes);
}

std::vector<Change> ChangeFeed::Recent(size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<Change> out;
  for (auto it = ring_.rbegin(); it != ring_.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

uint64_t ChangeFeed::Subscribe(Callback callback) {
  std::lock_guard lock(mu_);
  if (callbacks_.size() >= kMaxChangeSubscribers) return 0;
  uint64_t id = next_id_++;
  callbacks_.emplace(id, std::make_shared<const Callback>(std::move(callback)));
  return id;
}

void ChangeFeed::Unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  callbacks_.erase(id);
}

size_t ChangeFeed::subscribers() const {
  std::lock_guard lock(mu_);
  return callbacks_.size();
}

}  // namespace passerelle::service
