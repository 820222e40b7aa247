// bench/study — study files (TOML): what to run, validated before anything runs.
// Contract: load_study() parses and validates the whole file; every problem is an sb::Error
// "<file>:<line>:<column>: <problem>" naming the key and what was expected (unknown key,
// unknown backend or precision, a precision or device the backend does not declare, batch 0,
// N < 2, S + N > n_positions, a model folder that does not exist, ...).  A Study that loaded
// is runnable as far as the file can tell; what the machine lacks (a GPU, ONNX Runtime) shows
// up later as `unsupported` cells.  The reference is docs/formats.md ("Study files").
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::bench {

struct ScenarioDef {
  std::string name;
  int batch = 0;
  int prompt_len = 0;
};
// The six scenarios of the original study, in its order.
const std::vector<ScenarioDef>& builtin_scenarios();

struct ModelEntry {
  std::string id;     // the name records use
  std::string spec;   // for sb::model::load_model (folders resolved to absolute paths)
};

struct BackendEntry {
  std::string name;                      // canonical (aliases resolved)
  std::vector<std::string> precisions;
  std::vector<std::string> devices;
  std::vector<nlohmann::json> options;   // one group per options object
};

struct Study {
  std::filesystem::path path;            // as given
  std::string text;                      // the file's exact text (kept in the manifest)
  std::string sha256;                    // of text
  std::string name;
  std::string description;
  std::string out;                       // output folder from the file ("" = none)
  std::vector<ModelEntry> models;
  std::vector<BackendEntry> backends;
  std::vector<ScenarioDef> scenarios;    // selected, in file order
  std::vector<std::string> phases;       // "prefill", "decode"
  int repetitions = 5;
  int warmup = 3;
  int new_tokens = 32;
  double load_timeout_s = 900;
  double cell_timeout_s = 300;
  std::uint64_t memory_limit_mb = 0;     // RLIMIT_AS per worker; 0 = none
  std::uint64_t seed = 0;
  std::uint64_t prompt_seed = 0, order_seed = 0, weights_seed = 0;
  nlohmann::json report = nlohmann::json::object();    // baseline_backend, exclude_outliers, price_per_hour_usd
  nlohmann::json accuracy = nlohmann::json::object();  // passed through to the accuracy engineer's code
};

Study load_study(const std::filesystem::path& path);
// `where` names the file in messages; relative model folders resolve against base_dir.
Study parse_study(const std::string& text, const std::string& where,
                  const std::filesystem::path& base_dir);

}  // namespace sb::bench
