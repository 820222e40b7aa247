// scripts/s11/gemv_probe.cu — session 11 (s11-xl): where a lone gpt2-xl decode GEMV spends its
// time.  A replica of gemv.cu's fp16 one-row register path (V = 4: weights' first chunk in
// registers before griddepcontrol.wait, LayerNorm gamma/beta by the scalar loop, the input row by
// one bulk copy, LayerNorm with two block reductions, dot products, warp reduction, one store per
// row, later row groups loaded after the first's epilogue), with switches that leave one stage
// out or reorder it, timed (a) alone (events around 20 back-to-back launches, each on another copy
// of the weights so nothing comes from L2), (b) chained with programmatic dependent launch (the
// decode graph's overlap: a kernel's blocks start as the previous one's exit), and (c) a per-block
// timeline (globaltimer + clock64 at the phase boundaries of block b, thread 0).
// Build: nvcc -O3 -std=c++17 -arch=sm_90 -I src -o gemv_probe scripts/s11/gemv_probe.cu
// Not part of the engine; results in docs/perf-cuda.md "Session 11: ... (s11-xl)".
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#define CK(x)                                                                              \
  do {                                                                                     \
    cudaError_t e_ = (x);                                                                  \
    if (e_ != cudaSuccess) {                                                               \
      std::fprintf(stderr, "FATAL %s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(2);                                                                        \
    }                                                                                      \
  } while (0)

namespace {
constexpr unsigned kFull = 0xFFFFFFFFu;
constexpr int kThreads = 128, kWarps = 4;

// Mode bits.
constexpr int kLnFirst = 1;   // gamma/beta loop before the weight loads
constexpr int kNoLn = 2;      // no LayerNorm (x staged as is; no gamma/beta)
constexpr int kGVec = 4;      // gamma/beta by 16-byte loads, 4 in flight per thread
constexpr int kXLoad = 8;     // x by ld.global.cg (V = 0) instead of one bulk copy (V = 4)
constexpr int kNoGamma = 16;  // LayerNorm with gamma = 1, beta = 0 (no parameter loads)
constexpr int kStream = 32;   // no x, no LN, no smem: loads + dot with constant + store (stream floor)
constexpr int kLnAll = 64;    // NT > 128: the LayerNorm sums over all NT threads (else threads 0..127, main's order)

struct Args {
  const __half* w;
  int N, K;
  const __half* x;
  const float* g;
  const float* b;
  const __half* bias;
  __half* out;
  unsigned long long* tr;  // [grid][8] globaltimer, then [grid][8] clock64 at tr + grid * 8
  float eps;
};

__device__ __forceinline__ unsigned long long gtime() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}
__device__ __forceinline__ void stamp(const Args& a, int i) {
  if (a.tr != nullptr && threadIdx.x == 0) {
    a.tr[blockIdx.x * 8 + i] = gtime();
    a.tr[(gridDim.x + blockIdx.x) * 8 + i] = clock64();
  }
}
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(kFull, v, o);
  return v;
}
template <int W>
__device__ __forceinline__ float block_sum(float v, float* red) {
  v = warp_sum(v);
  __syncthreads();
  if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
  __syncthreads();
  float t = 0.f;
#pragma unroll
  for (int w = 0; w < W; ++w) t += red[w];
  return t;
}
__device__ __forceinline__ unsigned smem_u32(const void* p) { return static_cast<unsigned>(__cvta_generic_to_shared(p)); }
__device__ __forceinline__ void mbar_init(unsigned long long* bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(smem_u32(bar)), "r"(count) : "memory");
}
__device__ __forceinline__ void mbar_expect_tx(unsigned long long* bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem_u32(bar)), "r"(bytes) : "memory");
}
__device__ __forceinline__ bool mbar_try_wait(unsigned long long* bar, unsigned parity) {
  unsigned ok = 0;
  asm volatile(
      "{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}\n"
      : "=r"(ok)
      : "r"(smem_u32(bar)), "r"(parity)
      : "memory");
  return ok != 0;
}
__device__ __forceinline__ void bulk_g2s(void* dst, const void* src, unsigned bytes, unsigned long long* bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(
                   smem_u32(dst)),
               "l"(src), "r"(bytes), "r"(smem_u32(bar))
               : "memory");
}

