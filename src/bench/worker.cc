#include "bench/worker.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <string>

#include <nlohmann/json.hpp>

#include "backends/protocol.h"
#include "backends/registry.h"
#include "bench/timing.h"
#include "util/error.h"

namespace sb::bench {
using nlohmann::json;

long long peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  return 0;
}

namespace {

class Output {
 public:
  explicit Output(int fd) : fd_(fd) {}
  void send(const json& message) {
    std::string s = message.dump() + "\n";
    const char* p = s.data();
    std::size_t left = s.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        // The parent is gone: nothing left to report to.
        ::_exit(4);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_;
};

// Last-gasp report of a fatal signal on stderr (the worker's log), then the default action is
// restored and the signal re-raised, so the runner still sees the same death.  ONE line,
// innermost frame first, at most kFatalFrames frames as library(+offset) (what glibc's
// backtrace_symbols_fd prints, resolvable with addr2line -e LIB OFFSET): the runner copies the
// last 600 characters of stderr into the failure's error text and the report shows its start
// in a table cell, so a multi-line dump would split CSV rows and markdown tables and push the
// crash site out of the tail (hence no newline before or after it either).  backtrace() is called once at installation (it loads libgcc's
// unwinder, which allocates), so in the handler it and dladdr (which backtrace_symbols_fd uses
// too) only read; as async-signal-safe as a backtrace gets.  An alternate stack lets it run
// after a stack overflow too.
constexpr int kFatalFrames = 10;

void write_stderr(const char* s, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(2, s, n);
    if (w <= 0) {
      if (w < 0 && errno == EINTR) continue;
      return;
    }
    s += w;
    n -= static_cast<std::size_t>(w);
  }
}

void write_stderr(const char* s) { write_stderr(s, std::strlen(s)); }

void write_hex(std::uintptr_t v) {
  char buf[2 + 2 * sizeof v];
  int len = 0;
  do {
    buf[sizeof buf - 1 - len++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  write_stderr("0x");
  write_stderr(buf + sizeof buf - len, static_cast<std::size_t>(len));
}

extern "C" void sb_worker_fatal_signal(int sig) {
  const char* name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGABRT ? "SIGABRT"
                   : sig == SIGFPE ? "SIGFPE" : sig == SIGILL ? "SIGILL" : "signal";
  char num[16];
  int len = 0;
  for (int v = sig; len == 0 || v > 0; v /= 10) num[len++] = static_cast<char>('0' + v % 10);
  write_stderr("scalebench worker: fatal signal ");
  write_stderr(name);
  write_stderr(" (");
  while (len > 0) write_stderr(&num[--len], 1);
  write_stderr("); backtrace, innermost first:");
  void* frames[kFatalFrames + 1];
  const int n = ::backtrace(frames, kFatalFrames + 1);
  for (int i = 1; i < n; ++i) {  // frame 0 is this handler
    write_stderr(" ");
    Dl_info info{};
    if (::dladdr(frames[i], &info) != 0 && info.dli_fname != nullptr && info.dli_fbase != nullptr) {
      const char* base = std::strrchr(info.dli_fname, '/');
      write_stderr(base != nullptr ? base + 1 : info.dli_fname);
      write_stderr("(+");
      write_hex(reinterpret_cast<std::uintptr_t>(frames[i]) - reinterpret_cast<std::uintptr_t>(info.dli_fbase));
      write_stderr(")");
    } else {
      write_hex(reinterpret_cast<std::uintptr_t>(frames[i]));
    }
  }
  write_stderr("; end of backtrace");  // no newline: the runner's error text stays one line
  ::signal(sig, SIG_DFL);  // SA_RESETHAND already did; explicit for clarity
  ::raise(sig);
}

void install_fatal_signal_handlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  void* warm[1];
  ::backtrace(warm, 1);  // loads libgcc's unwinder now, not inside the handler
  static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa{};
  sa.sa_handler = sb_worker_fatal_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND | SA_ONSTACK;
  for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) ::sigaction(sig, &sa, nullptr);
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(); }

std::vector<std::int32_t> flatten_prompt(const json& prompt, int batch, int seq) {
  if (!prompt.is_array() || static_cast<int>(prompt.size()) != batch)
    fail("run: 'prompt' must be an array of {} rows", batch);
  std::vector<std::int32_t> ids;
  ids.reserve(static_cast<std::size_t>(batch) * seq);
  for (const auto& row : prompt) {
    if (!row.is_array() || static_cast<int>(row.size()) != seq)
      fail("run: every prompt row must hold {} token ids", seq);
    for (const auto& t : row) ids.push_back(t.get<std::int32_t>());
  }
  return ids;
}

}  // namespace

