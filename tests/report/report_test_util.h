// Helpers shared by the report tests (one test executable): a per-test temporary folder, a copy
// of the golden run's inputs, and report options without gnuplot.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "report/report.h"

namespace sb::report::testing {

namespace fs = std::filesystem;

inline const fs::path kGoldenDir = fs::path(SB_SOURCE_DIR) / "tests/report/golden";

// A fresh folder named after the tag, the process and the running test; removed at the end.
class TestDir {
 public:
  explicit TestDir(const std::string& tag) {
    dir_ = fs::temp_directory_path() /
           fmt::format("sb_{}_{}_{}", tag, getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TestDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  const fs::path& path() const { return dir_; }

 private:
  fs::path dir_;
};

// The golden run's inputs (manifest, records, accuracy rows) copied into `to`.
inline void copy_golden_run(const fs::path& to) {
  for (const char* f : {"manifest.json", "records.jsonl", "accuracy.jsonl"})
    fs::copy_file(kGoldenDir / "run" / f, to / f);
}

inline ReportOptions no_figures() {
  ReportOptions o;
  o.figures = false;
  return o;
}

}  // namespace sb::report::testing
