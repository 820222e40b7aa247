// The null backend and the test-only fault backend.
//  - null: does no model work (next token = previous token + 1 mod vocab), so a sample's
//    decode step latency is the harness's own overhead per step: clock reads, synchronize(),
//    the call through the Backend interface and storing the timestamp.  Option step_us busy-waits
//    that many microseconds per call (tests use it to make studies last long enough to kill).
//  - fault: the null backend plus injected faults on chosen cells and samples (abort, SIGSEGV,
//    hang, throw, memory exhaustion, SIGKILL as the OOM killer would), for the runner's tests.
#include "backends/null_backend.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>

#include "backends/engine_backend.h"
#include "util/version.h"

#if defined(SB_HAVE_MODEL)
#include "model/model.h"
#endif

namespace sb::backends {
using nlohmann::json;

namespace {

model::GptConfig config_for(const std::string& spec) {
#if defined(SB_HAVE_MODEL)
  if (!spec.empty()) return model::config_for_spec(spec);
#endif
  // Without the model module (or a spec): GPT-2's vocabulary and context.
  model::GptConfig c;
  c.n_layer = 1;
  c.n_head = 1;
  c.n_embd = 1;
  c.n_positions = 1024;
  c.vocab_size = 50257;
  return c;
}

void busy_wait_us(int us) {
  if (us <= 0) return;
  auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace

NullBackend::NullBackend(std::string name) : name_(std::move(name)) {}

BackendInfo NullBackend::info() const {
  BackendInfo i;
  i.name = name_;
  i.precision = precision_;
  i.device = device_;
  i.description = "no model work: measures the harness's own overhead";
  return i;
}

Capabilities NullBackend::capabilities() const {
  Capabilities c;
  c.logits_all = true;
  return c;
}

LoadResult NullBackend::load(const LoadRequest& request) {
  auto t0 = std::chrono::steady_clock::now();
  precision_ = request.precision;
  device_ = request.device;
  step_us_ = int_option(request.options, "step_us", 0);
  config_ = config_for(request.model_spec);
  LoadResult r;
  r.load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

void NullBackend::fill(int batch, std::span<const std::int32_t> last, LogitsMode logits, int rows,
                       StepResult& out) {
  out.next_tokens.resize(static_cast<std::size_t>(batch));
  for (int b = 0; b < batch; ++b)
    out.next_tokens[static_cast<std::size_t>(b)] =
        (last[static_cast<std::size_t>(b)] + 1) % config_.vocab_size;
  if (logits == LogitsMode::kNone) {
    out.logits.clear();
  } else {
    // Uniform logits: enough for plumbing tests of the accuracy path.
    out.logits.assign(static_cast<std::size_t>(batch) * static_cast<std::size_t>(rows) *
                          static_cast<std::size_t>(config_.vocab_size),
                      0.0f);
  }
}

void NullBackend::prefill(int batch, int seq, std::span<const std::int32_t> tokens,
                          LogitsMode logits, StepResult& out) {
  if (batch <= 0 || seq <= 0 || tokens.size() != static_cast<std::size_t>(batch) * seq)
    fail("null backend: prefill got {} tokens for batch {} x seq {}", tokens.size(), batch, seq);
  if (seq > config_.n_positions)
    fail("null backend: prompt of {} exceeds n_positions {}", seq, config_.n_positions);
  busy_wait_us(step_us_);
  last_.resize(static_cast<std::size_t>(batch));
  for (int b = 0; b < batch; ++b)
    last_[static_cast<std::size_t>(b)] = tokens[static_cast<std::size_t>(b) * seq + seq - 1];
  past_ = seq;
  fill(batch, last_, logits, logits == LogitsMode::kAll ? seq : 1, out);
}

void NullBackend::decode(std::span<const std::int32_t> tokens, LogitsMode logits,
                         StepResult& out) {
  if (past_ == 0) fail("null backend: decode before prefill");
  if (past_ + 1 > config_.n_positions)
    fail("null backend: position {} exceeds n_positions {}", past_ + 1, config_.n_positions);
  busy_wait_us(step_us_);
  ++past_;
  fill(static_cast<int>(tokens.size()), tokens, logits, 1, out);
}

// ---- fault injection ----------------------------------------------------------------------

namespace {
struct Fault {
  std::string action;    // abort | segv | hang | throw | oom | oom_kill | unsupported
  std::string scenario;  // "" = any
  std::string phase;     // "" = any
  std::string at;        // load | start | prefill | decode
  int sample = 0;        // index among measured samples (or warmups when warmup)
  bool warmup = false;
};

std::vector<Fault> parse_faults(const json& options) {
  std::vector<Fault> faults;
  auto it = options.find("faults");
  if (it == options.end()) return faults;
  if (!it->is_array()) fail("fault backend: option 'faults' must be an array of tables");
  for (const auto& f : *it) {
    Fault x;
    x.action = string_option(f, "action", "");
    static const char* kActions[] = {"abort", "segv", "hang", "throw", "oom", "oom_kill",
                                     "unsupported"};
    bool ok = false;
    for (auto* a : kActions) ok = ok || x.action == a;
    if (!ok)
      fail("fault backend: unknown action '{}' (abort, segv, hang, throw, oom, oom_kill, "
           "unsupported)",
           x.action);
    x.scenario = string_option(f, "scenario", "");
    x.phase = string_option(f, "phase", "");
    x.at = string_option(f, "at", "");
    x.sample = int_option(f, "sample", 0);
    x.warmup = bool_option(f, "warmup", false);
    faults.push_back(x);
  }
  return faults;
}

[[noreturn]] void exhaust_memory() {
  // Under AddressSanitizer a capped address space kills the process inside the sanitizer's own
  // allocator (it reports out-of-memory instead of throwing, and its shadow mappings fail), so
  // the sanitized build raises the exception the real exhaustion ends in; the release build's
  // tests exercise the real path.
  if constexpr (sb::kSanitized) throw std::bad_alloc();
  // Never let a test eat the machine: cap the address space first when nothing else did.
  // Allow 256 MiB above what the process maps now: the allocation below fails quickly.
  rlimit lim{};
  ::getrlimit(RLIMIT_AS, &lim);
  if (lim.rlim_cur == RLIM_INFINITY) {
    unsigned long long vm_kib = 0;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    char line[256];
    while (f && std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "VmSize: %llu kB", &vm_kib) == 1) break;
    if (f) std::fclose(f);
    lim.rlim_cur = vm_kib * 1024 + 256ull * 1024 * 1024;
    ::setrlimit(RLIMIT_AS, &lim);
  }
  std::vector<std::unique_ptr<char[]>> hog;
  for (;;) {
    std::size_t chunk = 16ull * 1024 * 1024;
    auto p = std::unique_ptr<char[]>(new char[chunk]);  // throws std::bad_alloc at the cap
    std::memset(p.get(), 1, chunk);
    hog.push_back(std::move(p));
  }
}

[[noreturn]] void trigger(const Fault& f) {
  if (f.action == "abort") std::abort();
  if (f.action == "segv") {
    ::raise(SIGSEGV);
    std::abort();
  }
  if (f.action == "hang") {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (f.action == "oom") exhaust_memory();
  if (f.action == "oom_kill") {
    ::raise(SIGKILL);  // what the kernel's OOM killer does
    std::abort();
  }
  if (f.action == "unsupported") throw UnsupportedError("fault backend: injected 'unsupported'");
  fail("fault backend: injected failure ({} at {})", f.action, f.at.empty() ? "sample" : f.at);
}

class FaultBackend : public NullBackend {
 public:
  FaultBackend() : NullBackend("fault") {}
  LoadResult load(const LoadRequest& request) override {
    faults_ = parse_faults(request.options);
    for (const auto& f : faults_)
      if (f.at == "load") trigger(f);
    return NullBackend::load(request);
  }
  void on_sample_start(const SampleContext& c) override {
    armed_.clear();
    for (const auto& f : faults_) {
      if (f.at == "load") continue;
      if (!f.scenario.empty() && f.scenario != c.scenario) continue;
      if (!f.phase.empty() && f.phase != c.phase) continue;
      if (f.warmup != c.warmup || f.sample != c.sample_index) continue;
      if (f.at == "start") trigger(f);
      armed_.push_back(f);
    }
  }
  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, LogitsMode logits,
               StepResult& out) override {
    fire(true);
    NullBackend::prefill(batch, seq, tokens, logits, out);
  }
  void decode(std::span<const std::int32_t> tokens, LogitsMode logits, StepResult& out) override {
    fire(false);
    NullBackend::decode(tokens, logits, out);
  }

 private:
  void fire(bool in_prefill) {
    for (const auto& f : armed_) {
      std::string at = f.at.empty() ? (f.phase == "decode" ? "decode" : "prefill") : f.at;
      if ((at == "prefill") == in_prefill) trigger(f);
    }
  }
  std::vector<Fault> faults_;
  std::vector<Fault> armed_;
};

}  // namespace

std::unique_ptr<Backend> make_null_backend() { return std::make_unique<NullBackend>("null"); }
std::unique_ptr<Backend> make_fault_backend() { return std::make_unique<FaultBackend>(); }

}  // namespace sb::backends
