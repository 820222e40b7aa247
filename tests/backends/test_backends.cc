// Backends: the registry declares what DESIGN.md names; the null backend and the timing loop
// behave; subprocesses are killed as a group and their ends classified; logits files round-trip
// and detect corruption; the native-cpu adapter adds nothing to what the engine computes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "backends/engine_backend.h"
#include "backends/protocol.h"
#include "backends/registry.h"
#include "backends/subprocess.h"
#include "bench/timing.h"
#include "bench/test_util.h"
#include "util/error.h"

namespace sb::backends {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

TEST(Registry, DesignNamesAliasesAndDeclarations) {
  for (const char* n : {"native-cpu", "native-cuda", "onnxruntime-cpu", "onnxruntime-cuda", "transformers-eager",
                        "transformers-compile", "external", "null"}) {
    const auto* d = find_backend(n);
    ASSERT_NE(d, nullptr) << n;
    EXPECT_EQ(d->name, n);
    EXPECT_FALSE(d->precisions.empty());
    std::string why;
    if (!d->available(&why)) EXPECT_FALSE(why.empty()) << n << ": unavailable needs a reason";
  }
  ASSERT_NE(find_backend("onnxruntime-gpu"), nullptr);
  EXPECT_EQ(find_backend("onnxruntime-gpu")->name, "onnxruntime-cuda");
  EXPECT_EQ(find_backend("tensorrt"), nullptr);
  EXPECT_EQ(find_backend("native-cpu")->precisions, std::vector<std::string>{"fp32"});
  EXPECT_TRUE(find_backend("transformers-eager")->external);
  EXPECT_EQ(device_kind("cpu"), "cpu");
  EXPECT_EQ(device_kind("cuda:3"), "cuda");
  EXPECT_EQ(device_kind("cuda:"), "");
  EXPECT_EQ(device_kind("gpu"), "");
}

TEST(Registry, WorkerCommands) {
  auto self = worker_command(*find_backend("native-cpu"), nlohmann::json::object(), "/bin/sb");
  EXPECT_EQ(self, (std::vector<std::string>{"/bin/sb", "worker"}));
  auto ext = worker_command(*find_backend("external"), {{"command", {"python3", "w.py", "--x"}}}, "/bin/sb");
  EXPECT_EQ(ext, (std::vector<std::string>{"python3", "w.py", "--x"}));
  EXPECT_THROW(worker_command(*find_backend("external"), nlohmann::json::object(), "/bin/sb"), sb::Error);
  auto hf = worker_command(*find_backend("transformers-compile"), {{"python", "/opt/py"}}, "/bin/sb");
  ASSERT_EQ(hf.size(), 2u);
  EXPECT_EQ(hf[0], "/opt/py");
  EXPECT_THAT(hf[1], HasSubstr("transformers_worker.py"));
}

TEST(NullBackend, TimingLoopRecordsOneLatencyPerDecodeStep) {
  auto b = create_backend("null");
  LoadRequest r;
  r.model_spec = "tiny-gpt2";
  b->load(r);
  std::vector<std::int32_t> prompt = {1, 2, 3, 4, 5, 6};
  StepResult scratch;
  std::vector<std::int32_t> feed;
  auto t = bench::time_sample(*b, 2, 3, prompt, 5, true, scratch, feed);
  EXPECT_EQ(t.decode_step_ms.size(), 4u);
  EXPECT_EQ(t.tokens_produced, 10);
  EXPECT_GE(t.prefill_ms, 0.0);
  // Greedy chain of the null backend: last prompt token + 1 per step.
  EXPECT_EQ(scratch.next_tokens, (std::vector<std::int32_t>{3 + 5, 6 + 5}));
  auto p = bench::time_sample(*b, 2, 3, prompt, 5, false, scratch, feed);
  EXPECT_TRUE(p.decode_step_ms.empty());
  EXPECT_EQ(p.tokens_produced, 2);
}

TEST(Subprocess, LinesTimeoutsAndGroupKill) {
  Subprocess::Options o;
  // Echo one line, then start a grandchild and hang: kill_group must end both.
  o.argv = {"/bin/sh", "-c", "read x; echo got:$x; sleep 1000 & wait"};
  Subprocess p(o);
  p.write_line("hello");
  std::string line;
  ASSERT_EQ(p.read_line(line, Clock::now() + std::chrono::seconds(10)), Subprocess::ReadStatus::kLine);
  EXPECT_EQ(line, "got:hello");
  auto t0 = Clock::now();
  EXPECT_EQ(p.read_line(line, Clock::now() + std::chrono::milliseconds(200)), Subprocess::ReadStatus::kTimeout);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
  p.kill_group();
  auto e = p.wait();
  EXPECT_FALSE(e.exited);
  EXPECT_EQ(e.signal, SIGKILL);
  EXPECT_TRUE(e.killed_by_us);
  // The grandchild must be gone too: no live (non-zombie) process left in the group.  A killed
  // orphan may stay a zombie until init reaps it, so only the state counts.
  auto live_in_group = [pgid = p.pid()] {
    int live = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      std::ifstream stat(e.path() / "stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      auto close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(line.substr(close + 2));
      char state = 0;
      int ppid = 0, pgrp = 0;
      rest >> state >> ppid >> pgrp;
      if (pgrp == pgid && state != 'Z' && state != 'X') ++live;
    }
    return live;
  };
  auto until = Clock::now() + std::chrono::seconds(5);
  while (live_in_group() > 0 && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(live_in_group(), 0);
}

TEST(Subprocess, ExitCodesSignalsAndMissingPrograms) {
  {
    Subprocess p({{"/bin/sh", "-c", "exit 3"}, {}, "", 0});
    std::string line;
    EXPECT_EQ(p.read_line(line, Clock::now() + std::chrono::seconds(10)), Subprocess::ReadStatus::kEof);
    auto e = p.wait();
    EXPECT_TRUE(e.exited);
    EXPECT_EQ(e.code, 3);
  }
  {
    Subprocess p({{"/bin/sh", "-c", "kill -SEGV $$"}, {}, "", 0});
    auto e = p.wait();
    EXPECT_FALSE(e.exited);
    EXPECT_EQ(e.signal, SIGSEGV);
    EXPECT_FALSE(e.killed_by_us);
    EXPECT_THAT(e.describe(), HasSubstr("signal 11"));
  }
  EXPECT_THROW(Subprocess({{"/no/such/program"}, {}, "", 0}), sb::Error);
}

TEST(LogitsFile, RoundTripAndCorruptionDetected) {
  sb::testing::TempDir d;
  std::vector<float> v = {1.0f, -2.5f, 3.25f, 0.0f, 1e-7f, -1e30f};
  auto path = d.path / "l.f32";
  auto info = write_logits_file(path, v, 1, 2, "all", 3);
  EXPECT_EQ(info.rows, 2);
  LogitsFileInfo back_info;
  EXPECT_EQ(read_logits_file(path, &back_info), v);
  EXPECT_EQ(back_info.vocab, 3);
  EXPECT_EQ(back_info.mode, "all");
  EXPECT_EQ(std::filesystem::file_size(path), v.size() * 4);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);
    f.put('\x7f');
  }
  EXPECT_THROW(read_logits_file(path), sb::Error);
  EXPECT_THROW(write_logits_file(path, v, 1, 2, "all", 4), sb::Error);  // 6 values are not rows of 4
}