template <int MODE, int CH, int MINB, int NT>
__global__ void __launch_bounds__(NT, MINB) probe_kernel(Args a) {
  constexpr int kThreads = NT, kWarps = NT / 32;
  constexpr int LNT = (MODE & kLnAll) ? NT : 128;  // threads that sum the LayerNorm statistics
  extern __shared__ __align__(16) unsigned char smem[];
  __shared__ float red[kWarps];
  __shared__ unsigned long long bar;
  const int K = a.K, N = a.N, tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int KV = K / 8;
  __half* xs = reinterpret_cast<__half*>(smem);
  float* lg = reinterpret_cast<float*>(smem + ((K * 2 + 15) & ~15));
  float* lb = lg + K;
  constexpr bool LN = !(MODE & kNoLn) && !(MODE & kStream);
  constexpr bool GAM = LN && !(MODE & kNoGamma);
  const int stride = gridDim.x * kWarps;
  int n0 = blockIdx.x * kWarps + warp;
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
  stamp(a, 0);
  auto gamma_loop = [&] {
    if constexpr (GAM) {
      if constexpr (MODE & kGVec) {
        const int nv = K / 4;  // float4 per array
        for (int i0 = 0; i0 < 2 * nv; i0 += 4 * kThreads) {
          float4 t[4];
#pragma unroll
          for (int u = 0; u < 4; ++u) {
            const int i = i0 + u * kThreads + tid;
            if (i < 2 * nv) t[u] = __ldg(reinterpret_cast<const float4*>(i < nv ? a.g : a.b) + (i < nv ? i : i - nv));
          }
#pragma unroll
          for (int u = 0; u < 4; ++u) {
            const int i = i0 + u * kThreads + tid;
            if (i < 2 * nv) reinterpret_cast<float4*>(lg)[i] = t[u];  // lb = lg + K: contiguous
          }
        }
      } else {
        for (int k = tid; k < K; k += kThreads) {
          lg[k] = a.g[k];
          lb[k] = a.b[k];
        }
      }
    }
  };
  if constexpr ((MODE & kLnFirst) != 0) gamma_loop();
  uint4 wv[CH];
  const bool pre = n0 < N;
  auto load = [&](int n) {
#pragma unroll
    for (int u = 0; u < CH; ++u) {
      const int v = u * 32 + lane;
      wv[u] = (n < N && v < KV) ? __ldg(reinterpret_cast<const uint4*>(a.w + static_cast<size_t>(n) * K) + v)
                                : make_uint4(0, 0, 0, 0);
    }
  };
  if (pre) load(n0);
  float bias = 0.f;
  if (lane == 0 && n0 < N) bias = __half2float(a.bias[n0]);
  if constexpr ((MODE & kLnFirst) == 0) gamma_loop();
  if constexpr (!(MODE & kXLoad) && !(MODE & kStream)) {
    if (tid == 0) {
      mbar_init(&bar, 1);
      asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    __syncthreads();
  }
  asm volatile("griddepcontrol.wait;" ::: "memory");
  stamp(a, 1);
  if constexpr (!(MODE & kStream)) {
    if constexpr (MODE & kXLoad) {
      for (int i = tid; i < KV; i += kThreads) reinterpret_cast<uint4*>(xs)[i] = __ldcg(reinterpret_cast<const uint4*>(a.x) + i);
    } else {
      if (tid == 0) {
        mbar_expect_tx(&bar, K * 2);
        bulk_g2s(xs, a.x, K * 2, &bar);
      }
      while (!mbar_try_wait(&bar, 0)) {
      }
    }
    __syncthreads();
    stamp(a, 2);
    if constexpr (LN) {
      float s = 0.f;
      if (tid < LNT)
        for (int k = tid; k < K; k += LNT) s += __half2float(xs[k]);
      s = block_sum<kWarps>(s, red);
      const float mean = s / K;
      float q = 0.f;
      if (tid < LNT)
        for (int k = tid; k < K; k += LNT) {
          const float d = __half2float(xs[k]) - mean;
          q += d * d;
        }
      q = block_sum<kWarps>(q, red);
      const float rstd = 1.0f / sqrtf(q / K + a.eps);
      __syncthreads();  // every thread has read xs before it is overwritten
      stamp(a, 3);
      for (int k = tid; k < K; k += kThreads) {
        const float gk = GAM ? lg[k] : 1.f, bk = GAM ? lb[k] : 0.f;
        xs[k] = __float2half_rn((__half2float(xs[k]) - mean) * rstd * gk + bk);
      }
    }
    __syncthreads();
  }
  stamp(a, 4);
  bool first = true;
  for (; n0 < N; n0 += stride) {
    if (!first) {
      load(n0);
      if (lane == 0) bias = __half2float(a.bias[n0]);
    }
    float acc = 0.f;
#pragma unroll
    for (int u = 0; u < CH; ++u) {
      const int v = u * 32 + lane;
      if (v < KV) {
        const __half2* h = reinterpret_cast<const __half2*>(&wv[u]);
        if constexpr (MODE & kStream) {
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            const float2 f = __half22float2(h[i]);
            acc += f.x * 0.5f + f.y * 0.25f;
          }
        } else {
          const __half2* xh = reinterpret_cast<const __half2*>(xs + v * 8);
#pragma unroll
          for (int i = 0; i < 4; ++i) {
            const float2 f = __half22float2(h[i]), xf = __half22float2(xh[i]);
            acc += f.x * xf.x;
            acc += f.y * xf.y;
          }
        }
      }
    }
    acc = warp_sum(acc);
    if (lane == 0) a.out[n0] = __float2half_rn(acc + bias);
    if (first && warp == 0) stamp(a, 5);
    first = false;
  }
  __syncthreads();
  stamp(a, 6);
}

