#include "accuracy/accuracy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "accuracy/rounding.h"
#include "accuracy/windows.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

#ifdef SB_ACC_HAVE_MODEL
#include "model/model.h"
#endif
#ifdef SB_ACC_HAVE_TOKENIZER
#include "tokenizer/tokenizer.h"
#endif
#ifdef SB_ACC_HAVE_ENGINE_CPU
#include "engine/cpu/cpu_engine.h"
#endif
#ifdef SB_ACC_HAVE_BACKENDS
#include "backends/external_backend.h"
#include "backends/registry.h"
#endif

namespace sb::accuracy {
namespace fs = std::filesystem;

BackendSpec parse_backend_spec(const std::string& text) {
  BackendSpec s;
  const auto colon = text.find(':');
  s.backend = text.substr(0, colon);
  if (colon != std::string::npos) s.precision = text.substr(colon + 1);
  if (s.backend.empty() || s.precision.empty() || s.precision.find(':') != std::string::npos)
    throw UsageError(fmt::format("backend spec '{}': expected BACKEND or BACKEND:PRECISION, e.g. "
                                 "native-cpu:fp32", text));
  return s;
}

namespace {

// Keeps what an engine was built from (rounded weights) alive as long as the engine.
class OwningEngine : public engine::Engine {
 public:
  OwningEngine(std::shared_ptr<const model::GptWeights> w, std::unique_ptr<engine::Engine> e, std::string what)
      : weights_(std::move(w)), inner_(std::move(e)), what_(std::move(what)) {}
  const model::GptConfig& config() const override { return inner_->config(); }
  std::string describe() const override { return what_ + " (" + inner_->describe() + ")"; }
  void prefill(int b, int s, std::span<const std::int32_t> t, engine::LogitsMode m, engine::StepResult& o) override {
    inner_->prefill(b, s, t, m, o);
  }
  void decode(std::span<const std::int32_t> t, engine::LogitsMode m, engine::StepResult& o) override {
    inner_->decode(t, m, o);
  }
  void reset() override { inner_->reset(); }
  void synchronize() override { inner_->synchronize(); }
  int past_length() const override { return inner_->past_length(); }

