// A child process for the multi-node tests: started with posix_spawn, stdout and stderr
// appended to a log file, stopped with SIGTERM (then SIGKILL after a deadline) or killed
// with SIGKILL. The destructor kills and reaps a process still running, and the child
// gets SIGKILL if the test process dies first. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace passerelle::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (a path) with `argv`; output is appended to `log_path`. Throws
  // std::runtime_error when the process cannot be started. Precondition: not running.
  void Start(const std::vector<std::string>& argv, const std::string& log_path);

  // Waits until the log, from where this start began, has a line containing `text`.
  // False when the deadline passes or the process exits first.
  bool WaitForLogLine(const std::string& text, std::chrono::milliseconds deadline);

  bool Running();
  pid_t pid() const { return pid_; }
  // SIGTERM, then SIGKILL if still running after `grace`; returns the exit status as
  // a shell shows it (128 + signal when killed), -1 when it was not running.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(20));
  // SIGKILL and reap (kill -9): the process gets no chance to clean up.
  void Kill();
  // Waits for the process to exit by itself; -1 on timeout (it keeps running).
  int Wait(std::chrono::milliseconds deadline);

  // The log's text written since the last Start() (for failure messages).
  std::string LogSinceStart() const;

 private:
  int Reap(bool block);  // exit status if it exited, -1 if still running

  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::string log_path_;
  long log_offset_ = 0;  // size of the log when this start began
};

// Runs a command to completion (output to `log_path`); returns its exit status, or -1
// when it is still running at the deadline (it is then killed).
int RunCommand(const std::vector<std::string>& argv, const std::string& log_path,
               std::chrono::milliseconds deadline);

}  // namespace passerelle::testing
