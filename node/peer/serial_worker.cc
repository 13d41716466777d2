#include "node/peer/serial_worker.h"

namespace passerelle::peer {

SerialWorker::SerialWorker() : thread_([this] { Loop(); }) {}

SerialWorker::~SerialWorker() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !job_; });
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SerialWorker::Submit(std::function<void()> job) {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !job_; });
    job_ = std::move(job);
  }
  cv_.notify_all();
}

void SerialWorker::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !job_; });
}

void SerialWorker::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || job_; });
    if (!job_) return;  // stopping and idle
    lock.unlock();
    job_();  // job_ is only replaced once it is reset below
    lock.lock();
    job_ = nullptr;
    cv_.notify_all();
  }
}

}  // namespace passerelle::peer