 private:
  std::shared_ptr<const model::GptWeights> weights_;
  std::unique_ptr<engine::Engine> inner_;
  std::string what_;
};

#ifdef SB_ACC_HAVE_BACKENDS
// Presents a registry Backend as an Engine.  All-position logits go through Backend::logits()
// (the accuracy path every backend offers when it declares logits_all; external backends pass
// them through files); the greedy next tokens of such a call are the argmax of the last position.
// Greedy continuations of an external worker that declares capabilities.greedy go through its
// `generate` op (GreedyGenerator): one request per continuation, the worker's own KV cache.
class BackendEngine : public engine::Engine, public GreedyGenerator {
 public:
  explicit BackendEngine(std::unique_ptr<backends::Backend> b)
      : b_(std::move(b)), stepwise_(b_->capabilities().stepwise),
        greedy_(dynamic_cast<backends::ExternalGreedy*>(b_.get())) {}
  bool offers_greedy() const override { return greedy_ && greedy_->offers_greedy(); }
  std::vector<std::vector<std::int32_t>> generate_greedy(int batch, int prompt_len,
                                                         std::span<const std::int32_t> prompts, int n,
                                                         const std::vector<std::vector<std::int32_t>>* forced) override {
    if (!offers_greedy()) sb::fail("backend {} offers no greedy generation", b_->info().name);
    std::vector<std::int32_t> fed;
    if (forced) {
      if (static_cast<int>(forced->size()) != batch)
        sb::fail("generate_greedy: {} forced rows for a batch of {}", forced->size(), batch);
      for (const auto& row : *forced) {
        if (static_cast<int>(row.size()) < n - 1)
          sb::fail("generate_greedy: a forced row holds {} tokens, {} needed", row.size(), n - 1);
        fed.insert(fed.end(), row.begin(), row.begin() + (n - 1));
      }
    }
    // With n == 1 nothing is fed: the request is free-running either way.
    const auto flat = greedy_->generate_greedy(batch, prompt_len, prompts, n, fed);
    std::vector<std::vector<std::int32_t>> out(batch);
    for (int b = 0; b < batch; ++b) out[b].assign(flat.begin() + static_cast<std::ptrdiff_t>(b) * n,
                                                  flat.begin() + static_cast<std::ptrdiff_t>(b + 1) * n);
    return out;
  }
  const model::GptConfig& config() const override { return b_->config(); }
  std::string describe() const override { return b_->info().description; }
  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, engine::LogitsMode m,
               engine::StepResult& out) override {
    if (m != engine::LogitsMode::kAll && !stepwise_) {
      // An external worker runs no steps in-process: greedy generation goes through logits()
      // of the whole sequence so far (never timed, so the repeated prefix work is harmless).
      history_.assign(tokens.begin(), tokens.end());
      batch_ = batch;
      seq_ = seq;
      last_logits(m, out);
      past_ = seq;
      return;
    }
    if (m != engine::LogitsMode::kAll) {
      b_->prefill(batch, seq, tokens, m, out);
      past_ = seq;
      return;
    }
    out.logits = b_->logits(batch, seq, tokens, engine::LogitsMode::kAll);
    const std::size_t vocab = static_cast<std::size_t>(config().vocab_size);
    if (out.logits.size() != static_cast<std::size_t>(batch) * seq * vocab)
      sb::fail("backend {} returned {} logits for batch {} x seq {} x vocab {}", b_->info().name,
               out.logits.size(), batch, seq, vocab);
    out.next_tokens.resize(batch);
    for (int b = 0; b < batch; ++b) {
      const float* row = out.logits.data() + (static_cast<std::size_t>(b) * seq + seq - 1) * vocab;
      out.next_tokens[b] = static_cast<std::int32_t>(std::max_element(row, row + vocab) - row);
    }
    past_ = -1;   // logits() leaves the KV cache in the backend's hands: decode must not follow
  }
  void decode(std::span<const std::int32_t> t, engine::LogitsMode m, engine::StepResult& out) override {
    if (past_ < 0) sb::fail("decode after an all-position-logits prefill is not supported through a backend");
    if (!stepwise_) {
      if (static_cast<int>(t.size()) != batch_) sb::fail("decode: {} tokens for batch {}", t.size(), batch_);
      std::vector<std::int32_t> grown;
      grown.reserve(static_cast<std::size_t>(batch_) * (seq_ + 1));
      for (int b = 0; b < batch_; ++b) {
        auto row = history_.begin() + static_cast<std::ptrdiff_t>(b) * seq_;
        grown.insert(grown.end(), row, row + seq_);
        grown.push_back(t[b]);
      }
      history_ = std::move(grown);
      ++seq_;
      last_logits(m, out);
      ++past_;
      return;
    }
    b_->decode(t, m, out);
    ++past_;
  }
  void reset() override {
    if (stepwise_) b_->reset();
    past_ = 0;
    history_.clear();
  }
  void synchronize() override { b_->synchronize(); }
  int past_length() const override { return std::max(past_, 0); }

 private:
  // Greedy next tokens (and last-position logits when asked) of history_ through logits().
  void last_logits(engine::LogitsMode m, engine::StepResult& out) {
    auto logits = b_->logits(batch_, seq_, history_, engine::LogitsMode::kLast);
    const std::size_t vocab = static_cast<std::size_t>(config().vocab_size);
    if (logits.size() != static_cast<std::size_t>(batch_) * vocab)
      sb::fail("backend {} returned {} last-position logits for batch {} x vocab {}", b_->info().name,
               logits.size(), batch_, vocab);
    out.next_tokens.resize(batch_);
    for (int b = 0; b < batch_; ++b) {
      const float* row = logits.data() + static_cast<std::size_t>(b) * vocab;
      out.next_tokens[b] = static_cast<std::int32_t>(std::max_element(row, row + vocab) - row);
    }
    if (m == engine::LogitsMode::kLast) out.logits = std::move(logits);
    else out.logits.clear();
  }

