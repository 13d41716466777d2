#include "tests/federation/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace passerelle::testing {
namespace {

// How often waits look at the log or the process again.
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr const char* kSetpriv = "/usr/bin/setpriv";

long FileSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<long>(in.tellg()) : 0;
}

int ShellStatus(int wstatus) {
  if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
  return -1;
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (Running()) Kill();
}

void ChildProcess::Start(const std::vector<std::string>& argv, const std::string& log_path) {
  if (pid_ > 0 && Running()) throw std::runtime_error("process already running: " + argv[0]);
  log_path_ = log_path;
  log_offset_ = FileSize(log_path);
  exit_status_ = -1;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // The child starts with default signal handling and nothing blocked, whatever the test
  // runner changed (the node blocks SIGINT/SIGTERM itself and takes them with sigwait).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  // Through setpriv (util-linux, in every Debian) the child is killed when the test
  // process dies, so a test killed by ctest's timeout leaves no node running.
  std::vector<std::string> full;
  if (::access(kSetpriv, X_OK) == 0) full = {kSetpriv, "--pdeathsig", "KILL", "--"};
  full.insert(full.end(), argv.begin(), argv.end());
  std::vector<char*> args;
  for (const auto& a : full) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int rc = posix_spawn(&pid_, full[0].c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
}

int ChildProcess::Reap(bool block) {
  if (pid_ <= 0) return exit_status_;
  int wstatus = 0;
  pid_t r = waitpid(pid_, &wstatus, block ? 0 : WNOHANG);
  if (r == pid_) {
    exit_status_ = ShellStatus(wstatus);
    pid_ = -1;
    return exit_status_;
  }
  if (r < 0) pid_ = -1;  // not our child any more (already reaped)
  return -1;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  Reap(false);
  return pid_ > 0;
}

bool ChildProcess::WaitForLogLine(const std::string& text, std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    std::string log = LogSinceStart();
    size_t at = log.find(text);
    // A whole line: the text is followed by the end of its line.
    if (at != std::string::npos && log.find('\n', at) != std::string::npos) return true;
    if (!Running() || std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(kPoll);
  }
}

int ChildProcess::Wait(std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (Running()) {
    if (std::chrono::steady_clock::now() > until) return -1;
    std::this_thread::sleep_for(kPoll);
  }
  return exit_status_;
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!Running()) return -1;
  ::kill(pid_, SIGTERM);
  int status = Wait(grace);
  if (status != -1) return status;
  Kill();
  return exit_status_;
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  Reap(true);
}

std::string ChildProcess::LogSinceStart() const {
  std::ifstream in(log_path_, std::ios::binary);
  if (!in) return {};
  in.seekg(log_offset_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunCommand(const std::vector<std::string>& argv, const std::string& log_path,
               std::chrono::milliseconds deadline) {
  ChildProcess p;
  p.Start(argv, log_path);
  int status = p.Wait(deadline);
  if (status == -1) p.Kill();
  return status;
}

}  // namespace passerelle::testing
