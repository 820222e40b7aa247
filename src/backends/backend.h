// backends/backend — what a worker drives: one model on one backend, precision and device.
// Contract:
//  - A Backend is created by the registry (registry.h) for a name, then load()ed exactly once
//    with a LoadRequest; load() returns how long loading (and, separately, building or
//    exporting artifacts) took.  Nothing is timed by the backend itself: the worker's timing
//    loop (bench/timing.h) owns the clock and calls synchronize() before every clock read.
//  - prefill()/decode()/reset()/synchronize() follow sb::engine::Engine exactly (engine.h):
//    prefill starts fresh sequences and returns the greedy next token of each one on the host;
//    decode appends one token per sequence.  Benchmarks pass LogitsMode::kNone (the backend
//    still computes the last position's LM head, which greedy selection needs).
//  - Optional abilities are declared in Capabilities before anything runs, never discovered by
//    failure: a caller that needs all-position logits checks capabilities().logits_all first.
//  - Errors are sb::Error with the reason; a backend that cannot serve a request at all throws
//    UnsupportedError (the runner records the cell as `unsupported` with that reason).
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "util/error.h"

namespace sb::backends {

using engine::LogitsMode;
using engine::StepResult;

// Thrown when a backend declares it cannot do what was asked (precision, device, option):
// recorded as status `unsupported`, not `failed`.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

struct BackendInfo {
  std::string name;                                   // registry name, e.g. "native-cpu"
  std::string precision;                              // fp32, fp16, bf16, int8, fp8
  std::string device;                                 // "cpu", "cuda:0"
  std::map<std::string, std::string> library_versions;  // {"onnxruntime": "1.29.0", ...}
  std::string description;                            // engine's own description (threads...)
  nlohmann::json to_json() const;
};

// Declared abilities.  Defaults describe the minimum every backend must offer.
struct Capabilities {
  bool stepwise = true;          // prefill()/decode() callable in-process (false: external)
  bool logits_last = true;       // LogitsMode::kLast supported
  bool logits_all = false;       // LogitsMode::kAll supported (perplexity needs it)
  bool kv_cache = true;          // decode reuses a KV cache (false: recomputes the prefix)
  bool reports_device_memory = false;  // peak_device_bytes() returns a value
  int max_batch = 0;             // 0 = no limit beyond LoadRequest::max_batch
  nlohmann::json to_json() const;
};

struct LoadRequest {
  std::string model_id;          // the study's name for the model
  std::string model_spec;        // preset, "shape:..." or folder (sb::model::load_model)
  std::uint64_t weights_seed = 0;  // synthetic weights seed
  std::string precision = "fp32";
  std::string device = "cpu";
  nlohmann::json options = nlohmann::json::object();  // backend options as the study gave them
  std::filesystem::path artifacts_dir;  // where exports/engines are cached ("" = temp folder)
  int max_batch = 1;             // largest batch this worker will be asked for
  int max_seq = 0;               // largest prompt + new tokens (0 = n_positions)
};

struct LoadResult {
  double load_ms = 0;                      // reading/creating weights + creating the engine
  std::optional<double> build_ms;          // export/engine build, when one ran (not cached)
  nlohmann::json artifact;                 // {"kind","path","sha256","bytes","cached",...} or null
  nlohmann::json model;                    // inventory: params, shape, sha256 (manifest "models")
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendInfo info() const = 0;
  virtual Capabilities capabilities() const = 0;
  virtual LoadResult load(const LoadRequest& request) = 0;
  // Model config once loaded (vocabulary size bounds the prompt token ids).
  virtual const model::GptConfig& config() const = 0;
  virtual void prefill(int batch, int seq, std::span<const std::int32_t> tokens,
                       LogitsMode logits, StepResult& out) = 0;
  virtual void decode(std::span<const std::int32_t> tokens, LogitsMode logits,
                      StepResult& out) = 0;
  virtual void reset() = 0;
  virtual void synchronize() = 0;
  // Accuracy path (never timed): logits of a fresh [batch, seq] prompt; kLast -> [batch, vocab],
  // kAll -> [batch, seq, vocab].  The default runs reset() + prefill(); external backends
  // override it (their logits travel through files, docs/formats.md).
  virtual std::vector<float> logits(int batch, int seq, std::span<const std::int32_t> tokens,
                                    LogitsMode mode);
  // Optional hook, called by the worker before each sample, outside the timed region (default:
  // nothing).  Lets a backend label work (profiler ranges) and the test-only fault backend
  // pick the sample it fails on.
  struct SampleContext {
    std::string scenario;
    std::string phase;
    int sample_index = 0;   // among warmups when warmup, else among measured samples
    bool warmup = false;
  };
  virtual void on_sample_start(const SampleContext& context) {}
  // Peak device memory since load, when capabilities().reports_device_memory.
  virtual std::optional<std::int64_t> peak_device_bytes() const { return std::nullopt; }
};

}  // namespace sb::backends
