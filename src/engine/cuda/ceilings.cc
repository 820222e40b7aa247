#include "engine/cuda/ceilings.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "engine/cuda/kernels.h"
#include "engine/cuda/lt_gemm.h"
#include "util/error.h"

namespace sb::engine {
namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) sb::fail("CUDA ceilings: {}: {}", what, cudaGetErrorString(e));
}

// Device memory and events released on every path (a failed step throws).
struct DeviceBuffer {
  void* p = nullptr;
  explicit DeviceBuffer(std::size_t bytes) { check(cudaMalloc(&p, bytes), "cudaMalloc"); }
  ~DeviceBuffer() { if (p) cudaFree(p); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
};

struct EventPair {
  cudaEvent_t start = nullptr, stop = nullptr;
  EventPair() {
    check(cudaEventCreate(&start), "cudaEventCreate");
    check(cudaEventCreate(&stop), "cudaEventCreate");
  }
  ~EventPair() {
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
  }
  EventPair(const EventPair&) = delete;
  EventPair& operator=(const EventPair&) = delete;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Event-timed milliseconds of `body` (enqueued on the default stream): median of `runs` after
// `warmups`.
template <class Body>
double median_ms(int warmups, int runs, Body&& body) {
  EventPair ev;
  std::vector<double> ms;
  for (int i = 0; i < warmups + runs; ++i) {
    check(cudaEventRecord(ev.start), "cudaEventRecord");
    body();
    check(cudaEventRecord(ev.stop), "cudaEventRecord");
    check(cudaEventSynchronize(ev.stop), "cudaEventSynchronize");
    float t = 0;
    check(cudaEventElapsedTime(&t, ev.start, ev.stop), "cudaEventElapsedTime");
    if (i >= warmups) ms.push_back(t);
  }
  return median(std::move(ms));
}

double d2d_bandwidth_gbps(std::size_t bytes) {
  DeviceBuffer a(bytes), b(bytes);
  check(cudak::launch_fill_normal(cudak::Dt::kF32, a.p, bytes / 4, 1, 1, 0, 1, nullptr), "fill");
  const double ms = median_ms(3, 20, [&] {
    check(cudaMemcpyAsync(b.p, a.p, bytes, cudaMemcpyDeviceToDevice), "device-to-device copy");
  });
  return 2.0 * static_cast<double>(bytes) / (ms * 1e-3) / 1e9;  // read + written
}

double gemm_tflops(cudak::LtGemm& lt, cudak::Dt dt, int n) {
  cudak::LtShape s;
  s.m = s.n = s.k = n;
  s.ldx = s.ldd = n;
  s.ab = s.cd = dt;
  if (!lt.supported(s)) sb::fail("CUDA ceilings: cuBLASLt offers no algorithm for {}", s.describe());
  const std::size_t elems = static_cast<std::size_t>(n) * n;
  DeviceBuffer w(elems * 4), x(elems * 4), d(elems * 4);  // 4 bytes: room for every type
  check(cudak::launch_fill_normal(dt, w.p, elems, 2, 1, 0, 1, nullptr), "fill");
  check(cudak::launch_fill_normal(dt, x.p, elems, 2, 2, 0, 1, nullptr), "fill");
  const double ms = median_ms(3, 10, [&] { lt.run(s, w.p, x.p, nullptr, d.p, nullptr); });
  return 2.0 * n * static_cast<double>(n) * n / (ms * 1e-3) / 1e12;
}

}  // namespace

nlohmann::json CudaCeilings::to_json() const {
  return nlohmann::json{
      {"name", name},
      {"d2d_bandwidth_gbps", d2d_bandwidth_gbps},
      {"copy_bytes", copy_bytes},
      {"gemm_tflops", gemm_tflops},
      {"gemm_n", gemm_n},
      {"method",
       "d2d: cudaMemcpyAsync device-to-device, (bytes read + written) / event-timed median of 20 after 3 warmups; "
       "gemm: cuBLASLt n^3 (compute fp32, no TF32), 2 n^3 / event-timed median of 10 after 3 warmups"},
      {"seconds", seconds}};
}

CudaCeilings measure_cuda_ceilings(int device) {
  const auto t0 = std::chrono::steady_clock::now();
  check(cudaSetDevice(device), "cudaSetDevice");
  CudaCeilings c;
  c.device = device;
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  c.name = prop.name;
  c.copy_bytes = std::size_t{1} << 30;
  c.d2d_bandwidth_gbps = d2d_bandwidth_gbps(c.copy_bytes);
  cudak::LtGemm lt(/*tf32=*/false);
  c.gemm_n = {{"fp16", 8192}, {"bf16", 8192}, {"fp32", 4096}};
  c.gemm_tflops["fp16"] = gemm_tflops(lt, cudak::Dt::kF16, c.gemm_n["fp16"]);
  c.gemm_tflops["bf16"] = gemm_tflops(lt, cudak::Dt::kBF16, c.gemm_n["bf16"]);
  c.gemm_tflops["fp32"] = gemm_tflops(lt, cudak::Dt::kF32, c.gemm_n["fp32"]);
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

}  // namespace sb::engine
