// `scalebench export onnx`: GPT-2 -> ONNX decoder with KV cache (export/onnx_export.h).
//   --model M            preset, shape:... spec or Hugging Face folder (model/model.h)
//   --dtype fp32|fp16    weights/activations/KV precision (logits are always fp32)
//   --opset 17           the only opset the graph is written for
//   --logits all|last|both   all-position graph model.onnx (accuracy), last-position graph
//                        model_last_logits.onnx (benchmarks), or both (default)
//   --static-kv K        the static_kv variant (a fixed K-slot KV cache, no attention_mask;
//                        model_static_kv<K>[_last_logits].onnx): the graph onnxruntime-cuda's
//                        CUDA graphs replay.  0 (default) = the dynamic-past graph
//   --out DIR            the graphs and export.json (metadata of every file written)
// When ONNX Runtime is linked, every graph is also loaded and run once (1x4 prefill + one
// decode step) on the CPU provider, unless --no-ort-check.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "util/error.h"
#include "util/files.h"
#include "util/version.h"

#ifdef SB_HAVE_ONNX_EXPORT
#include "export/onnx_export.h"
#include "export/optimum_source.h"
#include "model/model.h"
#endif
#ifdef SB_HAVE_ORT
#include "backends/ort/ort_engine.h"
#endif

namespace sb::cli {
namespace {

struct ExportCliOptions {
  std::string model;
  std::string dtype = "fp32";
  int opset = 17;
  std::string logits = "both";
  std::string out;
  std::uint64_t seed = 0;
  std::uint64_t external_threshold = 0;
  bool no_ort_check = false;
  int static_kv = 0;
};

#ifdef SB_HAVE_ONNX_EXPORT
std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Loads the graph in ONNX Runtime and runs a short prefill and one decode step.
nlohmann::json ort_check(const std::filesystem::path& file, const model::GptConfig& cfg, int static_kv) {
#ifdef SB_HAVE_ORT
  engine::OrtEngineOptions o;
  o.record_op_histogram = false;
  auto e = engine::make_ort_engine(file, cfg, o);
  // Prompt + one decode step must fit the position table (and a static_kv graph's K slots).
  const int S = std::max(1, std::min(4, (static_kv > 0 ? static_kv : cfg.n_positions) - 1));
  std::vector<std::int32_t> prompt(S);
  for (int i = 0; i < S; ++i) prompt[i] = i % cfg.vocab_size;
  engine::StepResult r;
  e->prefill(1, S, prompt, engine::LogitsMode::kLast, r);
  e->decode(r.next_tokens, engine::LogitsMode::kLast, r);
  return {{"loaded", true}, {"onnxruntime_version", engine::ort_version()}};
#else
  (void)file, (void)cfg, (void)static_kv;
  return {{"loaded", false}, {"reason", "scalebench was built without ONNX Runtime"}};
#endif
}

void run_export(const ExportCliOptions& c) {
  if (c.dtype != "fp32" && c.dtype != "fp16") throw UsageError("--dtype must be fp32 or fp16, got " + c.dtype);
  if (c.logits != "all" && c.logits != "last" && c.logits != "both") {
    throw UsageError("--logits must be all, last or both, got " + c.logits);
  }
  if (exporter::is_onnx_folder(c.model)) {
    throw UsageError(fmt::format("--model {} already holds an ONNX graph; use it as the model of "
                                 "an onnxruntime backend instead of exporting it", c.model));
  }
  const auto loaded = model::load_model(c.model, c.seed);
  exporter::ExportOptions o;
  o.dtype = c.dtype == "fp16" ? model::DType::F16 : model::DType::F32;
  o.opset = c.opset;
  if (c.external_threshold > 0) o.external_data_threshold_bytes = c.external_threshold;
  o.static_kv_positions = c.static_kv;  // export_onnx checks 0 <= K <= n_positions
  nlohmann::json files = nlohmann::json::array();
  for (const bool last : {false, true}) {
    if ((last && c.logits == "all") || (!last && c.logits == "last")) continue;
    o.last_position_logits = last;
    const auto r = exporter::export_onnx(loaded.weights, o, c.out);
    auto j = nlohmann::json::parse(exporter::export_result_json(r));
    if (!c.no_ort_check && c.static_kv == 1) {
      j["ort_check"] = {{"loaded", false}, {"reason", "static_kv 1 leaves no slot for the check's decode step"}};
    } else if (!c.no_ort_check) {
      j["ort_check"] = ort_check(r.model_file, loaded.weights.config, c.static_kv);
    }
    std::cout << fmt::format("{}  {} bytes  {} initializers  {} elements  {:.0f} ms  sha256 {}\n",
                             r.model_file.string(), r.bytes, r.initializer_count, r.element_count,
                             r.export_ms, r.sha256);
    files.push_back(std::move(j));
  }
  const auto& inv = loaded.inventory;
  const auto& cfg = inv.config;
  nlohmann::json doc = {
      {"schema", "scalebench.export/1"},
      {"scalebench", {{"version", kVersion}, {"git_sha", kGitSha}, {"build_type", kBuildType}}},
      {"created_utc", utc_now()},
      {"model", {{"spec", c.model}, {"seed", c.seed}, {"synthetic", inv.synthetic},
                 {"params", inv.param_count}, {"weights_sha256", inv.weights_sha256},
                 {"n_layer", cfg.n_layer}, {"n_head", cfg.n_head}, {"n_embd", cfg.n_embd},
                 {"n_positions", cfg.n_positions}, {"vocab_size", cfg.vocab_size}}},
      {"options", {{"dtype", c.dtype}, {"opset", c.opset}, {"logits", c.logits}, {"static_kv_positions", c.static_kv},
                   {"external_data_threshold_bytes", o.external_data_threshold_bytes}}},
      {"files", files}};
  write_file_atomic(std::filesystem::path(c.out) / "export.json", doc.dump(2) + "\n");
  std::cout << (std::filesystem::path(c.out) / "export.json").string() << "\n";
}
#endif

CommandRegistration reg{"export", [](CLI::App& app) {
  auto opts = std::make_shared<ExportCliOptions>();
  auto* exp = app.add_subcommand("export", "Export a model to another format");
  exp->require_subcommand(1);
  auto* onnx = exp->add_subcommand(
      "onnx", "GPT-2 decoder with KV cache as ONNX (Hugging Face optimum names, opset 17)");
  onnx->add_option("--model", opts->model, "preset, shape:... spec or model folder")->required();
  onnx->add_option("--dtype", opts->dtype, "fp32 or fp16")->capture_default_str();
  onnx->add_option("--opset", opts->opset, "ONNX opset (17)")->capture_default_str();
  onnx->add_option("--logits", opts->logits, "all, last or both")->capture_default_str();
  onnx->add_option("--seed", opts->seed, "seed of synthetic weights")->capture_default_str();
  onnx->add_option("--external-data-threshold", opts->external_threshold,
                   "weights above this many bytes go to <model>.onnx.data (default 2e9)");
  onnx->add_flag("--no-ort-check", opts->no_ort_check, "skip loading the graphs in ONNX Runtime");
  onnx->add_option("--static-kv", opts->static_kv,
                   "K > 0: a fixed K-slot KV cache (the graph CUDA graphs replay); 0: dynamic past")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  onnx->add_option("--out,-o", opts->out, "output folder")->required();
  onnx->callback([opts] {
#ifdef SB_HAVE_ONNX_EXPORT
    run_export(*opts);
#else
    throw Error("scalebench was built without libonnx (Debian libonnx-dev + protobuf): "
                "`export onnx` is unavailable");
#endif
  });
}};

}  // namespace
}  // namespace sb::cli