TEST(NativeCpu, AdapterMatchesTheEngineAndDeclaresCapabilities) {
  std::string why;
  if (!find_backend("native-cpu")->available(&why)) GTEST_SKIP() << why;
  auto b = create_backend("native-cpu");
  LoadRequest r;
  r.model_spec = "shape:L=2,H=2,E=16,V=97,P=64";
  r.weights_seed = 5;
  r.max_batch = 2;
  r.options = {{"threads", 1}};
  auto res = b->load(r);
  EXPECT_GT(res.load_ms, 0.0);
  ASSERT_TRUE(res.model.is_object());
  EXPECT_GT(res.model.value("params", 0), 0);
  EXPECT_EQ(b->info().precision, "fp32");
  EXPECT_TRUE(b->capabilities().logits_all);
  std::vector<std::int32_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8};
  StepResult out;
  b->reset();
  b->prefill(2, 4, prompt, LogitsMode::kNone, out);
  auto tokens = out.next_tokens;
  // logits(kLast) argmax equals the greedy tokens.
  auto logits = b->logits(2, 4, prompt, LogitsMode::kLast);
  ASSERT_EQ(logits.size(), 2u * 97);
  for (int s = 0; s < 2; ++s) {
    auto row = logits.begin() + s * 97;
    EXPECT_EQ(std::max_element(row, row + 97) - row, tokens[s]);
  }
  LoadRequest bad = r;
  bad.precision = "fp16";
  EXPECT_THROW(create_backend("native-cpu")->load(bad), UnsupportedError);
}

