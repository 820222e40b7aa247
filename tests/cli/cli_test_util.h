// Helpers for end-to-end CLI tests: run the real scalebench binary and capture what it says.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sb::cli::testing {

struct RunResult {
  int exit_code = -1;          // -1 when the process did not exit normally (signal)
  std::string out, err;
};

// A fresh folder under the test temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("sb_cli_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

 private:
  std::filesystem::path path_;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs SB_BINARY with `args` (no shell), stdout and stderr captured separately.
inline RunResult run_scalebench(const std::vector<std::string>& args) {
  ScratchDir tmp;
  const auto out_path = tmp / "stdout", err_path = tmp / "stderr";
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* o = std::freopen(out_path.c_str(), "w", stdout);
    std::FILE* e = std::freopen(err_path.c_str(), "w", stderr);
    if (!o || !e) std::_Exit(127);
    std::vector<char*> argv;
    std::string bin = SB_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    std::_Exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

}  // namespace sb::cli::testing
