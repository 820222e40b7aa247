#include "backends/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "util/error.h"

extern char** environ;

namespace sb::backends {

std::string Subprocess::ExitInfo::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  const char* name = ::strsignal(signal);
  return "signal " + std::to_string(signal) + " (" + (name ? name : "?") + ")";
}

Subprocess::Subprocess(const Options& options) : stderr_path_(options.stderr_path) {
  if (options.argv.empty()) fail("Subprocess: empty argv");
  // Everything the child needs is prepared before fork: only async-signal-safe calls follow.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    auto eq = s.find('=');
    std::string key = s.substr(0, eq);
    if (options.env.count(key)) continue;
    env_strings.push_back(std::move(s));
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, argv;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = options.argv;
  for (auto& s : argv_copy) argv.push_back(s.data());
  argv.push_back(nullptr);

  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) fail("pipe failed ({})", std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    fail("pipe failed ({})", std::strerror(errno));
  }
  int err_fd = -1;
  if (!options.stderr_path.empty()) {
    err_fd = ::open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (err_fd < 0)
      fail("{}: cannot open worker log ({})", options.stderr_path, std::strerror(errno));
  }
  // exec failure is reported through this pipe (CLOEXEC: closed silently on success).
  int status_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0) fail("pipe failed ({})", std::strerror(errno));

  const bool search_path = options.argv[0].find('/') == std::string::npos;
  rlimit as_limit{};
  as_limit.rlim_cur = as_limit.rlim_max = options.address_space_limit_bytes;

  pid_t pid = ::fork();
  if (pid < 0) fail("fork failed ({})", std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    if (err_fd >= 0) ::dup2(err_fd, 2);
    ::signal(SIGPIPE, SIG_DFL);
    if (options.address_space_limit_bytes > 0) ::setrlimit(RLIMIT_AS, &as_limit);
    if (search_path)
      ::execvpe(argv[0], argv.data(), envp.data());
    else
      ::execve(argv[0], argv.data(), envp.data());
    int e = errno;
    ssize_t ignored = ::write(status_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  // Parent: also set the group from here so kill_group() works even before the child ran.
  ::setpgid(pid, pid);
  pid_ = pid;
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(status_pipe[1]);
  if (err_fd >= 0) ::close(err_fd);
  stdin_fd_ = in_pipe[1];
  stdout_fd_ = out_pipe[0];
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(status_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(status_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    reap(true);
    ::close(stdin_fd_);
    ::close(stdout_fd_);
    stdin_fd_ = stdout_fd_ = -1;
    fail("cannot start '{}': {}", options.argv[0], std::strerror(child_errno));
  }
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !exit_) {
    kill_group(SIGKILL);
    reap(true);
  }
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

void Subprocess::write_line(const std::string& line) {
  if (stdin_fd_ < 0) fail("worker stdin is closed");
  std::string buf = line;
  buf.push_back('\n');
  const char* p = buf.data();
  std::size_t left = buf.size();
  while (left > 0) {
    ssize_t n = ::write(stdin_fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write to worker (pid {}): {}", pid_, std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void Subprocess::close_stdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

Subprocess::ReadStatus Subprocess::read_line(std::string& line, Clock::time_point deadline) {
  for (;;) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return ReadStatus::kLine;
    }
    if (eof_) {
      if (!buffer_.empty()) {  // a last line without '\n' (the writer died mid-line)
        line = std::move(buffer_);
        buffer_.clear();
        return ReadStatus::kLine;
      }
      return ReadStatus::kEof;
    }
    auto now = Clock::now();
    if (now >= deadline) return ReadStatus::kTimeout;
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(wait_ms + 1, 1000 * 60)));
    if (r < 0) {
      if (errno == EINTR) continue;
      fail("poll on worker pipe failed ({})", std::strerror(errno));
    }
    if (r == 0) continue;
    char chunk[65536];
    ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      eof_ = true;
      continue;
    }
    if (n == 0) {
      eof_ = true;
      continue;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

void Subprocess::kill_group(int sig) {
  if (pid_ <= 0 || exit_) return;
  killed_ = true;
  ::kill(-pid_, sig);
  ::kill(pid_, sig);  // in case the child has not reached setpgid yet
}

std::optional<Subprocess::ExitInfo> Subprocess::reap(bool block) {
  if (exit_) return exit_;
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  rusage ru{};
  pid_t r;
  do {
    r = ::wait4(pid_, &status, block ? 0 : WNOHANG, &ru);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return std::nullopt;
  ExitInfo info;
  if (r < 0) {
    info.exited = true;
    info.code = -1;
  } else if (WIFEXITED(status)) {
    info.exited = true;
    info.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    info.signal = WTERMSIG(status);
  }
  info.killed_by_us = killed_;
  info.max_rss_bytes = static_cast<std::int64_t>(ru.ru_maxrss) * 1024;  // Linux: kilobytes
  // Anything left in the group (grandchildren) goes with it.
  ::kill(-pid_, SIGKILL);
  exit_ = info;
  return exit_;
}

Subprocess::ExitInfo Subprocess::wait() { return *reap(true); }

std::optional<Subprocess::ExitInfo> Subprocess::wait_for(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto e = reap(false)) return e;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string Subprocess::stderr_tail(std::size_t max_bytes) const {
  if (stderr_path_.empty()) return {};
  std::ifstream in(stderr_path_, std::ios::binary | std::ios::ate);
  if (!in) return {};
  auto size = static_cast<std::size_t>(in.tellg());
  std::size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string s(size - start, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return s;
}

}  // namespace sb::backends
