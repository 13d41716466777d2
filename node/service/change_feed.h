// ChangeFeed: what the node committed lately, local and from peers, for the web client:
// a bounded ring of the newest changes (GET /api/v1/changes, the dashboard's recent
// remote changes) and subscriptions told of each commit (Server-Sent Events).
// Thread-safe. Callbacks run on the committing thread, outside the feed's lock, while
// the writer still holds the service's write lock: they must only hand off (post to an
// executor), never block or call back into the service's writes.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace passerelle::service {

struct Change {
  std::string kind, id, title;
  std::string origin, user;   // member that wrote the op; account on that node
  std::string at;             // ISO 8601 UTC from the op's clock
  std::string type;           // create | update | delete
  bool remote = false;        // origin is another member
  uint64_t generation = 0;    // the service's generation after the commit
};
nlohmann::json ChangeToJson(const Change& c);  // {kind,id,title,origin,user,at,type,remote}

constexpr size_t kChangeRingSize = 200;
constexpr size_t kMaxChangeSubscribers = 256;

class ChangeFeed {
 public:
  using Callback = std::function<void(const std::vector<Change>&)>;

  // Records one commit's changes (oldest first) and tells every subscriber.
  void Publish(std::vector<Change> changes);
  // Newest first (in the order published), at most `limit`.
  std::vector<Change> Recent(size_t limit) const;
  // 0 when kMaxChangeSubscribers are already subscribed (the caller refuses the stream).
  uint64_t Subscribe(Callback callback);
  void Unsubscribe(uint64_t id);
  size_t subscribers() const;

 private:
  mutable std::mutex mu_;
  std::deque<Change> ring_;                                        // Guarded by mu_; oldest first
  std::map<uint64_t, std::shared_ptr<const Callback>> callbacks_;  // Guarded by mu_
  uint64_t next_id_ = 1;                                           // Guarded by mu_
};

}  // namespace passerelle::service