  std::unique_ptr<backends::Backend> b_;
  bool stepwise_ = true;
  backends::ExternalGreedy* greedy_ = nullptr;   // the same object as b_, when it has the ability
  int past_ = 0;
  std::vector<std::int32_t> history_;   // non-stepwise backends: [batch_, seq_] tokens so far
  int batch_ = 0, seq_ = 0;
};
#endif

std::unique_ptr<engine::Engine> make_cpu(std::shared_ptr<const model::GptWeights> w, const AccuracyConfig& cfg,
                                         const std::string& what) {
#ifdef SB_ACC_HAVE_ENGINE_CPU
  engine::CpuEngineOptions o;
  o.threads = cfg.threads;
  o.max_batch = std::max(cfg.max_batch, cfg.greedy.prompts);
  auto e = engine::make_cpu_engine(*w, o);
  return std::make_unique<OwningEngine>(std::move(w), std::move(e), what);
#else
  sb::fail("{}: this scalebench was built without the native CPU engine (sb_engine_cpu)", what);
#endif
}

#ifdef SB_ACC_HAVE_MODEL
// The Hugging Face folder an external worker loads: the model folder itself, or for a synthetic
// spec the same seeded weights written once (F32) under <artifacts>/models/<id>-<key>/, with
// key = first 12 hex digits of SHA-256("<spec>|<weights seed>") as the runner names them.
std::string hf_folder_for_external(const AccuracyConfig& cfg, const model::GptWeights& w) {
  if (!model::is_synthetic_spec(cfg.model)) return cfg.model;
  std::string id = cfg.model_id.empty() ? cfg.model : cfg.model_id;
  std::string safe;
  for (char c : id) safe.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_');
  if (safe.size() > 80) safe = safe.substr(0, 60) + "-" + sha256_hex(id).substr(0, 12);
  const std::string key = sha256_hex(cfg.model + "|" + std::to_string(cfg.weights_seed)).substr(0, 12);
  const fs::path root = cfg.artifacts_dir.empty() ? fs::temp_directory_path() / "scalebench-accuracy-models"
                                                  : cfg.artifacts_dir / "models";
  const fs::path dir = fs::absolute(root / (safe + "-" + key));
  if (!fs::exists(dir / ".complete")) {
    model::write_model_folder(w, model::DType::F32, dir);
    write_file_atomic(dir / ".complete",
                      nlohmann::json{{"spec", cfg.model}, {"weights_seed", cfg.weights_seed}, {"written_by", "accuracy"}}
                          .dump());
  }
  return dir.string();
}
#endif

}  // namespace

std::vector<std::string> default_factory_backends() {
  std::vector<std::string> names{"native-cpu", "emulated-cpu"};
#ifdef SB_ACC_HAVE_BACKENDS
  for (const auto& d : backends::registry())
    if (std::find(names.begin(), names.end(), d.name) == names.end() && !d.test_only) names.push_back(d.name);
#endif
  return names;
}

EngineFactory default_engine_factory() {
  return [](const BackendSpec& spec, EngineContext& ctx) -> std::unique_ptr<engine::Engine> {
    const AccuracyConfig& cfg = *ctx.config;
    if (spec.backend == "emulated-cpu" || (spec.backend == "native-cpu" && spec.precision == "fp32")) {
      if (!ctx.weights) sb::fail("{}: no weights loaded", spec.label());
      ctx.device = "cpu";
      if (spec.backend == "native-cpu") {
        // Non-owning: the caller's weights outlive the engine (run_accuracy keeps them).
        std::shared_ptr<const model::GptWeights> w(ctx.weights, [](const model::GptWeights*) {});
        return make_cpu(std::move(w), cfg, "native-cpu fp32");
      }
      auto rounded = std::make_shared<const model::GptWeights>(round_weights(*ctx.weights, spec.precision));
      return make_cpu(std::move(rounded), cfg,
                      "emulated-cpu: native CPU fp32 engine on weights rounded to " + spec.precision);
    }
#ifdef SB_ACC_HAVE_BACKENDS
    const auto* d = backends::find_backend(spec.backend);
    if (!d) sb::fail("unknown backend '{}' (known: {})", spec.backend, fmt::join(default_factory_backends(), ", "));
    auto b = backends::create_backend(spec.backend);
    if (!b->capabilities().logits_all)
      sb::fail("backend {} does not declare all-position logits (capabilities().logits_all), which "
               "perplexity needs", d->name);
    backends::LoadRequest req;
    req.model_id = cfg.model_id.empty() ? cfg.model : cfg.model_id;
    req.model_spec = cfg.model;
    if (d->external) {
#ifdef SB_ACC_HAVE_MODEL
      if (!ctx.weights) sb::fail("{}: no weights loaded", spec.label());
      req.model_spec = hf_folder_for_external(cfg, *ctx.weights);
#endif
      if (!cfg.artifacts_dir.empty()) req.artifacts_dir = cfg.artifacts_dir;
    }
    req.weights_seed = cfg.weights_seed;
    req.precision = spec.precision;
    req.device = spec.device.empty() ? d->default_device : spec.device;
    req.options = spec.options;
    req.max_batch = std::max(cfg.max_batch, cfg.greedy.prompts);
    b->load(req);
    ctx.device = req.device;
    return std::make_unique<BackendEngine>(std::move(b));
#else
    sb::fail("backend '{}' is not available to accuracy in this build (built without the backend "
             "registry; available: native-cpu:fp32, emulated-cpu:<precision>)", spec.label());
#endif
  };
}

