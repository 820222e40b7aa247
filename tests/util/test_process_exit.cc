// sb::exit_without_teardown: the exit code is the one given, buffered C and C++ output reaches its
// files, and no static destructor runs (the point of it: ONNX Runtime's threads race them).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "util/process_exit.h"

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("sb_test_util_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A static object whose destructor leaves a mark: exit() runs it, exit_without_teardown must not.
struct MarksItsDestruction {
  fs::path mark;
  ~MarksItsDestruction() {
    if (!mark.empty()) std::ofstream(mark) << "destroyed";
  }
};
MarksItsDestruction g_marker;

[[noreturn]] void child(const fs::path& mark, const fs::path& out, int rc, bool teardown) {
  g_marker.mark = mark;
  std::FILE* f = std::fopen(out.c_str(), "w");
  if (f == nullptr) std::_Exit(90);
  std::fputs("buffered line\n", f);  // fully buffered, never closed: only a flush writes it
  if (teardown) std::exit(rc);
  sb::exit_without_teardown(rc);
}

}  // namespace

TEST(ProcessExit, KeepsTheCodeFlushesOutputAndSkipsStaticDestructors) {
  const auto mark = scratch("mark"), out = scratch("out");
  fs::remove(mark);
  fs::remove(out);
  EXPECT_EXIT(child(mark, out, 3, false), ::testing::ExitedWithCode(3), "");
  EXPECT_EQ(slurp(out), "buffered line\n");
  EXPECT_FALSE(fs::exists(mark)) << "a static destructor ran";
}

// The control: the same child through std::exit does run the destructor, so the check above can
// tell the two apart.
TEST(ProcessExit, OrdinaryExitRunsStaticDestructorsTheControl) {
  const auto mark = scratch("mark2"), out = scratch("out2");
  fs::remove(mark);
  fs::remove(out);
  EXPECT_EXIT(child(mark, out, 0, true), ::testing::ExitedWithCode(0), "");
  EXPECT_TRUE(fs::exists(mark));
  EXPECT_EQ(slurp(out), "buffered line\n");
}
