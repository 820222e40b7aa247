// pdl_probe.cu (session 12, a measurement, not built by CMake): how long a kernel boundary costs on the
// decode path's pattern — producer A's last block stores its output and exits; consumer B, launched
// early by programmatic dependent launch (every block resident and waiting), returns from
// griddepcontrol.wait.  Compared with a flag: A's blocks add 1 to a global counter after their
// stores (release), B's thread 0 spins on it (acquire) until every A block has added.
//   nvcc -arch=sm_90 -O3 -std=c++17 -o pdl_probe scripts/s12/pdl_probe.cu
//   ./pdl_probe [blocks_A] [blocks_B] [pairs]
// Prints, per mode, the median over pairs of (first B block past its wait/flag) - (last A block's
// end), and of (last B block past) - (last A end), in ns from %globaltimer.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

__device__ __forceinline__ unsigned long long now() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// A: ~work_ns of spinning (the producer's own chain), then a store of its slice, the end stamp, and
// (flag mode) one release add per block.
__global__ void producer(float* data, unsigned long long* end_t, unsigned* counter, int work_ns, int flag) {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  asm volatile("griddepcontrol.wait;" ::: "memory");
  const unsigned long long t0 = now();
  while (now() - t0 < static_cast<unsigned long long>(work_ns)) {
  }
  data[blockIdx.x * blockDim.x + threadIdx.x] = static_cast<float>(threadIdx.x);
  __syncthreads();
  if (threadIdx.x == 0) {
    if (flag) {
      __threadfence();
      asm volatile("red.release.gpu.global.add.u32 [%0], 1;" ::"l"(counter) : "memory");
    }
    end_t[blockIdx.x] = now();
  }
}

// B: resident early; returns from griddepcontrol.wait (mode 0) or from the flag (mode 1: spins with
// acquire loads until the counter reaches target, then waits on the grid dependency only at its end,
// so that B's completion still implies A's for the kernels after it).
__global__ void consumer(const float* data, unsigned long long* past_t, unsigned* counter, unsigned target, int flag,
                         float* sink) {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  if (flag) {
    if (threadIdx.x == 0) {
      unsigned v = 0;
      do {
        asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(counter) : "memory");
      } while (v < target);
    }
    __syncthreads();
  } else {
    asm volatile("griddepcontrol.wait;" ::: "memory");
  }
  if (threadIdx.x == 0) past_t[blockIdx.x] = now();
  float s = __ldcg(data + (blockIdx.x * 37 + threadIdx.x) % 1024);
  if (flag) asm volatile("griddepcontrol.wait;" ::: "memory");
  if (s == -1.0f) sink[0] = s;
}

static void ck(cudaError_t e, const char* w) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", w, cudaGetErrorString(e));
    std::exit(1);
  }
}

template <typename K, typename... A>
static void launch(K k, int grid, int block, cudaStream_t st, A... args) {
  cudaLaunchAttribute attr{};
  attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attr.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = grid;
  cfg.blockDim = block;
  cfg.stream = st;
  cfg.attrs = &attr;
  cfg.numAttrs = 1;
  ck(cudaLaunchKernelEx(&cfg, k, args...), "launch");
}

int main(int argc, char** argv) {
  const int ga = argc > 1 ? std::atoi(argv[1]) : 132, gb = argc > 2 ? std::atoi(argv[2]) : 132;
  const int pairs = argc > 3 ? std::atoi(argv[3]) : 64;
  cudaStream_t st;
  ck(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "stream");
  float *data, *sink;
  unsigned long long *ta, *tb;
  unsigned* counters;
  ck(cudaMalloc(&data, sizeof(float) * std::max(ga, 8) * 256), "malloc");
  ck(cudaMalloc(&sink, 16), "malloc");
  ck(cudaMalloc(&ta, 8ull * ga * pairs), "malloc");
  ck(cudaMalloc(&tb, 8ull * gb * pairs), "malloc");
  ck(cudaMalloc(&counters, 4ull * pairs), "malloc");
  for (int flag = 0; flag < 2; ++flag)
    for (int rep = 0; rep < 2; ++rep) {
      ck(cudaMemset(counters, 0, 4ull * pairs), "memset");
      cudaGraph_t g;
      ck(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal), "capture");
      for (int p = 0; p < pairs; ++p) {
        launch(producer, ga, 256, st, data, ta + static_cast<std::size_t>(p) * ga, counters + p, 3000, flag);
        launch(consumer, gb, 256, st, static_cast<const float*>(data), tb + static_cast<std::size_t>(p) * gb, counters + p,
               static_cast<unsigned>(ga), flag, sink);
      }
      ck(cudaStreamEndCapture(st, &g), "end capture");
      cudaGraphExec_t ge;
      ck(cudaGraphInstantiate(&ge, g, 0), "instantiate");
      ck(cudaGraphLaunch(ge, st), "graph launch");  // warm
      ck(cudaStreamSynchronize(st), "sync");
      ck(cudaMemset(counters, 0, 4ull * pairs), "memset");
      cudaEvent_t e0, e1;
      cudaEventCreate(&e0);
      cudaEventCreate(&e1);
      cudaEventRecord(e0, st);
      ck(cudaGraphLaunch(ge, st), "graph launch");
      cudaEventRecord(e1, st);
      ck(cudaStreamSynchronize(st), "sync");
      float ms = 0;
      cudaEventElapsedTime(&ms, e0, e1);
      std::vector<unsigned long long> a(static_cast<std::size_t>(ga) * pairs), b(static_cast<std::size_t>(gb) * pairs);
      ck(cudaMemcpy(a.data(), ta, a.size() * 8, cudaMemcpyDeviceToHost), "d2h");
      ck(cudaMemcpy(b.data(), tb, b.size() * 8, cudaMemcpyDeviceToHost), "d2h");
      std::vector<double> first, last;
      for (int p = 1; p < pairs; ++p) {
        const unsigned long long aend = *std::max_element(a.begin() + p * ga, a.begin() + (p + 1) * ga);
        const unsigned long long bmin = *std::min_element(b.begin() + p * gb, b.begin() + (p + 1) * gb);
        const unsigned long long bmax = *std::max_element(b.begin() + p * gb, b.begin() + (p + 1) * gb);
        first.push_back(static_cast<double>(bmin) - static_cast<double>(aend));
        last.push_back(static_cast<double>(bmax) - static_cast<double>(aend));
      }
      std::sort(first.begin(), first.end());
      std::sort(last.begin(), last.end());
      std::printf("%-16s A=%d B=%d blocks: boundary first %.0f ns, last %.0f ns (medians of %zu; p90 %.0f / %.0f); %.2f us per pair\n",
                  flag ? "flag (acquire)" : "griddepcontrol", ga, gb, first[first.size() / 2], last[last.size() / 2],
                  first.size(), first[first.size() * 9 / 10], last[last.size() * 9 / 10], 1000.0 * ms / pairs);
      cudaGraphExecDestroy(ge);
      cudaGraphDestroy(g);
    }
  return 0;
}
