// accuracy/accuracy — `scalebench accuracy` and the study runner's [accuracy] section.
// Contract:
//  - run_accuracy() loads the model once, reads the corpus (corpus.h), tokenizes it once, builds
//    the reference engine (default native-cpu:fp32) and every candidate through an
//    EngineFactory, evaluates them in lockstep (evaluate.h) and returns one AccuracyRow per
//    (model, backend, precision): the reference's own row (role "reference") unless a candidate
//    is the same backend:precision, then one per candidate.  Rows serialize to the
//    accuracy.jsonl schema of CONTRACTS.md / docs/formats.md ("scalebench.accuracy/1").
//  - Failures are recorded, never fatal for the others: a candidate that cannot be built or
//    fails mid-run gets status "failed" with the error; a failed reference gets status
//    "failed" and every candidate keeps its perplexity with verdict not_checked.
//  - Bad input that makes the whole run meaningless (empty corpus, < 2 tokens, invalid UTF-8,
//    stride 0 or > max_length, max_length > n_positions) throws sb::Error before any engine runs.
//  - model_trained is false for synthetic specs; the verdict reason then says so.
//  - External backends (transformers-eager/-compile, external) serve logits through their worker
//    program: all-position logits for perplexity; greedy continuations through the worker's
//    `generate` op when it declares capabilities.greedy (one request per continuation, its own KV
//    cache), else through last-position logits of the growing sequence (one request per token).
//    They may be the reference too.
//  - Progress and cost go to RunHooks::log: each engine's build, every perplexity batch and
//    greedy continuation with its wall time, and a per-engine summary (evaluate.h).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "accuracy/corpus.h"
#include "accuracy/evaluate.h"
#include "accuracy/gates.h"
#include "engine/engine.h"
#include "model/weights.h"

namespace sb::accuracy {

inline constexpr const char* kAccuracySchema = "scalebench.accuracy/1";

struct BackendSpec {
  std::string backend;                                  // native-cpu, native-cuda, ...
  std::string precision = "fp32";
  nlohmann::json options = nlohmann::json::object();    // backend options (threads, ...)
  std::string device;                                   // "" = the backend's default
  std::string label() const { return backend + ":" + precision; }
};
// "native-cpu:fp32" or "native-cpu" (precision fp32); throws sb::UsageError when malformed.
BackendSpec parse_backend_spec(const std::string& text);

struct AccuracyConfig {
  std::string model;                                    // spec: preset, shape:..., or folder
  std::string model_id;                                 // name in rows ("" = derived from spec)
  std::uint64_t weights_seed = 0;                       // synthetic weights
  std::vector<BackendSpec> candidates;
  BackendSpec reference{"native-cpu", "fp32", nlohmann::json::object(), ""};
  std::filesystem::path corpus;                         // file or folder
  CorpusOptions corpus_options;
  std::filesystem::path tokenizer_dir;                  // "" = model folder if it has one, else default
  std::optional<int> max_length;                        // absent = n_positions
  std::optional<int> stride;                            // absent = max_length
  int max_batch = 8;
  int threads = 0;                                      // engine + log-softmax threads; 0 = all
  GreedyOptions greedy;
  bool run_greedy = true;
  GatePolicy gates = GatePolicy::defaults();
  // External backends (the transformers worker) read Hugging Face folders: a synthetic model is
  // written once as <artifacts_dir>/models/<id>-<key>/ (the runner's layout, so a study reuses
  // the folder its speed cells used); "" = a folder under the system temp directory.
  std::filesystem::path artifacts_dir;
};

// What an engine factory gets: the loaded weights (fp32, host) and the run's settings.
struct EngineContext {
  const model::GptWeights* weights = nullptr;
  const AccuracyConfig* config = nullptr;
  std::string device;                                   // filled by the factory when known
};
using EngineFactory =
    std::function<std::unique_ptr<engine::Engine>(const BackendSpec&, EngineContext&)>;

// native-cpu (any precision the registry offers; fp32 directly through make_cpu_engine),
// emulated-cpu (native CPU fp32 engine on weights rounded by round_weights(), for gate
// calibration and demos), and — when the backend registry is linked — every registered backend
// that declares all-position logits.
EngineFactory default_engine_factory();
// Names the default factory serves (for --help and error messages).
std::vector<std::string> default_factory_backends();

struct AccuracyRow {
  std::string model, backend, precision, device, role = "candidate";
  nlohmann::json options = nlohmann::json::object();
  std::string status = "ok", error;
  std::string reference_backend, reference_precision;
  std::string corpus_path, corpus_sha256;
  std::uint64_t corpus_bytes = 0;
  std::string tokenizer_sha256;
  int window = 0, stride = 0;
  std::int64_t n_tokens = 0;
  std::optional<std::int64_t> tokens_counted;
  std::optional<double> nll_sum, ppl, ppl_rel_delta;
  std::optional<ComparisonResult> comparison;
  std::optional<GreedyResult> greedy;
  std::string greedy_skipped;
  std::optional<Gate> gate;
  std::string verdict = "not_checked", verdict_reason;
  bool model_trained = true;
  std::optional<double> eval_seconds, tokens_per_s;
  std::string engine_description;

  nlohmann::json to_json() const;
};

struct RunHooks {
  EngineFactory factory;                                // empty = default_engine_factory()
  std::function<void(const std::string&)> log;          // progress lines (stderr in the CLI)
};

// Whole run from files: model, tokenizer, corpus.
std::vector<AccuracyRow> run_accuracy(const AccuracyConfig& config, const RunHooks& hooks = {});

// Everything after loading (tests call this with in-memory tokens and fake engines).
struct AssessInputs {
  std::string model_id;
  bool model_trained = true;
  const model::GptWeights* weights = nullptr;           // may be null for factories that ignore it
  int n_positions = 0;                                  // for max_length defaults/checks
  std::vector<std::int32_t> tokens;
  Corpus corpus;                                        // text may be empty (only metadata used)
  std::string tokenizer_sha256;
};
std::vector<AccuracyRow> assess(const AssessInputs& inputs, const AccuracyConfig& config,
                                const RunHooks& hooks);

// Appends rows to `path` (one JSON line each, fsynced), creating it when absent.
void append_accuracy_rows(const std::filesystem::path& path, const std::vector<AccuracyRow>& rows);
// A short fixed-width table for the terminal.
std::string format_accuracy_table(const std::vector<AccuracyRow>& rows);

}  // namespace sb::accuracy
