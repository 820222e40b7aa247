// tests/engine/golden_fixtures — where the golden fixtures and their models live.
// Random-init models are committed beside their golden.sbg (tests/fixtures/golden/<name>/);
// the trained pydoc-gpt2-8m is read from env SCALEBENCH_PYDOC_MODEL or
// <source>/../shared/models/pydoc-gpt2-8m (never copied into the repo).
#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace sb::testing {

inline std::filesystem::path fixtures_dir() {
  return std::filesystem::path(SB_SOURCE_DIR) / "tests" / "fixtures" / "golden";
}

inline const char* kPydocName = "pydoc-gpt2-8m";

// Empty when the trained model is not on this machine (tests then GTEST_SKIP with a message).
inline std::filesystem::path pydoc_model_dir() {
  if (const char* env = std::getenv("SCALEBENCH_PYDOC_MODEL"); env && *env) {
    return std::filesystem::exists(std::filesystem::path(env) / "model.safetensors") ? env : "";
  }
  auto p = std::filesystem::path(SB_SOURCE_DIR) / ".." / "shared" / "models" / kPydocName;
  return std::filesystem::exists(p / "model.safetensors") ? p : std::filesystem::path();
}

inline std::vector<std::string> golden_fixture_names() {
  return {"rand-l3-h2-e128", "rand-l2-h3-e144-d48", "rand-tiny-l2-h2-e8", kPydocName};
}

// The model folder of a fixture (empty for pydoc when absent).
inline std::filesystem::path golden_model_dir(const std::string& name) {
  return name == kPydocName ? pydoc_model_dir() : fixtures_dir() / name;
}

inline std::filesystem::path golden_file_path(const std::string& name) {
  return fixtures_dir() / name / "golden.sbg";
}

}  // namespace sb::testing