namespace {

nlohmann::json opt(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json AccuracyRow::to_json() const {
  nlohmann::json j;
  j["schema"] = kAccuracySchema;
  j["model"] = model;
  j["backend"] = backend;
  j["precision"] = precision;
  j["options"] = options;
  j["device"] = device;
  j["role"] = role;
  j["status"] = status;
  j["error"] = error;
  j["reference"] = {{"backend", reference_backend}, {"precision", reference_precision}};
  j["corpus"] = {{"path", corpus_path}, {"sha256", corpus_sha256}, {"bytes", corpus_bytes}};
  j["tokenizer_sha256"] = tokenizer_sha256;
  j["window"] = window;
  j["stride"] = stride;
  j["n_tokens"] = n_tokens;
  j["tokens_counted"] = tokens_counted ? nlohmann::json(*tokens_counted) : nlohmann::json(nullptr);
  j["nll_sum"] = opt(nll_sum);
  j["ppl"] = opt(ppl);
  j["ppl_rel_delta"] = opt(ppl_rel_delta);
  auto c = [&](double ComparisonResult::*m) {
    return comparison ? opt((*comparison).*m) : nlohmann::json(nullptr);
  };
  j["kl_mean"] = c(&ComparisonResult::kl_mean);
  j["kl_p99"] = c(&ComparisonResult::kl_p99);
  j["kl_max"] = c(&ComparisonResult::kl_max);
  j["top1_agreement"] = c(&ComparisonResult::top1_agreement);
  j["logit_max_abs"] = c(&ComparisonResult::logit_max_abs);
  j["logit_mean_abs"] = c(&ComparisonResult::logit_mean_abs);
  j["positions_compared"] = comparison ? nlohmann::json(comparison->positions) : nlohmann::json(nullptr);
  j["greedy_agreement"] = greedy ? nlohmann::json(greedy->agreement) : nlohmann::json(nullptr);
  if (greedy) {
    j["greedy"] = {{"prompts", greedy->prompts}, {"prompt_tokens", greedy->prompt_tokens},
                   {"new_tokens", greedy->new_tokens}, {"agreement", greedy->agreement},
                   {"prefix_match", greedy->prefix_match},
                   {"definition", "agreement: teacher-forced on the reference's greedy tokens; "
                                  "prefix_match: free-running leading-equal fraction"}};
  } else {
    j["greedy"] = nullptr;
    j["greedy_skipped"] = greedy_skipped;
  }
  j["gate"] = gate ? nlohmann::json{{"max_abs_ppl_rel_delta", gate->max_abs_ppl_rel_delta},
                                    {"max_kl_mean", gate->max_kl_mean}}
                   : nlohmann::json(nullptr);
  j["verdict"] = verdict;
  j["verdict_reason"] = verdict_reason;
  j["model_trained"] = model_trained;
  j["eval_seconds"] = opt(eval_seconds);
  j["tokens_per_s"] = opt(tokens_per_s);
  j["engine"] = engine_description;
  return j;
}

std::vector<AccuracyRow> assess(const AssessInputs& in, const AccuracyConfig& cfg, const RunHooks& hooks) {
  auto log = [&](const std::string& s) { if (hooks.log) hooks.log(s); };
  const EngineFactory factory = hooks.factory ? hooks.factory : default_engine_factory();
  const int max_length = cfg.max_length.value_or(in.n_positions);
  if (in.n_positions > 0 && max_length > in.n_positions)
    sb::fail("max_length {} exceeds the model's n_positions {}", max_length, in.n_positions);
  const int stride = cfg.stride.value_or(max_length);
  // Validates token count, max_length and stride before any engine is built.
  const auto windows = plan_windows(static_cast<std::int64_t>(in.tokens.size()), max_length, stride);
  log(fmt::format("corpus: {} bytes, {} tokens, {} windows of <= {} tokens, stride {}", in.corpus.bytes,
                  in.tokens.size(), windows.size(), max_length, stride));

  struct Built {
    BackendSpec spec;
    std::unique_ptr<engine::Engine> engine;
    std::string device, error, description;
  };
  auto build = [&](const BackendSpec& spec) {
    Built b{spec, nullptr, spec.device, "", ""};
    EngineContext ctx{in.weights, &cfg, spec.device};
    try {
      log("building " + spec.label());
      b.engine = factory(spec, ctx);
      if (!b.engine) sb::fail("engine factory returned no engine");
      b.description = b.engine->describe();
    } catch (const std::exception& e) {
      b.error = fmt::format("building {}: {}", spec.label(), e.what());
      log(b.error);
    }
    b.device = ctx.device.empty() ? spec.device : ctx.device;
    return b;
  };
  Built ref = build(cfg.reference);
  std::vector<Built> cands;
  for (const auto& s : cfg.candidates) cands.push_back(build(s));

  std::vector<NamedEngine> named;
  for (auto& c : cands) named.push_back({c.spec.label(), c.engine.get()});
  NamedEngine ref_named{ref.spec.label(), ref.engine.get()};
  EvaluationOptions eo;
  eo.max_length = max_length;
  eo.stride = stride;
  eo.max_batch = cfg.max_batch;
  eo.threads = cfg.threads;
  eo.greedy = cfg.greedy;
  eo.run_greedy = cfg.run_greedy;
  eo.log = hooks.log;
  log("evaluating " + std::to_string(named.size() + 1) + " engine(s)");
  Evaluation ev = evaluate(in.tokens, &ref_named, named, eo);

  const EngineEvaluation& rev = *ev.reference;
  const bool ref_ok = ref.engine && rev.ok;
  const std::string ref_error = ref.engine ? rev.error : ref.error;

  auto base_row = [&](const Built& b, const EngineEvaluation& e) {
    AccuracyRow r;
    r.model = in.model_id;
    r.backend = b.spec.backend;
    r.precision = b.spec.precision;
    r.options = b.spec.options;
    r.device = b.device;
    r.reference_backend = cfg.reference.backend;
    r.reference_precision = cfg.reference.precision;
    r.corpus_path = in.corpus.path.string();
    r.corpus_sha256 = in.corpus.sha256;
    r.corpus_bytes = in.corpus.bytes;
    r.tokenizer_sha256 = in.tokenizer_sha256;
    r.window = max_length;
    r.stride = stride;
    r.n_tokens = static_cast<std::int64_t>(in.tokens.size());
    r.model_trained = in.model_trained;
    r.engine_description = b.description;
    const bool ok = b.engine && e.ok;
    if (!ok) {
      r.status = "failed";
      r.error = b.engine ? e.error : b.error;
    } else {
      r.tokens_counted = e.perplexity.tokens_counted;
      r.nll_sum = e.perplexity.nll_sum;
      r.ppl = e.perplexity.ppl;
      r.eval_seconds = e.perplexity.seconds;
      r.tokens_per_s = e.perplexity.tokens_per_s;
    }
    return r;
  };

  std::vector<AccuracyRow> rows;
  const bool ref_is_candidate = std::any_of(cfg.candidates.begin(), cfg.candidates.end(), [&](const BackendSpec& s) {
    return s.label() == cfg.reference.label();
  });
  if (!ref_is_candidate) {
    AccuracyRow r = base_row(ref, rev);
    r.role = "reference";
    r.gate = cfg.gates.for_precision(ref.spec.precision);
    r.verdict = "not_checked";
    r.verdict_reason = ref_ok ? "reference: the other rows are compared against it" : "reference failed: " + ref_error;
    if (!in.model_trained) r.verdict_reason += "; model untrained (synthetic weights)";
    rows.push_back(std::move(r));
  }
  for (std::size_t k = 0; k < cands.size(); ++k) {
    const EngineEvaluation& e = ev.candidates[k];
    AccuracyRow r = base_row(cands[k], e);
    const bool ok = r.status == "ok";
    if (ok && ref_ok) {
      r.ppl_rel_delta = (e.perplexity.ppl - rev.perplexity.ppl) / rev.perplexity.ppl;
      r.comparison = e.comparison;
      r.greedy = e.greedy;
    }
    r.greedy_skipped = e.greedy ? "" : (e.greedy_skipped.empty() ? "not run" : e.greedy_skipped);
    VerdictInput vi;
    vi.candidate_ok = ok;
    vi.candidate_error = r.error;
    vi.reference_ok = ref_ok;
    vi.reference_label = cfg.reference.label();
    vi.reference_error = ref_error;
    vi.precision = r.precision;
    vi.ppl_rel_delta = r.ppl_rel_delta;
    if (r.comparison) vi.kl_mean = r.comparison->kl_mean;
    vi.model_trained = in.model_trained;
    const auto v = judge(vi, cfg.gates);
    r.gate = v.gate;
    r.verdict = verdict_name(v.verdict);
    r.verdict_reason = v.reason;
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<AccuracyRow> run_accuracy(const AccuracyConfig& cfg, const RunHooks& hooks) {
#if defined(SB_ACC_HAVE_MODEL) && defined(SB_ACC_HAVE_TOKENIZER)
  auto log = [&](const std::string& s) { if (hooks.log) hooks.log(s); };
  if (cfg.model.empty()) throw UsageError("accuracy: no model given");
  if (cfg.corpus.empty()) throw UsageError("accuracy: no corpus given");
  // Corpus first: bad text is the cheapest error to report.
  Corpus corpus = read_corpus(cfg.corpus, cfg.corpus_options);
  log(fmt::format("loading model {}", cfg.model));
  model::LoadedModel loaded = model::load_model(cfg.model, cfg.weights_seed);
  const bool synthetic = loaded.inventory.synthetic;

  tokenizer::Tokenizer tok = [&] {
    if (!cfg.tokenizer_dir.empty()) return tokenizer::Tokenizer::from_folder(cfg.tokenizer_dir);
    std::error_code ec;
    const fs::path dir(cfg.model);
    if (!synthetic && (fs::exists(dir / "vocab.json", ec) || fs::exists(dir / "encoder.json", ec)))
      return tokenizer::Tokenizer::from_folder(dir);
    return tokenizer::Tokenizer::load_default();
  }();

  AssessInputs in;
  in.model_trained = !synthetic;
  in.model_id = !cfg.model_id.empty() ? cfg.model_id
                : synthetic           ? cfg.model
                                      : fs::path(cfg.model).lexically_normal().filename().string();
  if (in.model_id.empty()) in.model_id = cfg.model;
  in.weights = &loaded.weights;
  in.n_positions = loaded.weights.config.n_positions;
  in.tokenizer_sha256 = tok.sha256();
  in.tokens = tok.encode(corpus.text, false);
  const int vocab = loaded.weights.config.vocab_size;
  for (std::size_t i = 0; i < in.tokens.size(); ++i)
    if (in.tokens[i] < 0 || in.tokens[i] >= vocab)
      sb::fail("corpus {}: token {} (id {}) is outside the model's vocabulary of {}: the tokenizer "
               "({}) does not match the model", corpus.path.string(), i, in.tokens[i], vocab, tok.source());
  corpus.text.clear();   // only the metadata is needed from here on
  corpus.text.shrink_to_fit();
  in.corpus = std::move(corpus);
  return assess(in, cfg, hooks);
#else
  (void)cfg;
  (void)hooks;
  sb::fail("accuracy: this scalebench was built without the model loader or the tokenizer "
           "(sb_model / sb_tokenizer)");
#endif
}

void append_accuracy_rows(const fs::path& path, const std::vector<AccuracyRow>& rows) {
  for (const auto& r : rows) append_line_durable(path, r.to_json().dump());
}

std::string format_accuracy_table(const std::vector<AccuracyRow>& rows) {
  auto num = [](const std::optional<double>& v, const char* f) {
    return v ? fmt::format(fmt::runtime(f), *v) : std::string("-");
  };
  std::string out = fmt::format("{:<26} {:<7} {:>10} {:>9} {:>10} {:>10} {:>7} {:>7}  {}\n", "backend:precision",
                                "status", "PPL", "dPPL %", "KL mean", "KL p99", "top1", "greedy", "verdict");
  for (const auto& r : rows) {
    std::optional<double> kl, kl99, top1, greedy, dppl;
    if (r.comparison) {
      kl = r.comparison->kl_mean;
      kl99 = r.comparison->kl_p99;
      top1 = r.comparison->top1_agreement;
    }
    if (r.greedy) greedy = r.greedy->agreement;
    if (r.ppl_rel_delta) dppl = *r.ppl_rel_delta * 100;
    const std::string label = r.backend + ":" + r.precision + (r.role == "reference" ? " (ref)" : "");
    out += fmt::format("{:<26} {:<7} {:>10} {:>9} {:>10} {:>10} {:>7} {:>7}  {}\n", label, r.status,
                       num(r.ppl, "{:.4f}"), num(dppl, "{:+.4f}"), num(kl, "{:.3g}"), num(kl99, "{:.3g}"),
                       num(top1, "{:.4f}"), num(greedy, "{:.3f}"), r.verdict);
  }
  for (const auto& r : rows)
    if (r.status != "ok") out += fmt::format("  {}:{} failed: {}\n", r.backend, r.precision, r.error);
  return out;
}

}  // namespace sb::accuracy
