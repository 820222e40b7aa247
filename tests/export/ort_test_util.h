// tests/export: helpers shared by the ONNX Runtime engine tests (test_ort_engine.cc and
// test_ort_static_kv.cc): a per-process scratch folder, the CPU session options of the shared
// development machine, seeded random prompts, and the comparison constants both use.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "backends/ort/ort_engine.h"

namespace sb::ort_test {

inline constexpr double kTolFp32 = 1e-4;  // DESIGN.md: fp32 vs the fp32 oracle, atol = rtol = 1e-4
inline constexpr int kDecodeSteps = 8;

// <tmp>/<prefix>-<pid>/<name>, emptied and created.
inline std::filesystem::path temp_dir(const std::string& prefix, const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

inline sb::engine::OrtEngineOptions cpu_options() {
  sb::engine::OrtEngineOptions o;
  o.threads = 2;  // the shared development machine has 2 cores
  return o;
}

inline std::vector<std::int32_t> random_tokens(int n, int V, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(0, V - 1);
  std::vector<std::int32_t> t(n);
  for (auto& x : t) x = d(rng);
  return t;
}

}  // namespace sb::ort_test
