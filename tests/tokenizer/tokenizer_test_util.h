// Shared helpers of the tokenizer tests: the default GPT-2 tokenizer (loaded once), the npm
// gpt-3-encoder reference run through node, and a scratch folder.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace sb::tokenizer::testing {

// Loaded once per process; GTEST_SKIP-worthy failure is reported through default_error().
const Tokenizer* default_tokenizer();
const std::string& default_error();

// Runs tests/tokenizer/encoder_ref.js over `cases` with node.  Returns nullopt and sets
// *why when node (or the gpt-3-encoder package) is missing; a failing node run is a test
// failure reported through *why as well (the caller distinguishes by `missing`).
struct NodeResult {
  std::vector<std::vector<std::int64_t>> ids;  // -1 where Encoder.js produced undefined
  std::vector<std::vector<std::string>> pieces;  // its regex's matches, in order
};
std::optional<NodeResult> run_encoder_js(const std::vector<std::string>& cases, std::string* why,
                                         bool* missing);

// A fresh empty folder under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string hex_escape(const std::string& s);  // for readable failure messages

}  // namespace sb::tokenizer::testing