// Pure read reference: grid-stride 16-byte loads, 4 in flight per thread, one store per thread.
__global__ void read_kernel(const uint4* p, size_t n, float* out) {
  float s = 0.f;
  const size_t stride = static_cast<size_t>(gridDim.x) * blockDim.x;
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  for (; i + 3 * stride < n; i += 4 * stride) {
    uint4 t[4];
#pragma unroll
    for (int u = 0; u < 4; ++u) t[u] = __ldg(p + i + u * stride);
#pragma unroll
    for (int u = 0; u < 4; ++u) s += __uint_as_float(t[u].x ^ t[u].w);
  }
  for (; i < n; i += stride) s += __uint_as_float(p[i].x);
  if (s == 1.2345f) out[0] = s;
}

__global__ void fill_kernel(__half* p, size_t n, unsigned seed) {
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n; i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    unsigned h = static_cast<unsigned>(i) * 2654435761u ^ seed;
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    p[i] = __float2half_rn((static_cast<float>(h & 0xFFFF) / 65536.0f - 0.5f) * 0.1f);
  }
}

struct Shape {
  const char* name;
  int N, K;
  bool ln;
};

using KFn = void (*)(Args);
struct Var {
  std::string name;
  KFn fn;
  int minb;
  int nt;
};

template <int MODE, int CH, int MINB, int NT = 128>
Var mk(const char* name) {
  return Var{name, probe_kernel<MODE, CH, MINB, NT>, MINB, NT};
}

int g_sms = 0;

int grid_for(const Var& v, int N, size_t smem) {
  int nb = 0;
  CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&nb, v.fn, v.nt, smem));
  const int want = (N + v.nt / 32 - 1) / (v.nt / 32);
  return std::min(want, nb * g_sms);
}

}  // namespace

