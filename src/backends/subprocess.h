// backends/subprocess — a child program in its own process group, talked to in lines.
// Contract: spawn() forks and execs argv with stdin/stdout as pipes (stderr to a file or
// inherited), in a new process group so that kill_group() also ends anything it started;
// read_line() waits until a deadline and never blocks past it; the destructor kills the group
// and reaps the child, so no worker outlives its owner.  SIGPIPE must be ignored by the owner
// (write_line() reports a dead child as sb::Error instead).
#pragma once
#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::backends {

class Subprocess {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::vector<std::string> argv;                 // argv[0] is the program path (or a name in PATH)
    std::map<std::string, std::string> env;        // added to / overriding the parent's env
    std::string stderr_path;                       // "" = inherit the parent's stderr
    std::uint64_t address_space_limit_bytes = 0;   // RLIMIT_AS for the child; 0 = unchanged
  };
  struct ExitInfo {
    bool exited = false;        // normal exit (code valid)
    int code = 0;
    int signal = 0;             // terminating signal when !exited
    bool killed_by_us = false;  // kill_group() was called before it ended
    std::int64_t max_rss_bytes = 0;  // from wait4's rusage
    std::string describe() const;    // "exit code 3", "signal 11 (Segmentation fault)"
  };
  enum class ReadStatus { kLine, kTimeout, kEof };

  explicit Subprocess(const Options& options);   // throws sb::Error when fork/exec setup fails
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // Writes line + '\n' to the child's stdin; throws sb::Error when the child is gone.
  void write_line(const std::string& line);
  void close_stdin();
  // Reads one line (without '\n') from the child's stdout, waiting until `deadline`.
  ReadStatus read_line(std::string& line, Clock::time_point deadline);
  // Sends `sig` to the whole process group.
  void kill_group(int sig = 9);
  // Waits for the child (blocking) and returns how it ended; idempotent.
  ExitInfo wait();
  // Waits at most `timeout`; nullopt if still running.
  std::optional<ExitInfo> wait_for(std::chrono::milliseconds timeout);
  // Last bytes (up to `max_bytes`) of the stderr file, when stderr_path was set.
  std::string stderr_tail(std::size_t max_bytes = 2000) const;

 private:
  std::optional<ExitInfo> reap(bool block);
  pid_t pid_ = -1;
  int stdin_fd_ = -1, stdout_fd_ = -1;
  std::string buffer_;
  bool eof_ = false;
  bool killed_ = false;
  std::optional<ExitInfo> exit_;
  std::string stderr_path_;
};

}  // namespace sb::backends
