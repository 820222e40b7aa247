// Environment sampling without NVML (the path CI takes, forced here through
// SCALEBENCH_NVML_LIBRARY so it holds on GPU machines too), throttle flagging on hand-made
// samples, GPU-ceiling device selection and their documented absence without CUDA, and the
// progress display in both modes.  Its own executable: NVML is probed once per process, and this
// process must probe it with the override in place.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "bench/ceilings.h"
#include "bench/environment.h"
#include "bench/plan.h"
#include "bench/progress.h"
#include "bench/study.h"
#include "bench/test_util.h"

namespace sb::bench {
namespace {
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

class NvmlAbsent : public ::testing::Environment {
 public:
  void SetUp() override { ::setenv("SCALEBENCH_NVML_LIBRARY", "libnvidia-ml-absent-for-tests.so.1", 1); }
};
const auto* const kNvmlAbsent = ::testing::AddGlobalTestEnvironment(new NvmlAbsent);

TEST(Environment, WithoutNvmlTheStatusSaysWhyAndNoGpuIsInvented) {
  json s = nvml_status();
  EXPECT_EQ(s["available"], false);
  EXPECT_EQ(s["library"], "libnvidia-ml-absent-for-tests.so.1");
  EXPECT_THAT(s["reason"].get<std::string>(), HasSubstr("cannot load libnvidia-ml-absent-for-tests.so.1"));
  EXPECT_EQ(gpu_info(), json::array());
  json e = sample_environment();
  EXPECT_FALSE(e.contains("gpus")) << e.dump();
  EXPECT_TRUE(e.contains("loadavg_1m")) << e.dump();
  // Without GPU fields only CPU counters can flag a cell.
  EXPECT_FALSE(throttled_between(e, e));
}

TEST(Environment, HostInfoComesFromTheMachine) {
  json h = host_info();
  EXPECT_GT(h["threads"].get<int>(), 0);
  EXPECT_GT(h["memory_bytes"].get<std::int64_t>(), 0);
  EXPECT_FALSE(h["os"].get<std::string>().empty());
}

TEST(Environment, ThrottleFlags) {
  json cpu0{{"cpu_throttle_count", 5}}, cpu1{{"cpu_throttle_count", 6}};
  EXPECT_TRUE(throttled_between(cpu0, cpu1));
  EXPECT_FALSE(throttled_between(cpu1, cpu1));
  EXPECT_FALSE(throttled_between(json::object(), cpu1)) << "no baseline, no claim";
  auto gpu = [](unsigned long long reasons) {
    return json{{"gpus", json::array({json{{"index", 0}, {"sm_clock_mhz", 1980}, {"throttle_reasons", reasons}}})}};
  };
  // Power cap 0x4, HW slowdown 0x8, SW thermal 0x20, HW thermal 0x40, power brake 0x80 flag;
  // idle 0x1, application clocks 0x2 and sync boost 0x10 do not.
  for (unsigned long long r : {0x4ull, 0x8ull, 0x20ull, 0x40ull, 0x80ull, 0x1ull | 0x4ull})
    EXPECT_TRUE(throttled_between(gpu(0), gpu(r))) << r;
  for (unsigned long long r : {0x0ull, 0x1ull, 0x2ull, 0x10ull, 0x1ull | 0x2ull | 0x10ull})
    EXPECT_FALSE(throttled_between(gpu(0), gpu(r))) << r;
  // It is the state at the end of the cell that counts.
  EXPECT_FALSE(throttled_between(gpu(0x4), gpu(0)));
}

Plan plan_of(const std::string& toml) {
  sb::testing::TempDir d;
  sb::testing::write_text(d.path / "s.toml", toml);
  return make_plan(load_study(d.path / "s.toml"));
}

TEST(GpuCeilings, OneEntryPerCudaDeviceOfThePlan) {
  auto p = plan_of(R"(models = ["shape:L=1,H=1,E=4,V=300,P=64"]
scenarios = ["single_micro"]
new_tokens = 2
[[backends]]
name = "native-cuda"
devices = ["cuda:1", "cuda:0"]
[[backends]]
name = "null"
)");
  EXPECT_EQ(cuda_devices_of(p), (std::vector<std::string>{"cuda:0", "cuda:1"}));
  EXPECT_TRUE(cuda_devices_of(plan_of(R"(models = ["shape:L=1,H=1,E=4,V=300,P=64"]
scenarios = ["single_micro"]
new_tokens = 2
[[backends]]
name = "null"
)")).empty());
}

TEST(GpuCeilings, MeasuredOnesAreKept) {
  json c{{"cpu", {{"mem_bandwidth_gbps", 20.0}}}, {"cuda:0", {{"d2d_bandwidth_gbps", 3000.0}}}};
  std::ostringstream log;
  add_gpu_ceilings(c, {"cuda:0"}, log);
  EXPECT_EQ(c["cuda:0"]["d2d_bandwidth_gbps"], 3000.0);
  EXPECT_EQ(c["cpu"]["mem_bandwidth_gbps"], 20.0);
  EXPECT_EQ(log.str(), "");
}

TEST(GpuCeilings, WithoutCudaTheManifestSaysWhy) {
  if (gpu_ceilings_supported()) GTEST_SKIP() << "this build measures GPU ceilings (CUDA on); the absent path is CI's";
  json c{{"cpu", {{"mem_bandwidth_gbps", 20.0}}}};
  std::ostringstream log;
  add_gpu_ceilings(c, {"cuda:0"}, log);
  ASSERT_TRUE(c["cuda:0"].is_object());
  EXPECT_FALSE(c["cuda:0"].contains("d2d_bandwidth_gbps"));
  EXPECT_THAT(c["cuda:0"]["absent_reason"].get<std::string>(), HasSubstr("built without CUDA"));
  EXPECT_THAT(log.str(), HasSubstr("cuda:0 ceilings absent"));
}

CellKey key(const std::string& scenario) {
  CellKey k;
  k.model = "gpt2";
  k.backend = "native-cpu";
  k.precision = "fp32";
  k.device = "cpu";
  k.scenario = scenario;
  k.batch = 1;
  k.prompt_len = 8;
  k.new_tokens = 4;
  k.phase = "decode";
  return k;
}

TEST(Progress, FormatDuration) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(59.6), "1:00");
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(3723), "1:02:03");
}

TEST(Progress, PlainLinesWhenNotATerminal) {
  std::ostringstream out;
  Progress p(out, 5, 1, false);
  p.cell_started(key("single_micro"), "");
  EXPECT_EQ(out.str(), "") << "no live line in a log";
  p.cell_done(key("single_micro"), Status::kOk);
  p.message("gpt2 native-cpu: something to say");
  p.cell_done(key("single_short"), Status::kFailed);
  p.cell_done(key("single_medium"), Status::kUnsupported);
  p.finish();
  std::string s = out.str();
  EXPECT_THAT(s, HasSubstr("[2/5] ok gpt2 native-cpu fp32 single_micro 1x8 decode (elapsed 0:00)\n"));
  EXPECT_THAT(s, HasSubstr("\ngpt2 native-cpu: something to say\n"));
  EXPECT_THAT(s, HasSubstr("[3/5] FAILED gpt2 native-cpu fp32 single_short 1x8 decode"));
  EXPECT_THAT(s, HasSubstr("[4/5] UNSUPPORTED gpt2 native-cpu fp32 single_medium 1x8 decode"))
      << "an unsupported cell is named as such, not as a failure";
  EXPECT_THAT(s, HasSubstr("done: 4 cells (2 not ok) in 0:00\n"));
  EXPECT_THAT(s, Not(HasSubstr("\r"))) << "no carriage returns or escapes in a log";
  EXPECT_THAT(s, Not(HasSubstr("\033")));
}

TEST(Progress, OneLiveLineOnATerminal) {
  std::ostringstream out;
  Progress p(out, 3, 0, true);
  p.cell_started(key("single_micro"), "loading");
  std::string first = out.str();
  EXPECT_EQ(first.rfind("\r\033[K[0/3] 0 failed | gpt2 native-cpu fp32 single_micro decode (loading) | elapsed 0:00 | ETA ?", 0),
            0u)
      << first;
  p.cell_done(key("single_micro"), Status::kTimeout);
  std::string second = out.str().substr(first.size());
  EXPECT_THAT(second, HasSubstr("[1/3] 1 failed"));
  EXPECT_THAT(second, Not(HasSubstr("ETA ?"))) << "an ETA once a cell finished";
  EXPECT_THAT(second, Not(HasSubstr("\n"))) << "redrawn in place";
  p.message("note");
  std::string third = out.str().substr(first.size() + second.size());
  EXPECT_EQ(third.rfind("\r\033[Knote\n\r\033[K[1/3]", 0), 0u) << "the message gets its own line, then the line is redrawn";
  p.finish();
  EXPECT_THAT(out.str(), HasSubstr("\ndone: 1 cells (1 not ok)"));
  // A long cell name is shortened from the left to keep one line.
  std::ostringstream o2;
  Progress p2(o2, 1, 0, true);
  auto k = key(std::string(100, 's'));
  p2.cell_started(k, "");
  EXPECT_THAT(o2.str(), HasSubstr("| ...s"));
  EXPECT_LT(o2.str().size(), 140u);
}

}  // namespace
}  // namespace sb::bench
