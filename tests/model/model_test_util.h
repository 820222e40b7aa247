// Helpers for the model tests: scratch folders, raw safetensors crafting, error matching.
#pragma once
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <fstream>
#include <initializer_list>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "model/safetensors.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::model::testing {

// A fresh folder under the test temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("sb_model_" + std::to_string(::getpid()) + "_" + (info ? info->name() : "x") + "_" +
             std::to_string(counter++));
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

inline void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

// Splits a safetensors file into (header JSON, data buffer).
inline std::pair<nlohmann::json, std::string> split_safetensors(const std::filesystem::path& p) {
  const std::string bytes = sb::read_file(p);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  return {nlohmann::json::parse(bytes.substr(8, n)), bytes.substr(8 + n)};
}

// Rewrites a safetensors file with `header_text` (raw, so it may be invalid) and `data`.
inline void write_raw_safetensors(const std::filesystem::path& p, const std::string& header_text,
                                  const std::string& data) {
  write_bytes(p, le64(header_text.size()) + header_text + data);
}

// Runs f, expects an sb::Error whose message contains every fragment.
inline void expect_error(const std::function<void()>& f,
                         std::initializer_list<std::string> fragments) {
  try {
    f();
    ADD_FAILURE() << "expected sb::Error, nothing was thrown";
  } catch (const sb::Error& e) {
    const std::string msg = e.what();
    for (const auto& frag : fragments)
      EXPECT_THAT(msg, ::testing::HasSubstr(frag)) << "full message: " << msg;
  }
}

}  // namespace sb::model::testing