// onnxruntime backends export both graph variants: the last-position graph serves the timed
// steps, the all-position graph (model.onnx beside it) serves logits(kAll) — which must equal
// the native-cpu reference on the same weights.  A second load reuses both from the cache.
TEST(OnnxRuntime, AllPositionLogitsThroughTheExportedAllPositionGraph) {
  std::string why;
  if (!find_backend("onnxruntime-cpu")->available(&why)) GTEST_SKIP() << why;
  if (!find_backend("native-cpu")->available(&why)) GTEST_SKIP() << why;
  sb::testing::TempDir dir;
  LoadRequest r;
  r.model_id = "m";
  r.model_spec = "shape:L=2,H=2,E=16,V=97,P=64";
  r.weights_seed = 9;
  r.max_batch = 2;
  r.artifacts_dir = dir.path;
  r.options = {{"threads", 1}};
  auto ort = create_backend("onnxruntime-cpu");
  EXPECT_TRUE(ort->capabilities().logits_all);
  auto res = ort->load(r);
  ASSERT_TRUE(res.artifact.is_object());
  EXPECT_EQ(res.artifact.value("kind", ""), "onnx");
  EXPECT_EQ(res.artifact.value("file", ""), "model_last_logits.onnx");
  EXPECT_EQ(res.artifact["all_logits"].value("file", ""), "model.onnx");
  EXPECT_FALSE(res.artifact.value("cached", true));
  EXPECT_TRUE(res.build_ms.has_value());
  auto cpu = create_backend("native-cpu");
  cpu->load(r);
  std::vector<std::int32_t> prompt = {5, 17, 3, 90, 41, 2, 66, 8, 12, 1};
  auto a = ort->logits(2, 5, prompt, LogitsMode::kAll);
  auto ref = cpu->logits(2, 5, prompt, LogitsMode::kAll);
  ASSERT_EQ(a.size(), 2u * 5 * 97);
  ASSERT_EQ(ref.size(), a.size());
  double max_abs = 0;
  for (std::size_t i = 0; i < a.size(); ++i) max_abs = std::max(max_abs, double(std::abs(a[i] - ref[i])));
  EXPECT_LT(max_abs, 1e-3) << "onnxruntime kAll logits vs native-cpu";
  // The last position of kAll equals kLast from the timed graph.
  auto last = ort->logits(2, 5, prompt, LogitsMode::kLast);
  ASSERT_EQ(last.size(), 2u * 97);
  for (int b = 0; b < 2; ++b)
    for (int v = 0; v < 97; ++v)
      EXPECT_NEAR(last[b * 97 + v], a[(b * 5 + 4) * 97 + v], 1e-4);
  // Cached the second time (both variants).
  auto again = create_backend("onnxruntime-cpu")->load(r);
  EXPECT_TRUE(again.artifact.value("cached", false));
  EXPECT_TRUE(again.artifact["all_logits"].value("cached", false));
  EXPECT_FALSE(again.build_ms.has_value());
}


// onnxruntime's CUDA graphs failed in every decode cell on the GPU (docs/onnx.md): the option is
// refused as `unsupported` with that reason on every machine, before anything loads — never a
// CUDA error mid-study.  On the CPU provider the option does not apply at all.
// cuda_graphs on onnxruntime-cuda runs the static_kv export (fixed K-slot KV cache, K = the
// worker's max_seq), so ORT can replay captured decode graphs; it stays unsupported on the CPU
// provider.  Without the CUDA provider (CI) the provider's absence is the reason given; on the
// GPU machine the cell loads and runs, and the artifact says which export it timed.
TEST(OnnxRuntime, CudaGraphsRunTheStaticKvExport) {
  LoadRequest r;
  r.model_id = "m";
  r.model_spec = "shape:L=2,H=2,E=16,V=97,P=64";
  r.device = "cuda:0";
  r.options = {{"cuda_graphs", true}};
  r.max_batch = 2;
  r.max_seq = 24;
  sb::testing::TempDir dir;
  r.artifacts_dir = dir.path;
  std::string why;
  if (find_backend("onnxruntime-cuda")->available(&why)) {
    auto b = create_backend("onnxruntime-cuda");
    const LoadResult res = b->load(r);
    EXPECT_EQ(res.artifact.value("static_kv_positions", -1), 24) << res.artifact.dump();
    EXPECT_THAT(res.artifact.value("file", ""), HasSubstr("model_static_kv24_last_logits.onnx"));
    EXPECT_THAT(b->info().description, HasSubstr("CUDA graphs")) << b->info().description;
    StepResult out;
    const std::vector<std::int32_t> prompt = {1, 2, 3, 4, 5, 6, 7, 8};
    for (int rep = 0; rep < 2; ++rep) {  // the second sequence replays the captured graphs
      b->prefill(2, 4, prompt, LogitsMode::kLast, out);
      for (int step = 0; step < 6; ++step) b->decode(out.next_tokens, LogitsMode::kLast, out);
      EXPECT_EQ(out.next_tokens.size(), 2u);
    }
  } else {
    try {
      create_backend("onnxruntime-cuda")->load(r);
      FAIL() << "onnxruntime-cuda loaded although unavailable: " << why;
    } catch (const UnsupportedError& e) {
      // The provider's absence is the reason, not the option (no longer refused).
      EXPECT_THAT(std::string(e.what()), HasSubstr(why));
      EXPECT_THAT(std::string(e.what()), Not(HasSubstr("cuda_graphs")));
    }
  }
  r.device = "cpu";
  try {
    create_backend("onnxruntime-cpu")->load(r);
    FAIL() << "cuda_graphs = true loaded on the CPU provider";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA provider only"), std::string::npos) << e.what();
  }
  // Off: the dynamic-past export (the CPU provider loads where ORT is present).
  r.options = {{"cuda_graphs", false}, {"threads", 1}};
  if (!find_backend("onnxruntime-cpu")->available(&why)) return;
  auto cpu = create_backend("onnxruntime-cpu");
  LoadResult res;
  ASSERT_NO_THROW(res = cpu->load(r));
  EXPECT_EQ(res.artifact.value("static_kv_positions", -1), 0) << res.artifact.dump();
  EXPECT_EQ(res.artifact.value("file", ""), "model_last_logits.onnx");
}

}  // namespace
}  // namespace sb::backends
