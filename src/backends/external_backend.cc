// The external backend: a program that speaks the worker protocol (docs/formats.md), such as
// workers/transformers_worker.py.  The runner spawns such programs directly as the group's
// worker (registry.h worker_command), so their timing loop runs inside them.  This class is the
// in-process handle for untimed uses (accuracy): it starts the program, loads, and asks for
// logits through files, and — when the worker declares capabilities.greedy — for whole greedy
// continuations (op `generate`).  It declares stepwise = false: prefill()/decode() are not offered.
#include "backends/external_backend.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "backends/engine_backend.h"
#include "backends/protocol.h"
#include "backends/subprocess.h"

namespace sb::backends {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("scalebench") : p.string();
}

class ExternalBackend : public Backend, public ExternalGreedy {
 public:
  ExternalBackend(const BackendDescriptor& d) : descriptor_(d) {}

  BackendInfo info() const override {
    BackendInfo i;
    i.name = descriptor_.name;
    i.precision = precision_;
    i.device = device_;
    if (ready_.contains("info")) {
      const auto& in = ready_["info"];
      i.description = in.value("description", "");
      if (in.contains("library_versions") && in["library_versions"].is_object())
        for (auto& [k, v] : in["library_versions"].items())
          i.library_versions[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    return i;
  }
  Capabilities capabilities() const override {
    Capabilities c;
    c.stepwise = false;
    c.logits_last = true;
    c.logits_all = true;
    if (ready_.contains("capabilities") && ready_["capabilities"].is_object()) {
      const auto& k = ready_["capabilities"];
      c.logits_all = k.value("logits_all", true);
      c.kv_cache = k.value("kv_cache", true);
    }
    return c;
  }

  LoadResult load(const LoadRequest& r) override {
    precision_ = r.precision;
    device_ = r.device;
    Subprocess::Options o;
    o.argv = worker_command(descriptor_, r.options, self_exe());
    proc_ = std::make_unique<Subprocess>(o);
    json load{{"op", "load"},           {"protocol", kWorkerProtocol},
              {"backend", descriptor_.name}, {"model_id", r.model_id},
              {"model_spec", r.model_spec},  {"weights_seed", r.weights_seed},
              {"precision", r.precision},    {"device", r.device},
              {"options", r.options},        {"artifacts_dir", r.artifacts_dir.string()},
              {"max_batch", r.max_batch},    {"max_seq", r.max_seq}};
    proc_->write_line(load.dump());
    int timeout_s = int_option(r.options, "load_timeout_s", 600);
    ready_ = expect("ready", std::chrono::seconds(timeout_s));
    config_.vocab_size = ready_["config"].value("vocab_size", 0);
    config_.n_positions = ready_["config"].value("n_positions", 0);
    config_.n_layer = ready_["config"].value("n_layer", 0);
    config_.n_head = ready_["config"].value("n_head", 0);
    config_.n_embd = ready_["config"].value("n_embd", 0);
    LoadResult res;
    res.load_ms = ready_.value("load_ms", 0.0);
    if (ready_.contains("build_ms") && ready_["build_ms"].is_number())
      res.build_ms = ready_["build_ms"].get<double>();
    res.artifact = ready_.value("artifact", json());
    res.model = ready_.value("model", json());
    return res;
  }

  const model::GptConfig& config() const override { return config_; }
  void prefill(int, int, std::span<const std::int32_t>, LogitsMode, StepResult&) override {
    throw UnsupportedError(descriptor_.name + ": stepwise prefill is not offered in-process "
                           "(the program runs its own timing loop; use logits())");
  }
  void decode(std::span<const std::int32_t>, LogitsMode, StepResult&) override {
    throw UnsupportedError(descriptor_.name + ": stepwise decode is not offered in-process");
  }
  void reset() override {}
  void synchronize() override {}

  std::vector<float> logits(int batch, int seq, std::span<const std::int32_t> tokens,
                            LogitsMode mode) override {
    if (!proc_) fail("{}: logits() before load()", descriptor_.name);
    if (mode == LogitsMode::kNone) fail("logits(): mode must be last or all");
    json rows = json::array();
    for (int b = 0; b < batch; ++b)
      rows.push_back(std::vector<std::int32_t>(tokens.begin() + b * seq, tokens.begin() + (b + 1) * seq));
    fs::path out = fs::temp_directory_path() /
                   ("scalebench-logits-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".f32");
    json op{{"op", "logits"}, {"batch", batch}, {"seq", seq}, {"tokens", rows},
            {"mode", mode == LogitsMode::kAll ? "all" : "last"}, {"out", out.string()}};
    proc_->write_line(op.dump());
    expect("logits", std::chrono::seconds(600));
    auto values = read_logits_file(out);
    std::error_code ec;
    fs::remove(out, ec);
    fs::path side = out;
    side += ".json";
    fs::remove(side, ec);
    return values;
  }

  bool offers_greedy() const override {
    return ready_.contains("capabilities") && ready_["capabilities"].is_object() &&
           ready_["capabilities"].value("greedy", false);
  }

  std::vector<std::int32_t> generate_greedy(int batch, int prompt_len, std::span<const std::int32_t> prompts,
                                            int new_tokens, std::span<const std::int32_t> forced) override {
    if (!proc_) fail("{}: generate_greedy() before load()", descriptor_.name);
    if (!offers_greedy()) fail("{}: the worker did not declare capabilities.greedy", descriptor_.name);
    if (batch < 1 || prompt_len < 1 || new_tokens < 1)
      fail("generate: batch {}, prompt length {} and new tokens {} must be positive", batch, prompt_len, new_tokens);
    if (prompts.size() != static_cast<std::size_t>(batch) * prompt_len)
      fail("generate: {} prompt tokens for batch {} x prompt length {}", prompts.size(), batch, prompt_len);
    const std::size_t fed = static_cast<std::size_t>(new_tokens - 1);
    if (!forced.empty() && forced.size() != static_cast<std::size_t>(batch) * fed)
      fail("generate: {} forced tokens for batch {} x (new tokens - 1) {}", forced.size(), batch, fed);
    auto rows_of = [](std::span<const std::int32_t> flat, int n_rows, std::size_t width) {
      json rows = json::array();
      for (int b = 0; b < n_rows; ++b)
        rows.push_back(std::vector<std::int32_t>(flat.begin() + b * width, flat.begin() + (b + 1) * width));
      return rows;
    };
    json op{{"op", "generate"},
            {"batch", batch},
            {"prompt_len", prompt_len},
            {"tokens", rows_of(prompts, batch, static_cast<std::size_t>(prompt_len))},
            {"new_tokens", new_tokens},
            {"forced", forced.empty() ? json(nullptr) : rows_of(forced, batch, fed)}};
    proc_->write_line(op.dump());
    // Untimed; the first request of a compiled worker includes compilation.
    const json m = expect("generated", std::chrono::seconds(600));
    const auto it = m.find("tokens");
    if (it == m.end() || !it->is_array() || it->size() != static_cast<std::size_t>(batch))
      fail("{}: 'generated' message must carry {} rows of {} tokens", descriptor_.name, batch, new_tokens);
    std::vector<std::int32_t> out;
    out.reserve(static_cast<std::size_t>(batch) * new_tokens);
    for (std::size_t b = 0; b < it->size(); ++b) {
      const json& row = (*it)[b];
      if (!row.is_array() || row.size() != static_cast<std::size_t>(new_tokens))
        fail("{}: 'generated' row {} must hold {} tokens (got {})", descriptor_.name, b, new_tokens,
             row.is_array() ? std::to_string(row.size()) : std::string("no array"));
      for (const auto& t : row) {
        if (!t.is_number_integer()) fail("{}: 'generated' row {} holds a non-integer token", descriptor_.name, b);
        out.push_back(t.get<std::int32_t>());
      }
    }
    return out;
  }

  ~ExternalBackend() override {
    if (proc_) {
      try {
        proc_->write_line(json{{"op", "shutdown"}}.dump());
        proc_->close_stdin();
        proc_->wait_for(std::chrono::seconds(5));
      } catch (...) {
      }
    }
  }

 private:
  json expect(const std::string& what, std::chrono::seconds timeout) {
    auto deadline = Subprocess::Clock::now() + timeout;
    std::string line;
    for (;;) {
      auto st = proc_->read_line(line, deadline);
      if (st == Subprocess::ReadStatus::kTimeout)
        fail("{}: no '{}' message within {} s", descriptor_.name, what, timeout.count());
      if (st == Subprocess::ReadStatus::kEof) {
        auto e = proc_->wait();
        fail("{}: worker ended ({}) while waiting for '{}'", descriptor_.name, e.describe(), what);
      }
      json m = parse_protocol_line(line, descriptor_.name);
      std::string kind = m.value("msg", "");
      if (kind == "log") continue;
      if (kind == "error") {
        std::string text = m.value("error", "");
        if (m.value("status", "") == "unsupported") throw UnsupportedError(text);
        fail("{}: {}", descriptor_.name, text);
      }
      if (kind != what) fail("{}: expected '{}' message, got '{}'", descriptor_.name, what, kind);
      return m;
    }
  }

  BackendDescriptor descriptor_;
  std::string precision_ = "fp32", device_ = "cpu";
  std::unique_ptr<Subprocess> proc_;
  json ready_ = json::object();
  model::GptConfig config_;
  int counter_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_external_backend(const BackendDescriptor& d) {
  return std::make_unique<ExternalBackend>(d);
}

}  // namespace sb::backends
