// The Server-Sent Events half of a Session (event_stream.h): once a route answered with
// an event-stream response, the session stops reading requests, subscribes to the
// service's ChangeFeed and writes what it is told on its strand. The feed's callback
// only formats and posts, so commits never wait on a client.
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "node/http/auth.h"
#include "node/http/errors.h"
#include "node/http/event_stream.h"
#include "node/http/session.h"
#include "node/service/change_feed.h"
#include "node/service/record_service.h"
#include "node/service/sessions.h"

namespace passerelle::http {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void Session::StartEventStream(const Request& request, const Response& response) {
  if (closing_) return;
  events_session_ = SessionCookieOf(request);
  // The route let the request through, so its session was live a moment ago.
  if (deps_->sessions != nullptr)
    events_user_ = deps_->sessions->LiveUser(events_session_, NowMs(*deps_)).value_or("");
  if (!registry_->StreamOpened(events_user_)) {
    return Send(ErrorResponse(Status(Code::kResourceExhausted,
                                     "this user has " + std::to_string(kMaxStreamsPerUser) +
                                         " event streams open already"),
                              response.version(), false, 429),
                After::kClose);
  }
  events_counted_ = true;
  std::weak_ptr<Session> weak = weak_from_this();
  auto executor = stream_.get_executor();
  subscription_ = deps_->service->changes().Subscribe(
      [weak, executor](const std::vector<service::Change>& changes) {
        auto self = weak.lock();
        if (!self) return;
        net::post(executor, [self, text = FormatChangeEvents(changes)]() mutable {
          self->QueueEvents(std::move(text));
        });
      });
  if (subscription_ == 0) {
    ReleaseStream();
    return Send(ErrorResponse(Status(Code::kUnavailable, "too many open event streams; try again later"),
                              response.version(), false, 503),
                After::kClose);
  }
  // The client sends nothing more: any read completion (EOF, reset) ends the stream.
  // The read starts before any write, with no time limit: Beast arms a read's timer
  // when the read starts and later expires_after calls leave a pending read's alone,
  // so a read started after a write's expires_after would end the stream at that time.
  stream_.expires_never();
  drain_.resize(512);
  stream_.async_read_some(net::buffer(drain_),
                          [self = shared_from_this()](beast::error_code, size_t) { self->CloseEvents(); });
  keep_alive_ = std::make_unique<net::steady_timer>(stream_.get_executor());
  QueueEvents(EventStreamHead(response));
  ArmKeepAlive();
}

void Session::QueueEvents(std::string text) {
  if (subscription_ == 0) return;
  events_pending_ += text;
  if (events_pending_.size() > kMaxPendingEventBytes) return CloseEvents();  // not reading
  if (!events_write_busy_) WriteEvents();
}

void Session::WriteEvents() {
  events_writing_ = std::move(events_pending_);
  events_pending_.clear();
  events_write_busy_ = true;
  stream_.expires_after(limits_.write_timeout);
  net::async_write(stream_, net::buffer(events_writing_),
                   [self = shared_from_this()](beast::error_code ec, size_t) {
                     self->events_write_busy_ = false;
                     if (ec) return self->CloseEvents();
                     self->stream_.expires_never();
                     if (self->subscription_ != 0 && !self->events_pending_.empty()) self->WriteEvents();
                   });
}

void Session::ArmKeepAlive() {
  keep_alive_->expires_after(deps_->event_keep_alive);
  keep_alive_->async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->subscription_ == 0) return;
    // Logged out, expired or ended by an account change: so does the stream.
    const Deps& deps = *self->deps_;
    if (deps.sessions != nullptr && !deps.sessions->LiveUser(self->events_session_, NowMs(deps)))
      return self->CloseEvents();
    self->QueueEvents(": keep-alive\n\n");
    self->ArmKeepAlive();
  });
}

void Session::ReleaseStream() {
  if (!events_counted_) return;
  events_counted_ = false;
  registry_->StreamClosed(events_user_);
}

void Session::CloseEvents() {
  if (subscription_ == 0) return;
  deps_->service->changes().Unsubscribe(subscription_);
  subscription_ = 0;
  ReleaseStream();
  closing_ = true;
  if (keep_alive_) keep_alive_->cancel();
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace passerelle::http
