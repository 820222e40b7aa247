// tests/engine/golden_file — reader of the SBGOLDEN fixture format (tests/fixtures/README.md),
// written by tests/fixtures/make_golden.py from Hugging Face transformers' own numbers.
// Contract: load() validates magic, version, JSON header, and that every tensor lies inside the
// file with nbytes == prod(shape) * 4; any violation throws sb::Error naming the file.
// Usable by any engine's tests (CPU, CUDA, ONNX Runtime): nothing here depends on an engine.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::testing {

struct GoldenTensor {
  std::string dtype;                  // "F32" or "I32"
  std::vector<std::int64_t> shape;
  std::vector<float> f32;             // filled when dtype == F32
  std::vector<std::int32_t> i32;      // filled when dtype == I32
  std::int64_t elements() const;
};

// One prompt batch: prefill + decode_steps greedy steps, as HF computed them.
struct GoldenCase {
  std::string name;                   // "b1", "b3"
  int batch = 0, prompt_len = 0, decode_steps = 0;
  bool prefill_all_positions = false; // prefill logits [B, S, K] (else [B, K], last position)
  bool column_subset = false;         // logits hold K chosen columns, ids in *_logit_columns
  const GoldenTensor* prompt_tokens = nullptr;          // I32 [B, S]
  const GoldenTensor* prefill_logits = nullptr;         // F32 [B, S, K] or [B, K]
  const GoldenTensor* prefill_logit_columns = nullptr;  // I32, same shape (subset only)
  const GoldenTensor* prefill_next = nullptr;           // I32 [B]
  const GoldenTensor* decode_tokens = nullptr;          // I32 [T, B]: inputs of step t
  const GoldenTensor* decode_logits = nullptr;          // F32 [T, B, K]
  const GoldenTensor* decode_logit_columns = nullptr;   // I32 [T, B, K] (subset only)
  const GoldenTensor* decode_next = nullptr;            // I32 [T, B]
};

class GoldenFile {
 public:
  static constexpr char kMagic[9] = "SBGOLDEN";
  static constexpr std::uint32_t kVersion = 1;

  static GoldenFile load(const std::filesystem::path& path);

  const nlohmann::json& header() const { return header_; }
  const std::vector<GoldenCase>& cases() const { return cases_; }
  const GoldenTensor& tensor(const std::string& name) const;
  std::string model_sha256() const { return header_.at("model").at("weights_sha256"); }

 private:
  std::filesystem::path path_;
  nlohmann::json header_;
  std::map<std::string, GoldenTensor> tensors_;
  std::vector<GoldenCase> cases_;
};

}  // namespace sb::testing
