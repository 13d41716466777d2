// SerialWorker: one thread that runs jobs one at a time, in the order submitted.
// Submit() first waits for the previous job to finish, so at most one job runs and
// none waits in a queue: the caller prepares the next job while the current one runs.
// Wait() returns when the last submitted job is done; the destructor waits and joins.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace passerelle::peer {

class SerialWorker {
 public:
  SerialWorker();
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  void Submit(std::function<void()> job);
  void Wait();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;  // Guarded by mu_: the job to run or running; empty: idle
  bool stopping_ = false;      // Guarded by mu_
  std::thread thread_;         // started last, after the members it uses
};

}  // namespace passerelle::peer
