// `scalebench accuracy`: perplexity of a model on a corpus for each backend x precision, with
// KL / top-1 / logit parity and greedy agreement against a reference, and per-precision gates.
//   --model M                 preset, shape:... spec or Hugging Face folder
//   --backend B[:P] ...       candidates (repeatable); a bare B takes every --precision
//   --precision P ...         precisions for bare backends (default fp32)
//   --corpus FILE|DIR         UTF-8 text file (e.g. wiki.test.raw) or a folder (sorted files)
//   --max-length L            window (default n_positions); --stride S (default L)
//   --reference B:P           default native-cpu:fp32
//   --out DIR                 appends one row per (model, backend, precision) to DIR/accuracy.jsonl
// Backends: native-cpu:fp32 and emulated-cpu:<fp32|fp16|bf16|int8|fp8> (the native CPU engine on
// rounded weights) directly; every registry backend declaring all-position logits otherwise.
// Exit 0 when the run completed (failed rows and failing verdicts are results, recorded); with
// --check, exit 1 when any verdict is `fail` or any row failed.
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "accuracy/accuracy.h"
#include "cli/command.h"
#include "util/error.h"

namespace sb::cli {
namespace {

struct Args {
  std::string model, model_id, corpus, reference = "native-cpu:fp32", out, tokenizer;
  std::vector<std::string> backends, precisions, gates;
  std::optional<int> max_length, stride;
  std::uint64_t seed = 0, corpus_max_bytes = 0;
  int threads = 0, max_batch = 8;
  int greedy_prompts = 8, greedy_prompt_tokens = 32, greedy_new_tokens = 32;
  bool no_greedy = false, check = false;
};

// "fp16=0.005,5e-3": precision=max |dPPL| (fraction),max mean KL (nats).
void apply_gate(accuracy::GatePolicy& p, const std::string& text) {
  const auto eq = text.find('=');
  const auto comma = text.find(',', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || comma == std::string::npos)
    throw UsageError(fmt::format("--gate '{}': expected PRECISION=MAX_ABS_PPL_REL_DELTA,MAX_KL_MEAN, e.g. "
                                 "fp16=0.005,0.005", text));
  try {
    accuracy::Gate g{std::stod(text.substr(eq + 1, comma - eq - 1)), std::stod(text.substr(comma + 1))};
    if (g.max_abs_ppl_rel_delta < 0 || g.max_kl_mean < 0) throw std::invalid_argument("negative");
    p.set(text.substr(0, eq), g);
  } catch (const std::logic_error&) {
    throw UsageError(fmt::format("--gate '{}': bounds must be non-negative numbers", text));
  }
}

void run(const Args& a) {
  accuracy::AccuracyConfig cfg;
  cfg.model = a.model;
  cfg.model_id = a.model_id;
  cfg.weights_seed = a.seed;
  cfg.corpus = a.corpus;
  cfg.corpus_options.max_bytes = a.corpus_max_bytes;
  cfg.tokenizer_dir = a.tokenizer;
  cfg.max_length = a.max_length;
  cfg.stride = a.stride;
  if (a.max_length && *a.max_length < 2) throw UsageError(fmt::format("--max-length {} must be at least 2", *a.max_length));
  if (a.stride && *a.stride < 1) throw UsageError(fmt::format("--stride {} must be at least 1", *a.stride));
  if (a.stride && a.max_length && *a.stride > *a.max_length)
    throw UsageError(fmt::format("--stride {} exceeds --max-length {}", *a.stride, *a.max_length));
  cfg.threads = a.threads;
  cfg.max_batch = a.max_batch;
  cfg.greedy = {a.greedy_prompts, a.greedy_prompt_tokens, a.greedy_new_tokens};
  cfg.run_greedy = !a.no_greedy;
  cfg.reference = accuracy::parse_backend_spec(a.reference);
  for (const auto& g : a.gates) apply_gate(cfg.gates, g);
  const std::vector<std::string> precisions = a.precisions.empty() ? std::vector<std::string>{"fp32"} : a.precisions;
  const std::vector<std::string> backends = a.backends.empty() ? std::vector<std::string>{"native-cpu"} : a.backends;
  for (const auto& b : backends) {
    if (b.find(':') != std::string::npos) {
      cfg.candidates.push_back(accuracy::parse_backend_spec(b));
    } else {
      for (const auto& p : precisions) cfg.candidates.push_back(accuracy::parse_backend_spec(b + ":" + p));
    }
  }
  accuracy::RunHooks hooks;
  hooks.log = [](const std::string& s) { std::cerr << "accuracy: " << s << "\n"; };
  const auto rows = accuracy::run_accuracy(cfg, hooks);
  const std::filesystem::path out_file = std::filesystem::path(a.out) / "accuracy.jsonl";
  std::filesystem::create_directories(a.out);
  accuracy::append_accuracy_rows(out_file, rows);
  const auto& r0 = rows.front();
  std::cout << fmt::format("model {} ({}), corpus {} ({} bytes, sha256 {}), {} tokens, window {}, stride {}\n",
                           r0.model, r0.model_trained ? "trained" : "UNTRAINED: synthetic weights",
                           r0.corpus_path, r0.corpus_bytes, r0.corpus_sha256.substr(0, 12), r0.n_tokens, r0.window,
                           r0.stride);
  std::cout << accuracy::format_accuracy_table(rows);
  std::cout << "wrote " << rows.size() << " row(s) to " << out_file.string() << "\n";
  if (a.check) {
    int bad = 0;
    for (const auto& r : rows) bad += (r.verdict == "fail" || r.status != "ok");
    if (bad) sb::fail("--check: {} row(s) failed or did not pass their gate", bad);
  }
}

CommandRegistration reg{"accuracy", [](CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("accuracy",
                               "Perplexity (HF fixed-length method), KL divergence, top-1 and greedy agreement vs a "
                               "reference, with per-precision gates; appends to OUT/accuracy.jsonl");
  c->add_option("--model", a->model, "Model: preset, shape:L=..,H=..,E=..,V=..,P=.. or Hugging Face folder")->required();
  c->add_option("--model-id", a->model_id, "Name of the model in the rows (default: folder name or spec)");
  c->add_option("--backend", a->backends,
                "Candidate backend, BACKEND or BACKEND:PRECISION (repeatable; default native-cpu). "
                "emulated-cpu:P runs the CPU engine on weights rounded to P");
  c->add_option("--precision", a->precisions, "Precisions for backends given without one (repeatable; default fp32)");
  c->add_option("--corpus", a->corpus, "UTF-8 text file or folder (files concatenated in sorted path order)")->required();
  c->add_option("--corpus-max-bytes", a->corpus_max_bytes, "Use only the first N bytes of the corpus (0 = all)");
  c->add_option("--max-length", a->max_length, "Window length in tokens (default n_positions)");
  c->add_option("--stride", a->stride, "Tokens between window starts (default max-length)");
  c->add_option("--reference", a->reference, "Reference BACKEND:PRECISION (default native-cpu:fp32)");
  c->add_option("--tokenizer", a->tokenizer, "Tokenizer folder (default: the model folder's, else the GPT-2 default)");
  c->add_option("--seed", a->seed, "Seed of synthetic weights");
  c->add_option("--threads", a->threads, "CPU threads (0 = all)");
  c->add_option("--max-batch", a->max_batch, "Windows per prefill (default 8)");
  c->add_option("--greedy-prompts", a->greedy_prompts, "Prompts for greedy agreement (default 8)");
  c->add_option("--greedy-prompt-tokens", a->greedy_prompt_tokens, "Tokens per greedy prompt (default 32)");
  c->add_option("--greedy-new-tokens", a->greedy_new_tokens, "Tokens generated per prompt (default 32)");
  c->add_flag("--no-greedy", a->no_greedy, "Skip greedy continuation agreement");
  c->add_option("--gate", a->gates, "Override a gate: PRECISION=MAX_ABS_PPL_REL_DELTA,MAX_KL_MEAN (repeatable)");
  c->add_flag("--check", a->check, "Exit 1 when any row failed or any verdict is fail");
  c->add_option("--out,-o", a->out, "Output folder (accuracy.jsonl is appended to)")->required();
  c->callback([a] { run(*a); });
}};

}  // namespace
}  // namespace sb::cli