int run_worker(std::istream& in, int out_fd) {
  install_fatal_signal_handlers();
  Output out(out_fd);
  std::unique_ptr<backends::Backend> backend;
  bool loaded = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::string cell_id;
    try {
      json op = backends::parse_protocol_line(line, "worker");
      std::string kind = op.value("op", "");
      cell_id = op.value("cell_id", "");
      if (kind == "shutdown") return 0;
      if (kind == "load") {
        if (backend) fail("load: this worker already loaded a backend");
        if (op.value("protocol", "") != backends::kWorkerProtocol)
          fail("load: protocol '{}' is not '{}'", op.value("protocol", ""), backends::kWorkerProtocol);
        backend = backends::create_backend(op.at("backend").get<std::string>());
        backends::LoadRequest r;
        r.model_id = op.value("model_id", "");
        r.model_spec = op.value("model_spec", "");
        r.weights_seed = op.value("weights_seed", std::uint64_t{0});
        r.precision = op.value("precision", "fp32");
        r.device = op.value("device", "cpu");
        r.options = op.value("options", json::object());
        r.artifacts_dir = op.value("artifacts_dir", "");
        r.max_batch = op.value("max_batch", 1);
        r.max_seq = op.value("max_seq", 0);
        auto res = backend->load(r);
        loaded = true;
        const auto& c = backend->config();
        auto dev = backend->peak_device_bytes();
        out.send(json{{"msg", "ready"},
                      {"protocol", backends::kWorkerProtocol},
                      {"info", backend->info().to_json()},
                      {"capabilities", backend->capabilities().to_json()},
                      {"load_ms", res.load_ms},
                      {"build_ms", optional_number(res.build_ms)},
                      {"artifact", res.artifact},
                      {"model", res.model},
                      {"config", json{{"vocab_size", c.vocab_size}, {"n_positions", c.n_positions},
                                      {"n_layer", c.n_layer}, {"n_head", c.n_head}, {"n_embd", c.n_embd}}},
                      {"peak_rss_bytes", peak_rss_bytes()},
                      {"peak_device_bytes", dev ? json(*dev) : json()}});
        continue;
      }
      if (!loaded) fail("'{}' before load", kind);
      if (kind == "run") {
        int batch = op.at("batch").get<int>();
        int seq = op.at("prompt_len").get<int>();
        int n = op.at("new_tokens").get<int>();
        int warmup = op.value("warmup", 0);
        int reps = op.at("repetitions").get<int>();
        std::string phase = op.at("phase").get<std::string>();
        std::string scenario = op.value("scenario", "");
        if (phase != "prefill" && phase != "decode") fail("run: unknown phase '{}'", phase);
        auto caps = backend->capabilities();
        if (caps.max_batch > 0 && batch > caps.max_batch)
          throw backends::UnsupportedError(fmt::format("batch {} exceeds the backend's declared maximum {}",
                                                       batch, caps.max_batch));
        auto prompt = flatten_prompt(op.at("prompt"), batch, seq);
        backends::StepResult scratch;
        std::vector<std::int32_t> feed;
        for (int i = 0; i < warmup + reps; ++i) {
          bool is_warmup = i < warmup;
          int index = is_warmup ? i : i - warmup;
          backend->on_sample_start({scenario, phase, index, is_warmup});
          auto t = time_sample(*backend, batch, seq, prompt, n, phase == "decode", scratch, feed);
          json m{{"msg", "sample"}, {"cell_id", cell_id}, {"sample", index}, {"warmup", is_warmup},
                 {"prefill_ms", t.prefill_ms}, {"tokens", t.tokens_produced}, {"logits_mode", "last"}};
          if (phase == "decode") m["decode_step_ms"] = t.decode_step_ms;
          out.send(m);
        }
        auto dev = backend->peak_device_bytes();
        out.send(json{{"msg", "cell_done"}, {"cell_id", cell_id}, {"peak_rss_bytes", peak_rss_bytes()},
                      {"peak_device_bytes", dev ? json(*dev) : json()}});
        continue;
      }
      if (kind == "logits") {
        int batch = op.at("batch").get<int>();
        int seq = op.at("seq").get<int>();
        std::string mode = op.value("mode", "last");
        if (mode != "last" && mode != "all") fail("logits: mode must be last or all");
        auto tokens = flatten_prompt(op.at("tokens"), batch, seq);
        auto values = backend->logits(batch, seq, tokens,
                                      mode == "all" ? backends::LogitsMode::kAll : backends::LogitsMode::kLast);
        auto info = backends::write_logits_file(op.at("out").get<std::string>(), values, batch, seq, mode,
                                                backend->config().vocab_size);
        out.send(json{{"msg", "logits"}, {"out", op.at("out")}, {"rows", info.rows}, {"vocab", info.vocab},
                      {"sha256", info.sha256}});
        continue;
      }
      fail("unknown op '{}'", kind);
    } catch (const std::bad_alloc&) {
      out.send(json{{"msg", "error"}, {"cell_id", cell_id}, {"status", "oom"},
                    {"error", "out of memory (std::bad_alloc)"}});
      return 3;
    } catch (const backends::UnsupportedError& e) {
      out.send(json{{"msg", "error"}, {"cell_id", cell_id}, {"status", "unsupported"}, {"error", e.what()}});
      if (!loaded) return 0;  // unsupported load: nothing more to do
    } catch (const std::exception& e) {
      out.send(json{{"msg", "error"}, {"cell_id", cell_id}, {"status", "failed"}, {"error", e.what()}});
      return 2;
    }
  }
  return 0;
}

}  // namespace sb::bench