int main(int argc, char** argv) {
  int dev = 0;
  CK(cudaSetDevice(dev));
  cudaDeviceProp prop{};
  CK(cudaGetDeviceProperties(&prop, dev));
  g_sms = prop.multiProcessorCount;
  int clk = 0;
  CK(cudaDeviceGetAttribute(&clk, cudaDevAttrClockRate, dev));
  std::printf("device %s, %d SMs, L2 %d MB, clock attr %d kHz\n", prop.name, g_sms, prop.l2CacheSize >> 20, clk);
  const int reps = argc > 1 ? std::atoi(argv[1]) : 15;
  const std::string only = argc > 2 ? argv[2] : "";

  std::vector<Shape> shapes = {{"qkv", 4800, 1600, true}, {"qkv4224", 4224, 1600, true}, {"cfc", 6400, 1600, true},
                               {"cproj", 1600, 6400, false}};
  std::vector<Var> vars = {
      mk<0, 8, 8>("main"),          mk<kLnFirst, 8, 8>("lnfirst"), mk<kGVec, 8, 8>("gvec"),
      mk<kGVec | kLnFirst, 8, 8>("gvecfirst"), mk<kNoGamma, 8, 8>("nogamma"), mk<kNoLn, 8, 8>("noln"),
      mk<kXLoad, 8, 8>("xload"),     mk<kStream, 8, 8>("stream"),  mk<0, 7, 10>("ch7b10"),
      mk<kGVec, 7, 10>("gvec_ch7b10"), mk<0, 8, 8>("main2"),
      mk<0, 8, 4, 256>("nt256"), mk<0, 8, 2, 512>("nt512"), mk<0, 8, 1, 1024>("nt1024"),
      mk<kLnAll, 8, 2, 512>("nt512all"), mk<kLnAll, 8, 1, 1024>("nt1024all"), mk<kXLoad, 8, 2, 512>("nt512xload"),
      mk<kNoLn, 8, 1, 1024>("nt1024noln"), mk<0, 8, 8>("main3"),
  };
  if (argc > 3) {  // a comma list of variant names
    const std::string want = std::string(",") + argv[3] + ",";
    std::vector<Var> keep;
    for (const Var& v : vars)
      if (want.find("," + v.name + ",") != std::string::npos) keep.push_back(v);
    vars = keep;
  }
  cudaStream_t st;
  CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  float* dummy;
  CK(cudaMalloc(&dummy, 64));

  // Read-bandwidth reference: 15.4 MB and 1 GB, rotated.
  {
    const size_t bytes = 1ull << 30;
    uint4* p;
    CK(cudaMalloc(&p, bytes));
    fill_kernel<<<1024, 256>>>(reinterpret_cast<__half*>(p), bytes / 2, 7);
    CK(cudaDeviceSynchronize());
    for (size_t chunk : {size_t(15360000), size_t(20480000), bytes}) {
      const int ncopy = static_cast<int>(std::min<size_t>(bytes / chunk, 16));
      for (int grid : {g_sms * 4, g_sms * 8, g_sms * 16}) {
        std::vector<float> ts;
        for (int r = 0; r < reps + 3; ++r) {
          const int L = chunk == bytes ? 1 : 20;
          CK(cudaEventRecord(e0, st));
          for (int l = 0; l < L; ++l)
            read_kernel<<<grid, 256, 0, st>>>(p + ((r * L + l) % ncopy) * (chunk / 16), chunk / 16, dummy);
          CK(cudaEventRecord(e1, st));
          CK(cudaEventSynchronize(e1));
          float ms;
          CK(cudaEventElapsedTime(&ms, e0, e1));
          if (r >= 3) ts.push_back(ms * 1000.f / L);
        }
        std::sort(ts.begin(), ts.end());
        const float us = ts[ts.size() / 2];
        std::printf("read %8.1f MB grid %5d x256: %8.2f us/launch  %7.0f GB/s\n", chunk / 1e6, grid, us,
                    chunk / (us * 1e-6) / 1e9);
      }
    }
    CK(cudaFree(p));
  }

  for (const Shape& s : shapes) {
    if (!only.empty() && only.find(s.name) == std::string::npos) continue;
    const size_t welems = static_cast<size_t>(s.N) * s.K;
    const int ncopy = static_cast<int>(std::max<size_t>(4, 240000000 / (welems * 2)));
    __half *w, *x, *bias, *out;
    float *g, *b;
    unsigned long long* tr;
    CK(cudaMalloc(&w, welems * 2 * ncopy));
    CK(cudaMalloc(&x, s.K * 2));
    CK(cudaMalloc(&bias, s.N * 2));
    CK(cudaMalloc(&out, s.N * 2));
    CK(cudaMalloc(&g, s.K * 4 * 2));
    b = g + s.K;
    CK(cudaMalloc(&tr, 2 * 8 * 8 * 4096 * 8));
    fill_kernel<<<1024, 256>>>(w, welems * ncopy, 1);
    fill_kernel<<<16, 256>>>(x, s.K, 2);
    fill_kernel<<<16, 256>>>(bias, s.N, 3);
    std::vector<float> hg(2 * s.K);
    for (int i = 0; i < 2 * s.K; ++i) hg[i] = i < s.K ? 1.0f + 0.001f * (i % 17) : 0.01f * (i % 5);
    CK(cudaMemcpy(g, hg.data(), hg.size() * 4, cudaMemcpyHostToDevice));
    CK(cudaDeviceSynchronize());
    const size_t smem = ((s.K * 2 + 15) & ~15) + (s.ln ? 2 * s.K * 4 : 0);
    std::printf("\n== %s N=%d K=%d ln=%d  %.1f MB x %d copies, smem %zu\n", s.name, s.N, s.K, s.ln, welems * 2 / 1e6, ncopy, smem);
    std::printf("%-12s %5s %10s %10s %8s | timeline us (median / max over blocks, from the earliest block start):"
                " start, wait, x, stats, staged, row1, end; span\n",
                "variant", "grid", "alone us", "pdl us", "GB/s");
    for (const Var& v : vars) {
      if (!s.ln && (v.name.find("gvec") == 0 || v.name == "lnfirst" || v.name == "nogamma")) continue;
      CK(cudaFuncSetAttribute(v.fn, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
      const int grid = grid_for(v, s.N, smem);
      Args a{};
      a.N = s.N;
      a.K = s.K;
      a.x = x;
      a.g = s.ln ? g : nullptr;
      a.b = s.ln ? b : nullptr;
      a.bias = bias;
      a.out = out;
      a.eps = 1e-5f;
      auto launch = [&](int copy, bool pdl, unsigned long long* t) {
        a.w = w + static_cast<size_t>(copy % ncopy) * welems;
        a.tr = t;
        cudaLaunchConfig_t cfg{};
        cfg.gridDim = grid;
        cfg.blockDim = v.nt;
        cfg.dynamicSmemBytes = smem;
        cfg.stream = st;
        cudaLaunchAttribute attr[1];
        attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
        attr[0].val.programmaticStreamSerializationAllowed = 1;
        cfg.attrs = attr;
        cfg.numAttrs = pdl ? 1 : 0;
        CK(cudaLaunchKernelEx(&cfg, v.fn, a));
      };
      float res[2];
      for (int pdl = 0; pdl < 2; ++pdl) {
        std::vector<float> ts;
        const int L = 20;
        for (int r = 0; r < reps + 3; ++r) {
          CK(cudaEventRecord(e0, st));
          for (int l = 0; l < L; ++l) launch(r * L + l, pdl != 0, nullptr);
          CK(cudaEventRecord(e1, st));
          CK(cudaEventSynchronize(e1));
          float ms;
          CK(cudaEventElapsedTime(&ms, e0, e1));
          if (r >= 3) ts.push_back(ms * 1000.f / L);
        }
        std::sort(ts.begin(), ts.end());
        res[pdl] = ts[ts.size() / 2];
      }
      // Timeline of one lone launch (after an idle gap), traced.
      CK(cudaStreamSynchronize(st));
      launch(7, false, tr);
      CK(cudaStreamSynchronize(st));
      CK(cudaGetLastError());
      std::vector<unsigned long long> h(2 * 8 * static_cast<size_t>(grid));
      CK(cudaMemcpy(h.data(), tr, h.size() * 8, cudaMemcpyDeviceToHost));
      unsigned long long t0 = ~0ull, tend = 0;
      for (int bk = 0; bk < grid; ++bk) {
        t0 = std::min(t0, h[bk * 8 + 0]);
        tend = std::max(tend, h[bk * 8 + 6]);
      }
      std::printf("%-12s %5d %10.2f %10.2f %8.0f |", v.name.c_str(), grid, res[0], res[1], welems * 2 / (res[0] * 1e-6) / 1e9);
      const bool has[7] = {true, true, !(v.name == "stream"), s.ln && v.name != "noln" && v.name != "stream",
                           true, true, true};
      for (int i = 0; i < 7; ++i) {
        if (!has[i]) {
          std::printf("      -      ");
          continue;
        }
        std::vector<double> d;
        for (int bk = 0; bk < grid; ++bk) d.push_back((h[bk * 8 + i] - t0) / 1000.0);
        std::sort(d.begin(), d.end());
        std::printf(" %5.2f/%5.2f", d[d.size() / 2], d.back());
      }
      std::printf("  span %.2f\n", (tend - t0) / 1000.0);
      // clock64 phase lengths (median over blocks, cycles): wait-start, x-wait, stats-x, staged-stats, row1-staged, end-row1
      std::printf("%-12s cycles median:", "");
      const int pairs[6][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}};
      for (auto& pr : pairs) {
        std::vector<long long> d;
        for (int bk = 0; bk < grid; ++bk) {
          const unsigned long long* c = &h[(static_cast<size_t>(grid) + bk) * 8];
          if ((pr[0] == 3 || pr[1] == 3) && !has[3]) continue;
          if ((pr[0] == 2 || pr[1] == 2) && !has[2]) continue;
          d.push_back(static_cast<long long>(c[pr[1]] - c[pr[0]]));
        }
        if (d.empty()) {
          std::printf("  %d-%d -", pr[0], pr[1]);
          continue;
        }
        std::sort(d.begin(), d.end());
        std::printf("  %d-%d %lld", pr[0], pr[1], d[d.size() / 2]);
      }
      std::printf("\n");
    }
    CK(cudaFree(w));
    CK(cudaFree(x));
    CK(cudaFree(bias));
    CK(cudaFree(out));
    CK(cudaFree(g));
    CK(cudaFree(tr));
  }
  std::printf("probe done\n");
  return 0;
}
