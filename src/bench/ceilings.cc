#include "bench/ceilings.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <set>

#include <fmt/format.h>

#if defined(SB_HAVE_CUDA) && __has_include("engine/cuda/ceilings.h")
#include "engine/cuda/ceilings.h"
#define SB_BENCH_CUDA_CEILINGS 1
#endif

namespace sb::bench {
using nlohmann::json;

std::vector<std::string> cuda_devices_of(const Plan& plan) {
  std::set<std::string> devices;
  for (const auto& g : plan.groups)
    if (g.device.rfind("cuda:", 0) == 0) devices.insert(g.device);
  return {devices.begin(), devices.end()};
}

bool gpu_ceilings_supported() {
#if defined(SB_BENCH_CUDA_CEILINGS)
  return true;
#else
  return false;
#endif
}

namespace {

#if defined(SB_BENCH_CUDA_CEILINGS)
// Runs the measurement in a child; returns the entry (numbers or absent_reason).
json measure_in_child(int device) {
  int fds[2];
  if (::pipe(fds) != 0) return json{{"absent_reason", "could not create a pipe for the measurement"}};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return json{{"absent_reason", "could not fork the measurement process"}};
  }
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    int code = 0;
    try {
      out = engine::measure_cuda_ceilings(device).to_json().dump();
    } catch (const std::exception& e) {
      out = json{{"absent_reason", std::string("measurement failed: ") + e.what()}}.dump();
      code = 1;
    }
    out += "\n";
    for (std::size_t done = 0; done < out.size();) {
      auto n = ::write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      timed_out = r == 0;
      break;
    }
    char buf[4096];
    auto n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) return json{{"absent_reason", "measurement did not finish within 180 s; killed"}};
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::string how = WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                          : fmt::format("exit {}", WEXITSTATUS(status));
    return json{{"absent_reason", "measurement process ended (" + how + ") without a result"}};
  }
  return j;
}
#endif

}  // namespace

void add_gpu_ceilings(json& ceilings, const std::vector<std::string>& devices, std::ostream& log) {
  if (!ceilings.is_object()) ceilings = json::object();
  for (const auto& dev : devices) {
    if (ceilings.contains(dev) && ceilings[dev].is_object() && ceilings[dev].contains("d2d_bandwidth_gbps")) continue;
#if defined(SB_BENCH_CUDA_CEILINGS)
    log << "measuring " << dev << " ceilings (device-to-device copy bandwidth, cuBLASLt fp16/bf16/fp32 GEMM)...\n";
    const int index = std::stoi(dev.substr(5));
    json entry = measure_in_child(index);
    if (entry.contains("absent_reason"))
      log << "warning: " << dev << " ceilings absent: " << entry["absent_reason"].get<std::string>() << "\n";
    else
      log << fmt::format("{}: {:.0f} GB/s copy (read + written), GEMM {:.0f} / {:.0f} / {:.1f} TFLOP/s fp16/bf16/fp32\n",
                         dev, entry.value("d2d_bandwidth_gbps", 0.0), entry["gemm_tflops"].value("fp16", 0.0),
                         entry["gemm_tflops"].value("bf16", 0.0), entry["gemm_tflops"].value("fp32", 0.0));
    ceilings[dev] = entry;
#else
    ceilings[dev] = json{{"absent_reason",
                          "this scalebench was built without CUDA (SB_ENABLE_CUDA=OFF): GPU ceilings were not "
                          "measured, so the report computes no roofline floor for " + dev + " cells"}};
    log << "note: " << dev << " ceilings absent (this build has no CUDA); GPU cells get no roofline floor\n";
#endif
  }
}

}  // namespace sb::bench
