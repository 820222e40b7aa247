// sb_cuda_bench — speed of the native CUDA engine on synthetic weights, with the card's ceilings.
// Measures, on one device, in one process:
//  - ceilings: device-to-device copy bandwidth (cudaMemcpyAsync of 1 GiB, bytes read + written
//    over the event-timed median) and cuBLASLt GEMM rate (8192^3 fp16/bf16, 4096^3 fp32 strict);
//  - per (model, precision, scenario B x S): prefill latency (host steady_clock around
//    Engine::prefill, which returns when the first token of every sequence is on the host; LM head
//    on the last position only) and decode step latency (around Engine::decode, CUDA graphs on,
//    N = 32 new tokens per sample), medians over repetitions, plus the memory floor of a decode
//    step: (weight bytes + KV bytes read) / measured copy bandwidth.
// Synthetic weights are drawn on the device (make_cuda_engine_synthetic, seed 1234).
// Usage: sb_cuda_bench [--out results.jsonl] [--quick] [--models tiny-gpt2,gpt2,gpt2-xl,L2-H2-E16-V50257]
//        (a model is a preset name or L<layers>-H<heads>-E<n_embd>[-V<vocab>], 1024 positions)
//        [--precisions fp16,int8] [--scenarios a,b]
//        [--profile-step MODEL]  (only: one eager decode step of MODEL (first of --precisions, default fp16), between
//        cudaProfilerStart/Stop, for `ncu --profile-from-start off`: per-kernel durations)
//        [--profile-batch N]  batch rows (1-4) of the --profile-step step
//        [--variants "name:opt=0|1,...;name2:..."]  engine option sets timed one after the other in
//        this process, each row tagged with its name (A/B on one warm card; opts: fuse =
//        fuse_qkv_attention, pdl, carveout = shared_carveout 100 (1) or the driver's choice
//        (0), persist = persistent_decode, pblocks / pslot / pslots / pkv = its grid size, ring
//        slot bytes and count, attention prefetch bytes, coop = cooperative launch, split =
//        decode_split_keys, small = small_decode, small8 = small_decode_fp8, s8pre = small_fp8_predecode,
//        sblocks = small_blocks, shostin = small_host_input); --profile-step takes the
//        first variant's options
//        [--no-extras]  skip the empty-kernel chains and the graphs/PDL A/B
//        [--stream-probe]  the persistent kernel's weight ring alone, GB/s per configuration
//        (with --models none: only that)
//        [--trace-layer MODEL]  (only: timeline of the attention-layer kernel, fuselayer=1 variants, B=1)
//        [--trace-mlp MODEL]  (only: timeline of the fused MLP kernel per variant, fp16 and bf16, B=1;
//        variant opts mlpw = mlp_warp_ln, mlpc = mlp_cluster, mlpp = mlp_fc2_chunks)
//        [--trace-step MODEL]  (only: every GEMV / attention + proj / fused MLP launch of one replayed
//        decode step per variant and --precisions (default fp16), batch --profile-batch: boundary and
//        post-wait run per kernel position; session 13)
//        [--trace MODEL]  (only: timeline of one eager persistent decode step per variant, batch 1
//        and 4: per phase the critical path, the median block's work and the barrier latency)
//        [--prefill-only]  cells time prefills back to back (a study's prefill-phase cells), no decode
//        [--reps N]  timed repetitions per cell (default 15, --quick 5)
//        [--plans]  print the cuBLASLt algorithm of every GEMM shape each engine planned
//        [--profile-prefill MODEL]  (only: one EAGER prefill of --profile-batch x --profile-seq of
//        MODEL in the first --precisions precision between cudaProfilerStart/Stop, after 3 warm-ups;
//        prints the GEMM plans and the host submission vs wall time of 20 eager prefills)
//        variant opts also: pgraph = prefill_graphs, pcap = prefill_graph_capacity, prewait =
//        the decode GEMV's pre-wait weight loads (0..8, set_gemv_prewait_loads), splitk = its
//        warps per row group (0 = the shape rule, the default; 1 = off; 2/4 forced; set_gemv_split_k), attrf = the decode attention's new
//        rows copied before q is read (0/1, set_decode_attention_rows_first); fuseap = fuse_attn_proj
//        (-1 = the shape rule, the default; 0 = off; 1 = each layer's decode attention + attn c_proj as
//        one kernel wherever it fits), apslices = attn_proj_slices, apc = attn_proj_cluster (0/1:
//        fixed-point atomics / cluster sum), apw = attn_proj_att_warps
//        fusemlp = fuse_mlp (-1 = the shape rule, the default; 0 = off; 1 = each layer's MLP as one
//        kernel wherever it fits); fuselayer = fuse_attn_layer (-1 = the rule, off for now; 0 = off;
//        1 = each layer's LN1 + QKV + attention + attn c_proj + residual as one kernel wherever it
//        fits), alc = attn_layer_cluster (blocks per head: 1/2/4/8); ring = gemv_ring (the decode GEMV's shared-memory weight ring,
//        slots per warp; 0 = off), ringb = gemv_ring_blocks (its blocks per SM), xtma = gemv_xtma
//        (0/1/2 = off / on / the rule: the GEMV's input rows by the bulk-copy engine), ringk = gemv_ring_min_k (the ring
//        only for rows of K >= ringk), lnt = gemv_ln_threads
//        (128 / 256 / 512: threads per block of the LayerNorm'd one-row GEMVs; 0 = the rule by n_embd),
//        lntw = gemv_ln_threads_which (1 = QKV only, 2 = c_fc only, 3 = both), fold = ln_fold
//        lmmma = lm_head_mma (the fp16/bf16 LM head on tensor cores, lm_head.cu: 0 = never, the
//        register GEMV; 1 = always; 2 = the rule, 2-4 input rows at n_embd <= 1280, the default)
#include <cuda_profiler_api.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "engine/cuda/attn_layer.h"
#include "engine/cuda/cuda_engine.h"
#include "engine/cuda/kernels.h"
#include "engine/cuda/lt_gemm.h"
#include "engine/cuda/small_decode.h"
#include "engine/cuda/tools/read_probe.h"
#include "model/presets.h"

namespace {

using namespace sb::engine;
using Clock = std::chrono::steady_clock;

void ck(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "FATAL: %s: %s\n", what, cudaGetErrorString(e));
    std::exit(2);
  }
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
// One layer's per-block %globaltimer stamps (NS per block, --trace-layer / --trace-mlp): the blocks
// that ran are those whose stamp `end` is set (at most max_blocks); for each of the first NU stamps
// the median and the latest block, in us after the layer's first block reached stamp 1, go to
// med[i] / mx[i], and the gap since the previous layer's last block ended to gap (prev_end is that
// end, -1 before the first layer).  Returns the number of blocks that ran (0: no timeline).
int fold_layer_stamps(const unsigned long long* t, int max_blocks, int NS, int end, int NU,
                      std::vector<std::vector<double>>& med, std::vector<std::vector<double>>& mx,
                      std::vector<double>& gap, double& prev_end) {
  int nb = 0;
  while (nb < max_blocks && t[static_cast<std::size_t>(nb) * NS + end] != 0) ++nb;
  if (nb == 0) return 0;
  unsigned long long t1 = ~0ull, tend = 0;
  for (int b = 0; b < nb; ++b) {
    t1 = std::min(t1, t[static_cast<std::size_t>(b) * NS + 1]);
    tend = std::max(tend, t[static_cast<std::size_t>(b) * NS + end]);
  }
  for (int i = 0; i < NU; ++i) {
    std::vector<double> v(nb);
    for (int b = 0; b < nb; ++b)
      v[b] = (static_cast<double>(t[static_cast<std::size_t>(b) * NS + i]) - static_cast<double>(t1)) * 1e-3;
    med[i].push_back(median(v));
    mx[i].push_back(*std::max_element(v.begin(), v.end()));
  }
  if (prev_end >= 0) gap.push_back(static_cast<double>(t1) * 1e-3 - prev_end);
  prev_end = static_cast<double>(tend) * 1e-3;
  return nb;
}
double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double idx = p * (v.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(idx);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (idx - lo) * (v[hi] - v[lo]);
}

// Median device time (events on the legacy stream) of `reps` runs of work after `warm` warm-ups.
template <typename F>
double event_median_ms(int warm, int reps, F&& work) {
  cudaEvent_t e0, e1;
  ck(cudaEventCreate(&e0), "event");
  ck(cudaEventCreate(&e1), "event");
  std::vector<double> ms;
  for (int i = 0; i < warm + reps; ++i) {
    ck(cudaEventRecord(e0), "event record");
    work();
    ck(cudaEventRecord(e1), "event record");
    ck(cudaEventSynchronize(e1), "sync");
    float t = 0;
    cudaEventElapsedTime(&t, e0, e1);
    if (i >= warm) ms.push_back(t);
  }
  cudaEventDestroy(e0);
  cudaEventDestroy(e1);
  return median(ms);
}

double d2d_bandwidth_gbps() {
  const std::size_t bytes = 1ull << 30;
  void *a = nullptr, *b = nullptr;
  ck(cudaMalloc(&a, bytes), "malloc");
  ck(cudaMalloc(&b, bytes), "malloc");
  ck(cudak::launch_fill_normal(cudak::Dt::kF32, a, bytes / 4, 1, 1, 0, 1, nullptr), "fill");
  const double ms = event_median_ms(3, 20, [&] { ck(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice), "d2d"); });
  cudaFree(a);
  cudaFree(b);
  return 2.0 * bytes / (ms * 1e-3) / 1e9;
}

// Read-only streaming bandwidth (1 GiB, bytes read / event-timed median; read_probe.cu): the
// decode step only reads its weights, so this is the ceiling its bytes are read against; the issue's
// floor keeps the d2d copy rate.
double read_bandwidth_gbps() {
  const std::size_t bytes = 1ull << 30;
  int dev = 0, sms = 0;
  ck(cudaGetDevice(&dev), "device");
  ck(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev), "SM count");
  const int blocks = sms * 8;
  void* a = nullptr;
  unsigned* sink = nullptr;
  ck(cudaMalloc(&a, bytes), "malloc");
  ck(cudaMalloc(&sink, static_cast<std::size_t>(blocks) * 256 * 4), "malloc");
  ck(cudak::launch_fill_normal(cudak::Dt::kF32, a, bytes / 4, 1, 1, 0, 1, nullptr), "fill");
  const double ms = event_median_ms(3, 20, [&] { ck(cudak::tools::launch_read_probe(a, bytes, sink, blocks, nullptr), "read probe"); });
  cudaFree(a);
  cudaFree(sink);
  return bytes / (ms * 1e-3) / 1e9;
}

double gemm_tflops(cudak::Dt dt, int n) {
  cudak::LtGemm lt(false);
  cudak::LtShape s;
  s.m = s.n = s.k = n;
  s.ldx = s.ldd = n;
  s.ab = s.cd = dt;
  const std::size_t elems = static_cast<std::size_t>(n) * n;
  void *w, *x, *d;
  ck(cudaMalloc(&w, elems * 4), "malloc");
  ck(cudaMalloc(&x, elems * 4), "malloc");
  ck(cudaMalloc(&d, elems * 4), "malloc");
  ck(cudak::launch_fill_normal(dt, w, elems, 2, 1, 0, 1, nullptr), "fill");  // never time zeros
  ck(cudak::launch_fill_normal(dt, x, elems, 2, 2, 0, 1, nullptr), "fill");
  const double ms = event_median_ms(3, 10, [&] { lt.run(s, w, x, nullptr, d, nullptr); });
  cudaFree(w);
  cudaFree(x);
  cudaFree(d);
  return 2.0 * n * static_cast<double>(n) * n / (ms * 1e-3) / 1e12;
}

// Host-timed replay + synchronize of a graph of n chained empty kernels (kernels.h
// launch_chain_probe, 192 blocks x 128 threads like a gpt2 GEMV), with or without the decode
// step's two small copies (8 bytes host -> device before, device -> host after; d2h = false: the
// first only, as in a decode step whose last kernel writes the tokens to pinned memory): the fixed
// cost of a decode step made of n dependent kernels, whatever they compute.
double chain_step_ms(int n, bool copies, bool pdl, bool d2h = true) {
  cudak::set_programmatic_launch(pdl);
  cudaStream_t st;
  ck(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "stream");
  unsigned* counter = nullptr;
  unsigned long long *h = nullptr, *d = nullptr;
  ck(cudaMalloc(&counter, 4), "malloc");
  ck(cudaMemset(counter, 0, 4), "memset");
  ck(cudaMalloc(&d, 8), "malloc");
  ck(cudaMallocHost(&h, 8), "malloc host");
  auto enqueue = [&] {
    if (copies) ck(cudaMemcpyAsync(d, h, 8, cudaMemcpyHostToDevice, st), "h2d");
    for (int i = 0; i < n; ++i) ck(cudak::launch_chain_probe(counter, 192, 128, st), "probe");
    if (copies && d2h) ck(cudaMemcpyAsync(h, d, 8, cudaMemcpyDeviceToHost, st), "d2h");
  };
  cudaGraph_t g = nullptr;
  cudaGraphExec_t ge = nullptr;
  ck(cudaStreamBeginCapture(st, cudaStreamCaptureModeThreadLocal), "capture");
  enqueue();
  ck(cudaStreamEndCapture(st, &g), "end capture");
  ck(cudaGraphInstantiate(&ge, g, 0), "instantiate");
  std::vector<double> ms;
  const int warm = 20, reps = 200;
  for (int i = 0; i < warm + reps; ++i) {
    const auto t0 = Clock::now();
    ck(cudaGraphLaunch(ge, st), "graph launch");
    ck(cudaStreamSynchronize(st), "sync");
    if (i >= warm) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  unsigned got = 0;
  ck(cudaMemcpy(&got, counter, 4, cudaMemcpyDeviceToHost), "read counter");
  if (got != static_cast<unsigned>(n) * (warm + reps)) {
    std::fprintf(stderr, "FATAL: chain probe counter %u, expected %d\n", got, n * (warm + reps));
    std::exit(2);
  }
  cudaGraphExecDestroy(ge);
  cudaGraphDestroy(g);
  cudaFree(counter);
  cudaFree(d);
  cudaFreeHost(h);
  cudaStreamDestroy(st);
  cudak::set_programmatic_launch(true);
  return median(ms);
}

// Host-timed replay + synchronize of a graph holding one cooperative kernel of `blocks` blocks
// that crosses n grid barriers (kernels.h launch_barrier_probe): n = 0 is the fixed cost of a
// one-kernel step, the slope is one barrier's cost.
double barrier_step_ms(int n, int blocks, bool cooperative) {
  cudaStream_t st;
  ck(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "stream");
  unsigned long long* counter = nullptr;
  ck(cudaMalloc(&counter, 8), "malloc");
  ck(cudaMemset(counter, 0, 8), "memset");
  cudaGraph_t g = nullptr;
  cudaGraphExec_t ge = nullptr;
  ck(cudaStreamBeginCapture(st, cudaStreamCaptureModeThreadLocal), "capture");
  ck(cudak::launch_barrier_probe(counter, blocks, n, cooperative, st), "barrier probe");
  ck(cudaStreamEndCapture(st, &g), "end capture");
  ck(cudaGraphInstantiate(&ge, g, 0), "instantiate");
  std::vector<double> ms;
  const int warm = 20, reps = 200;
  for (int i = 0; i < warm + reps; ++i) {
    const auto t0 = Clock::now();
    ck(cudaGraphLaunch(ge, st), "graph launch");
    ck(cudaStreamSynchronize(st), "sync");
    if (i >= warm) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  unsigned long long got = 0;
  ck(cudaMemcpy(&got, counter, 8, cudaMemcpyDeviceToHost), "read counter");
  if (got != static_cast<unsigned long long>(n) * blocks * (warm + reps)) {
    std::fprintf(stderr, "FATAL: barrier probe counter %llu, expected %llu\n", got,
                 static_cast<unsigned long long>(n) * blocks * (warm + reps));
    std::exit(2);
  }
  cudaGraphExecDestroy(ge);
  cudaGraphDestroy(g);
  cudaFree(counter);
  cudaStreamDestroy(st);
  return median(ms);
}

// A preset name, or L<layers>-H<heads>-E<n_embd>[-V<vocab>]: a custom small shape (GPT-2 layout,
// 1024 positions, n_inner 4 E).
std::optional<sb::model::GptConfig> model_config(const std::string& m) {
  auto preset = sb::model::preset_config(m);
  if (preset) return preset;
  int nl = 0, nh = 0, ne = 0, nv = 50257;
  if (std::sscanf(m.c_str(), "L%d-H%d-E%d-V%d", &nl, &nh, &ne, &nv) >= 3 && nl > 0 && nh > 0 && ne > 0 &&
      ne % nh == 0 && nv > 0) {
    sb::model::GptConfig c = *sb::model::preset_config("tiny-gpt2");
    c.n_layer = nl;
    c.n_head = nh;
    c.n_embd = ne;
    c.vocab_size = nv;
    c.n_inner = 0;  // 4 * n_embd
    return c;
  }
  return std::nullopt;
}

struct Variant {
  std::string name;
  std::vector<std::pair<std::string, std::string>> opts;
};

std::vector<Variant> parse_variants(const std::string& arg) {
  std::vector<Variant> out;
  std::stringstream ss(arg);
  for (std::string item; std::getline(ss, item, ';');) {
    if (item.empty()) continue;
    Variant v;
    const auto colon = item.find(':');
    v.name = item.substr(0, colon);
    if (colon != std::string::npos) {
      std::stringstream os(item.substr(colon + 1));
      for (std::string kv; std::getline(os, kv, ',');) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        v.opts.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      }
    }
    out.push_back(v);
  }
  if (out.empty()) out.push_back({"default", {}});
  return out;
}

void apply_variant(const Variant& v, CudaEngineOptions& o) {
  // Process-wide kernel switches go back to the process's default first, so a variant without
  // the option does not inherit the previous variant's value.
  static const int default_prewait = cudak::gemv_prewait_loads();
  static const int default_split_k = cudak::gemv_split_k();
  cudak::set_gemv_prewait_loads(default_prewait);
  cudak::set_gemv_split_k(default_split_k);
  static const bool default_attrf = cudak::decode_attention_rows_first();
  cudak::set_decode_attention_rows_first(default_attrf);
  static const int default_ring_min_k = cudak::gemv_ring_min_k();
  cudak::set_gemv_ring_min_k(default_ring_min_k);
  static const int default_lnt_which = cudak::gemv_ln_threads_which();
  cudak::set_gemv_ln_threads_which(default_lnt_which);
  static const int default_wide = cudak::gemv_wide();
  cudak::set_gemv_wide(default_wide);
  static const int default_f8m1 = cudak::fp8_mma_one_row();
  cudak::set_fp8_mma_one_row(default_f8m1);
  static const int default_i8r1 = cudak::gemv_int8_r1();
  cudak::set_gemv_int8_r1(default_i8r1);
  static const int default_xg = cudak::gemv_x_global();
  cudak::set_gemv_x_global(default_xg);
  for (const auto& [k, val] : v.opts) {
    const bool on = val != "0";
    const int num = std::atoi(val.c_str());
    if (k == "fuse") o.fuse_qkv_attention = on;
    else if (k == "persist") o.persistent_decode = on;
    else if (k == "pblocks") o.persistent_blocks = num;
    else if (k == "pslot") o.persistent_slot_bytes = num;
    else if (k == "pslots") o.persistent_slots = num;
    else if (k == "pkv") o.persistent_kv_bytes = num;
    else if (k == "coop") o.persistent_cooperative = on;
    else if (k == "split") o.decode_split_keys = num;
    else if (k == "pdl") o.programmatic_launch = on;
    else if (k == "carveout") o.shared_carveout = on ? 100 : -1;
    else if (k == "small") o.small_decode = on;
    else if (k == "fuseap") o.fuse_attn_proj = num;
    else if (k == "apw") o.attn_proj_att_warps = num;
    else if (k == "apslices") o.attn_proj_slices = num;
    else if (k == "apc") o.attn_proj_cluster = on;
    else if (k == "fusemlp") o.fuse_mlp = num;  // -1 = the shape rule (default), 0 = off, 1 = on
    else if (k == "fuselayer") o.fuse_attn_layer = num;  // -1 = the rule (off for now), 0 = off, 1 = on
    else if (k == "alc") o.attn_layer_cluster = num;     // blocks per head of the attention layer kernel
    else if (k == "mlpw") o.mlp_warp_ln = num;           // fused MLP: warp LayerNorm + interleaved c_fc (0/1)
    else if (k == "mlpc") o.mlp_cluster = num;           // fused MLP: cluster pre-reduction of fc2 partials (0/2/4/8)
    else if (k == "mlpp") o.mlp_fc2_chunks = num;        // fused MLP: fc2 partials by 8-unit chunks of h (0/1)
    else if (k == "ring") o.gemv_ring = num;          // GEMV weight ring slots per warp (0 = off)
    else if (k == "ringb") o.gemv_ring_blocks = num;  // its blocks per SM
    else if (k == "xtma") o.gemv_xtma = num;          // GEMV input rows by the bulk-copy engine
    else if (k == "lnt") o.gemv_ln_threads = num;     // threads per block of the LN'd one-row GEMVs
    else if (k == "fold") o.ln_fold = num;            // LayerNorm folded into the QKV / c_fc weights (0/1)
    else if (k == "lntw") cudak::set_gemv_ln_threads_which(num);  // process-wide: 1 QKV, 2 c_fc, 3 both
    else if (k == "ringk") cudak::set_gemv_ring_min_k(num);  // process-wide (gemv.cu): ring only at K >= ringk
    else if (k == "small8") o.small_decode_fp8 = on;
    else if (k == "s8pre") o.small_fp8_predecode = on;  // fp8 small kernel: decoded weights, inputs quantized once
    else if (k == "sblocks") o.small_blocks = num;
    else if (k == "shostin") o.small_host_input = on;
    else if (k == "pgraph") o.prefill_graphs = on;
    else if (k == "pcap") o.prefill_graph_capacity = num;
    else if (k == "fp8gemm") o.fp8_prefill_gemm = val;  // mma | cublaslt | simple
    else if (k == "lmmma") o.lm_head_mma = num;      // the fp16/bf16 LM head on tensor cores (0/1/2 = rule)
    else if (k == "prewait") cudak::set_gemv_prewait_loads(num);  // process-wide (gemv.cu)
    else if (k == "wide") cudak::set_gemv_wide(num);              // process-wide (gemv.cu): int8/fp8 4-row warps (site mask, -1 rule)
    else if (k == "i8r1") cudak::set_gemv_int8_r1(num);           // process-wide (gemv.cu): int8 one row per warp at 3-4 rows (A/B)
    else if (k == "xg") cudak::set_gemv_x_global(num);            // process-wide (gemv.cu): per-row-scaled rows from L2 (A/B)
    else if (k == "f8m1") cudak::set_fp8_mma_one_row(num);        // process-wide (gemv.cu): one-row fp8 tensor cores (site mask, -1 rule)
    else if (k == "splitk") cudak::set_gemv_split_k(num);         // process-wide (gemv.cu)
    else if (k == "attrf") cudak::set_decode_attention_rows_first(on);  // process-wide (kernels.cu)
    else {
      std::fprintf(stderr, "unknown variant option %s\n", k.c_str());
      std::exit(2);
    }
  }
}

// The engine options of the trace and probe tools: `prec`, batches up to 4, 256 positions, then the
// variant's settings.
CudaEngineOptions tool_options(const std::string& prec, const Variant& var) {
  CudaEngineOptions o;
  o.precision = prec;
  o.max_batch = 4;
  o.max_seq = 256;
  apply_variant(var, o);
  return o;
}

struct ModelSpec {
  std::string name;
  sb::model::GptConfig cfg;
  std::vector<std::string> precisions;
};


// Bytes of weights the engine reads per decode step: every matrix and bias once, wte once (as
// the LM head; the embedding rows it gathers are negligible), LayerNorm parameters in fp32.
double weight_bytes(const sb::model::GptConfig& c, double es, double matrix_es = 0) {
  // matrix_es: bytes per weight of the four layer matrices (1 for int8/fp8, plus fp32 scales).
  const double E = c.n_embd, I = c.inner(), V = c.vocab_size;
  const double mats = 3 * E * E + E * E + E * I + I * E;
  const double per_layer = mats * (matrix_es > 0 ? matrix_es : es) + (3 * E + E + I + E) * es +
                           4 * E * 4 + (matrix_es > 0 ? (3 * E + E + I + E) * 4 : 0);
  return c.n_layer * per_layer + V * E * es + 2 * E * 4;
}

}  // namespace

// --trace-step MODEL (session 13): the whole decode step's timeline from the step-trace stamps
// (kernels.h set_step_trace): every GEMV / attention + proj / fused MLP launch of the replayed decode
// graph writes entry, past-the-wait and end per block.  Batch `batch`, prefill of 32 tokens, 3
// decodes (eager, capture, replay), then 7 replays read back.  Per kernel position in the layer
// (means over layers 1 .. L-1 of the medians over the 7 steps), in us:
//  - bound = this kernel's first block past its wait - the previous kernel's last block end (what a
//    boundary costs, the previous kernel's memory flush and the wait's release included);
//  - run = its last block end - its first block past the wait (its post-wait chain), and med =
//    the median block's end - the same first wait;
//  - skew = its last block past the wait - its first (blocks that were not resident early);
//  - late = blocks that entered after the previous kernel's last end (could not be resident early);
//  - early = the median block's entry before the previous kernel's last end (how long its pre-wait
//    loads had);
//  - run1 / runM = run over the blocks alone on their multiprocessor / sharing it with another block
//    of the same launch (0 when there are none), and shared = how many blocks share;
//  - blkrun / blkbound = run and bound from the blocks' ends after a barrier (their last warp) instead
//    of thread 0's end stamp.
// Also the timer's tick: the smallest nonzero difference between two stamps of one replay.
// The step = the last record's last end - the first record's first wait.
int trace_step(const std::string& model, const std::string& precisions, int batch, const std::string& variants_arg) {
  const auto preset = model_config(model);
  if (!preset) {
    std::fprintf(stderr, "--trace-step: unknown model %s\n", model.c_str());
    return 2;
  }
  if (!cudak::step_trace_compiled()) {
    std::fprintf(stderr, "--trace-step: this build has no step stamps (configure with -DSB_CUDA_STEP_TRACE=ON)\n");
    return 2;
  }
  constexpr int NS = cudak::kStepStamps;
  const std::size_t entries = std::size_t{1} << 22;  // 32 MiB: gpt2-xl's ~200 launches x <= 1056 blocks x 3
  unsigned long long* dtr = nullptr;
  ck(cudaMalloc(&dtr, entries * 8), "step trace buffer");
  std::stringstream pss(precisions.empty() ? std::string("fp16") : precisions);
  std::string prec;
  while (std::getline(pss, prec, ','))
    for (const Variant& var : parse_variants(variants_arg)) {
      const CudaEngineOptions o = tool_options(prec, var);
      auto eng = make_cuda_engine_synthetic(*preset, 1234, o);
      std::vector<std::int32_t> prompt(static_cast<std::size_t>(batch) * 32, 11);
      StepResult r;
      eng->prefill(batch, 32, prompt, LogitsMode::kNone, r);
      cudak::set_step_trace(dtr, entries);
      // The graph's records: those of the last decode that launched anything (its capture).
      std::size_t lo = 0, hi = 0;
      for (int step = 0; step < 3; ++step) {
        const std::size_t before = cudak::step_trace_count();
        eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
        if (cudak::step_trace_count() != before) lo = before, hi = cudak::step_trace_count();
      }
      std::vector<cudak::StepTraceRecord> rec;
      for (std::size_t i = lo; i < hi; ++i) rec.push_back(cudak::step_trace_record(i));
      const int n = static_cast<int>(rec.size()), L = preset->n_layer;
      const int per_layer = n > 1 ? (n - 1) / L : 0;  // the LM head last
      if (n == 0 || per_layer * L + 1 != n) {
        std::printf("trace-step %s %s B=%d [%s]: no timeline (%d traced launches in the graph, %d layers)\n",
                    model.c_str(), prec.c_str(), batch, var.name.c_str(), n, L);
        cudak::set_step_trace(nullptr, 0);
        continue;
      }
      // [record][quantity] over the 7 steps.
      enum { kBound, kRun, kMed, kSkew, kLate, kEarly, kRun1, kRunM, kShared, kBlk, kBound2, kQ };
      unsigned long long tick = ~0ull;
      std::vector<std::array<std::vector<double>, kQ>> q(n);
      std::vector<double> step_us;
      const std::size_t used = rec.back().offset + static_cast<std::size_t>(rec.back().blocks) * NS;
      std::vector<unsigned long long> h(used);
      bool ok = true;
      for (int step = 0; step < 7 && ok; ++step) {
        ck(cudaMemset(dtr, 0, used * 8), "clear trace");
        ck(cudaDeviceSynchronize(), "sync");
        const std::size_t before = cudak::step_trace_count();
        eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
        ck(cudaDeviceSynchronize(), "sync");
        if (cudak::step_trace_count() != before) ok = false;  // not a replay: offsets moved
        ck(cudaMemcpy(h.data(), dtr, used * 8, cudaMemcpyDeviceToHost), "read trace");
        double prev_end = -1, prev_blk = -1, first_wait = -1;
        for (int i = 0; i < n && ok; ++i) {
          const unsigned long long* t = h.data() + rec[i].offset;
          double w0 = 1e300, w1 = 0, e1 = 0, b1 = 0;
          std::vector<double> ends(rec[i].blocks), entry(rec[i].blocks);
          for (int b = 0; b < rec[i].blocks; ++b) {
            const unsigned long long* tb = t + static_cast<std::size_t>(b) * NS;
            if (tb[0] == 0 || tb[1] == 0 || tb[2] == 0) ok = false;
            entry[b] = tb[0] * 1e-3;
            w0 = std::min(w0, tb[1] * 1e-3);
            w1 = std::max(w1, tb[1] * 1e-3);
            ends[b] = tb[2] * 1e-3;
            e1 = std::max(e1, ends[b]);
            b1 = std::max(b1, tb[4] * 1e-3);
          }
          if (!ok) break;
          int late = 0;
          for (double v : entry) late += prev_end >= 0 && v > prev_end ? 1 : 0;
          q[i][kEarly].push_back(prev_end >= 0 ? prev_end - median(entry) : 0);
          for (int b = 0; b + 1 < rec[i].blocks; ++b)
            for (int k = 0; k < 3; ++k) {
              const unsigned long long x = t[static_cast<std::size_t>(b) * NS + k], y = t[static_cast<std::size_t>(b + 1) * NS + k];
              if (x != y) tick = std::min(tick, x > y ? x - y : y - x);
            }
          q[i][kBound].push_back(prev_end >= 0 ? w0 - prev_end : 0);
          q[i][kRun].push_back(e1 - w0);
          q[i][kMed].push_back(median(ends) - w0);
          q[i][kSkew].push_back(w1 - w0);
          q[i][kLate].push_back(late);
          std::vector<int> per_sm(1024, 0);
          for (int b = 0; b < rec[i].blocks; ++b) ++per_sm[t[static_cast<std::size_t>(b) * NS + 3] & 1023];
          double e1s = 0, e1m = 0;
          int shared = 0;
          for (int b = 0; b < rec[i].blocks; ++b) {
            const bool multi = per_sm[t[static_cast<std::size_t>(b) * NS + 3] & 1023] > 1;
            (multi ? e1m : e1s) = std::max(multi ? e1m : e1s, ends[b]);
            shared += multi ? 1 : 0;
          }
          q[i][kRun1].push_back(e1s > 0 ? e1s - w0 : 0);
          q[i][kRunM].push_back(e1m > 0 ? e1m - w0 : 0);
          q[i][kShared].push_back(shared);
          q[i][kBlk].push_back(b1 - w0);
          q[i][kBound2].push_back(prev_blk >= 0 ? w0 - prev_blk : 0);
          if (first_wait < 0) first_wait = w0;
          prev_end = e1;
          prev_blk = b1;
        }
        if (ok) step_us.push_back(prev_end - first_wait);
      }
      cudak::set_step_trace(nullptr, 0);
      if (!ok) {
        std::printf("trace-step %s %s B=%d [%s]: no timeline (a block did not stamp, or the step was not a graph replay)\n",
                    model.c_str(), prec.c_str(), batch, var.name.c_str());
        continue;
      }
      std::printf("trace-step %s %s B=%d [%s]: step %.2f us (first wait -> last end, median of 7 replays), %d launches (%d per layer + LM head)\n",
                  model.c_str(), prec.c_str(), batch, var.name.c_str(), median(step_us), n, per_layer);
      std::printf("  %-16s %7s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s %8s   (us; means over layers 1..%d of 7-replay medians; timer tick %llu ns)\n",
                  "kernel", "blocks", "bound", "run", "med", "skew", "late", "early", "run1", "runM", "shared", "blkrun", "blkbound",
                  L - 1, tick);
      double sum_bound = 0, sum_run = 0;
      auto show = [&](const std::string& name, int blocks, const std::vector<int>& idx) {
        double v[kQ] = {};
        for (int i : idx)
          for (int k = 0; k < kQ; ++k) v[k] += median(q[i][k]) / static_cast<double>(idx.size());
        std::printf("  %-16s %7d %8.2f %8.2f %8.2f %8.2f %8.1f %8.2f %8.2f %8.2f %8.1f %8.2f %8.2f\n", name.c_str(), blocks, v[kBound],
                    v[kRun], v[kMed], v[kSkew], v[kLate], v[kEarly], v[kRun1], v[kRunM], v[kShared], v[kBlk], v[kBound2]);
      };
      for (int j = 0; j < per_layer; ++j) {
        std::vector<int> idx;
        for (int l = 1; l < L; ++l) idx.push_back(l * per_layer + j);
        const auto& r0 = rec[per_layer + j];
        show(std::string(r0.kernel) + (r0.n_out > 0 ? "/" + std::to_string(r0.n_out) : ""), r0.blocks, idx);
      }
      show("LM head gemv", rec[n - 1].blocks, {n - 1});
      for (int i = 0; i < n; ++i) {
        sum_bound += median(q[i][kBound]);
        sum_run += median(q[i][kRun]);
      }
      std::printf("  whole step: boundaries %.2f us + post-wait runs %.2f us (layer 0 + every layer + LM head)\n", sum_bound,
                  sum_run);
      std::fflush(stdout);
    }
  cudaFree(dtr);
  return 0;
}

int main(int argc, char** argv) {
  std::string out_path, models_arg = "tiny-gpt2,gpt2,gpt2-xl", precisions_arg, scenarios_arg,
              profile_model, variants_arg, trace_model, trace_small_model, trace_layer_model, trace_mlp_model,
              trace_step_model;
  bool quick = false, extras = true, stream_probe = false, prefill_only = false, plans = false;
  int profile_batch = 1, profile_seq = 8, reps_arg = 0;
  std::string profile_prefill_model;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) out_path = argv[++i];
    else if (a == "--quick") quick = true;
    else if (a == "--models" && i + 1 < argc) models_arg = argv[++i];
    else if (a == "--precisions" && i + 1 < argc) precisions_arg = argv[++i];
    else if (a == "--scenarios" && i + 1 < argc) scenarios_arg = argv[++i];
    else if (a == "--profile-step" && i + 1 < argc) profile_model = argv[++i];
    else if (a == "--profile-batch" && i + 1 < argc) profile_batch = std::atoi(argv[++i]);
    else if (a == "--variants" && i + 1 < argc) variants_arg = argv[++i];
    else if (a == "--trace" && i + 1 < argc) trace_model = argv[++i];
    else if (a == "--trace-small" && i + 1 < argc) trace_small_model = argv[++i];
    else if (a == "--trace-layer" && i + 1 < argc) trace_layer_model = argv[++i];
    else if (a == "--trace-mlp" && i + 1 < argc) trace_mlp_model = argv[++i];
    else if (a == "--trace-step" && i + 1 < argc) trace_step_model = argv[++i];
    else if (a == "--no-extras") extras = false;
    else if (a == "--stream-probe") stream_probe = true;
    else if (a == "--prefill-only") prefill_only = true;
    else if (a == "--plans") plans = true;
    else if (a == "--reps" && i + 1 < argc) reps_arg = std::atoi(argv[++i]);
    else if (a == "--profile-prefill" && i + 1 < argc) profile_prefill_model = argv[++i];
    else if (a == "--profile-seq" && i + 1 < argc) profile_seq = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: sb_cuda_bench [--out FILE.jsonl] [--quick] [--models a,b] [--precisions fp16,int8,fp8] [--scenarios single_short,batch_short] [--profile-step gpt2] [--profile-batch N] [--variants \"a:fuse=0;b:fuse=1\"] [--no-extras]\n");
      return 2;
    }
  }
  std::string why;
  if (!cuda_available(&why)) {
    std::fprintf(stderr, "sb_cuda_bench: no usable GPU: %s\n", why.c_str());
    return 3;
  }
  cudaDeviceProp prop{};
  ck(cudaGetDeviceProperties(&prop, 0), "props");
  std::ofstream out;
  if (!out_path.empty()) out.open(out_path);
  auto emit = [&](const std::string& line) {
    if (out) out << line << "\n" << std::flush;
  };
  std::printf("device: %s (%d SMs)\n", prop.name, prop.multiProcessorCount);
  if (!profile_model.empty()) {
    // One eager decode step (graphs off, so a profiler sees each launch), after a prefill of 32
    // tokens and 3 warm-up steps; only this step lies between cudaProfilerStart and Stop.
    const auto preset = model_config(profile_model);
    if (!preset) {
      std::fprintf(stderr, "--profile-step: unknown model %s\n", profile_model.c_str());
      return 2;
    }
    const sb::model::GptConfig cfg = *preset;
    CudaEngineOptions o;
    // The first of --precisions (default fp16; int8/fp8: synthetic quantized weights).
    o.precision = precisions_arg.empty() ? "fp16" : precisions_arg.substr(0, precisions_arg.find(','));
    if (profile_batch < 1 || profile_batch > 4) {
      std::fprintf(stderr, "--profile-batch: 1..4, got %d\n", profile_batch);
      return 2;
    }
    o.max_batch = profile_batch;
    o.max_seq = 256;
    o.cuda_graphs = false;
    apply_variant(parse_variants(variants_arg).front(), o);
    auto eng = make_cuda_engine_synthetic(cfg, 1234, o);
    std::vector<std::int32_t> prompt(static_cast<std::size_t>(profile_batch) * 32, 11);
    StepResult r;
    eng->prefill(profile_batch, 32, prompt, LogitsMode::kNone, r);
    for (int step = 0; step < 3; ++step) eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
    ck(cudaProfilerStart(), "cudaProfilerStart");
    eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
    ck(cudaProfilerStop(), "cudaProfilerStop");
    std::printf("profiled one %s %s decode step (batch %d, position 35): %s\n", profile_model.c_str(),
                o.precision.c_str(), profile_batch, eng->describe().c_str());
    return 0;
  }

  if (!trace_small_model.empty()) {
    // Timeline of the small-model decode kernel (small_decode.h set_small_trace) in the replayed
    // decode graph (the trace pointer is captured with it): prefill of 32 tokens, 3 decodes
    // (eager, capture, replay), then 7 replays read back; per stamp the median over those steps of
    // the median block and the latest block, in us after the earliest block's start.
    const auto preset = model_config(trace_small_model);
    if (!preset) {
      std::fprintf(stderr, "--trace-small: unknown model %s\n", trace_small_model.c_str());
      return 2;
    }
    const char* names[] = {"start", "step read", "layer 0 ready", "layers done", "LM head done", "counter", "end"};
    const char* phases[] = {"ln1", "qkv", "attn", "comb", "proj", "ln2", "fc", "fc2"};
    const std::string prec = precisions_arg.empty() ? "fp16" : precisions_arg.substr(0, precisions_arg.find(','));
    const int NS = cudak::kSmallTraceStamps;
    for (int batch : {1, 4})
      for (const Variant& var : parse_variants(variants_arg)) {
        const CudaEngineOptions o = tool_options(prec, var);
        const int G = prop.multiProcessorCount * 8;  // room for up to 8 blocks per SM
        unsigned long long* dtr = nullptr;
        const std::size_t n = static_cast<std::size_t>(G) * NS;
        ck(cudaMalloc(&dtr, n * 8), "trace buffer");
        std::vector<std::vector<double>> med(NS), mx(NS);
        std::vector<double> host_us;
        int nb = 0;
        {
          auto eng = make_cuda_engine_synthetic(*preset, 1234, o);
          cudak::set_small_trace(dtr, n);
          std::vector<std::int32_t> prompt(static_cast<std::size_t>(batch) * 32, 11);
          StepResult r;
          eng->prefill(batch, 32, prompt, LogitsMode::kNone, r);
          for (int step = 0; step < 3; ++step) eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
          for (int step = 0; step < 7; ++step) {
            ck(cudaMemset(dtr, 0, n * 8), "clear trace");
            ck(cudaDeviceSynchronize(), "sync");
            const auto t0 = Clock::now();
            eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
            host_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            std::vector<unsigned long long> h(n);
            ck(cudaMemcpy(h.data(), dtr, n * 8, cudaMemcpyDeviceToHost), "read trace");
            nb = 0;
            while (nb < G && h[static_cast<std::size_t>(nb) * NS] != 0) ++nb;
            if (nb == 0) break;
            unsigned long long t_min = ~0ull;
            for (int b = 0; b < nb; ++b) t_min = std::min(t_min, h[static_cast<std::size_t>(b) * NS]);
            for (int i = 0; i < NS; ++i) {
              std::vector<double> v(nb);
              for (int b = 0; b < nb; ++b) {
                const unsigned long long t = h[static_cast<std::size_t>(b) * NS + i];
                v[b] = t == 0 ? -1.0 : (static_cast<double>(t) - t_min) * 1e-3;
              }
              med[i].push_back(median(v));
              mx[i].push_back(*std::max_element(v.begin(), v.end()));
            }
          }
          cudak::set_small_trace(nullptr, 0);
          if (nb == 0)
            std::printf("trace-small %s B=%d [%s]: no timeline (small decode path not taken?) %s\n",
                        trace_small_model.c_str(), batch, var.name.c_str(), eng->describe().c_str());
        }  // the engine (and its graphs holding the trace pointer) goes before the buffer
        cudaFree(dtr);
        if (nb == 0) continue;
        std::printf("trace-small %s %s B=%d [%s] (%d blocks, replayed step %.1f us on the host):", trace_small_model.c_str(),
                    prec.c_str(), batch, var.name.c_str(), nb, median(host_us));
        for (int i = 0; i < 7; ++i) std::printf(" %s %.2f/%.2f%s", names[i], median(med[i]), median(mx[i]), i < 6 ? ";" : "");
        std::printf(" (us after the first block's start: median block / latest block)\n");
        for (int l = 0; l < preset->n_layer && l < cudak::kSmallMaxLayers; ++l) {
          std::printf("  layer %d phases (median block, us):", l);
          double prev = l == 0 ? median(med[2]) : median(med[7 + 8 * (l - 1) + 7]);
          for (int j = 0; j < 8; ++j) {
            const double t = median(med[7 + 8 * l + j]);
            std::printf(" %s %.2f", phases[j], t - prev);
            prev = t;
          }
          std::printf("\n");
        }
      }
    return 0;
  }

  if (!trace_layer_model.empty()) {
    // Timeline of the attention-layer kernel (attn_layer.h set_attn_layer_trace) in the replayed
    // decode graph, batch 1: prefill of 32 tokens, 3 decodes (eager, capture, replay), then 7
    // replays read back.  Per layer, times in us after the layer's earliest block passed its wait
    // (= the previous kernel's end): the median block / the latest block at each stamp; "gap" =
    // that moment minus the previous layer's latest end (the fused MLP between them); medians over
    // the 7 steps, then the mean over layers 1 .. L-1 (layer 0 folds the embedding).
    const auto preset = model_config(trace_layer_model);
    if (!preset) {
      std::fprintf(stderr, "--trace-layer: unknown model %s\n", trace_layer_model.c_str());
      return 2;
    }
    const char* names[] = {"entry", "wait", "x", "ln", "cl1", "gath", "att", "cl2", "comb", "atom", "end"};
    constexpr int NS = cudak::kAttnLayerStamps, NU = 11;
    for (const char* prec : {"fp16", "bf16"})
      for (const Variant& var : parse_variants(variants_arg)) {
        const CudaEngineOptions o = tool_options(prec, var);
        const int L = preset->n_layer, G = preset->n_head * 8;
        const std::size_t slot = static_cast<std::size_t>(G) * NS, n = slot * L;
        unsigned long long* dtr = nullptr;
        ck(cudaMalloc(&dtr, n * 8), "trace buffer");
        // [layer][stamp]: per-step values, median block and latest block
        std::vector<std::vector<std::vector<double>>> med(L, std::vector<std::vector<double>>(NU)), mx = med;
        std::vector<std::vector<double>> gap(L);
        int nb = 0;
        {
          auto eng = make_cuda_engine_synthetic(*preset, 1234, o);
          std::vector<std::int32_t> prompt(32, 11);
          StepResult r;
          eng->prefill(1, 32, prompt, LogitsMode::kNone, r);
          cudak::set_attn_layer_trace(dtr, n);
          for (int step = 0; step < 3; ++step) eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
          for (int step = 0; step < 7; ++step) {
            ck(cudaMemset(dtr, 0, n * 8), "clear trace");
            ck(cudaDeviceSynchronize(), "sync");
            eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
            std::vector<unsigned long long> h(n);
            ck(cudaMemcpy(h.data(), dtr, n * 8, cudaMemcpyDeviceToHost), "read trace");
            double prev_end = -1;
            for (int l = 0; l < L; ++l) {
              nb = fold_layer_stamps(h.data() + l * slot, G, NS, 10, NU, med[l], mx[l], gap[l], prev_end);
              if (nb == 0) break;
            }
            if (nb == 0) break;
          }
          cudak::set_attn_layer_trace(nullptr, 0);
          if (nb == 0)
            std::printf("trace-layer %s [%s]: no timeline (attention-layer kernel not taken?) %s\n",
                        trace_layer_model.c_str(), var.name.c_str(), eng->describe().c_str());
        }
        cudaFree(dtr);
        if (nb == 0) continue;
        std::printf("trace-layer %s %s B=1 [%s] (%d blocks per layer): us after the layer's first wait, median block / latest block\n",
                    trace_layer_model.c_str(), prec, var.name.c_str(), nb);
        auto row = [&](const char* what, auto&& val) {
          std::printf("  %-9s", what);
          for (int i = 0; i < NU; ++i) std::printf(" %s %.2f/%.2f", names[i], val(i, false), val(i, true));
          std::printf("\n");
        };
        for (int l : {0, 1}) row(l == 0 ? "layer 0" : "layer 1", [&](int i, bool late) { return median(late ? mx[l][i] : med[l][i]); });
        row("mean 1..", [&](int i, bool late) {
          double sum = 0;
          for (int l = 1; l < L; ++l) sum += median(late ? mx[l][i] : med[l][i]);
          return sum / (L - 1);
        });
        double gsum = 0;
        for (int l = 1; l < L; ++l) gsum += median(gap[l]);
        std::printf("  gap (previous layer's last end -> this layer's first wait), mean over layers 1..: %.2f us\n", gsum / (L - 1));
      }
    return 0;
  }

  if (!trace_step_model.empty())
    return trace_step(trace_step_model, precisions_arg, std::clamp(profile_batch, 1, 4), variants_arg);

  if (!trace_mlp_model.empty()) {
    // Timeline of the fused MLP kernel (kernels.h set_mlp_fused_trace) in the replayed decode
    // graph, batch 1 (and --profile-batch rows): prefill of 32 tokens, 3 decodes (eager, capture,
    // replay), then 7 replays read back.  Per layer, times in us after the layer's earliest block
    // passed its wait (= the previous kernel's end): the median block / the latest block at each
    // stamp; "gap" = that moment minus the previous layer's latest end (the attention half of the
    // layer between them); medians over the 7 steps, then the mean over layers 1 .. L-1.
    const auto preset = model_config(trace_mlp_model);
    if (!preset) {
      std::fprintf(stderr, "--trace-mlp: unknown model %s\n", trace_mlp_model.c_str());
      return 2;
    }
    const char* names[] = {"entry", "wait", "x", "ln", "h", "part", "clu", "atom", "end"};
    constexpr int NS = cudak::kMlpStamps, NU = 9, G = 264;
    const int batch = std::clamp(profile_batch, 1, 4);
    for (const char* prec : {"fp16", "bf16"})
      for (const Variant& var : parse_variants(variants_arg)) {
        const CudaEngineOptions o = tool_options(prec, var);
        const int L = preset->n_layer;
        // One slot per layer: the kernel's grid from its plan (launch k takes slot k mod L).
        cudak::MlpFusedArgs plan{.dt = std::string(prec) == "fp16" ? cudak::Dt::kF16 : cudak::Dt::kBF16, .rows = batch,
                                 .n_embd = preset->n_embd, .n_inner = preset->inner()};
        if (cudak::mlp_fused_plan(plan) != cudaSuccess || plan.blocks > G) {
          std::printf("trace-mlp %s %s: no plan (%s)\n", trace_mlp_model.c_str(), prec, cudak::last_launch_detail());
          cudaGetLastError();
          continue;
        }
        const std::size_t n = static_cast<std::size_t>(plan.blocks) * NS * L;
        unsigned long long* dtr = nullptr;
        ck(cudaMalloc(&dtr, n * 8), "trace buffer");
        std::vector<std::vector<std::vector<double>>> med(L, std::vector<std::vector<double>>(NU)), mx = med;
        std::vector<std::vector<double>> gap(L);
        int nb = 0;
        std::string desc;
        {
          auto eng = make_cuda_engine_synthetic(*preset, 1234, o);
          desc = eng->describe();
          std::vector<std::int32_t> prompt(static_cast<std::size_t>(batch) * 32, 11);
          StepResult r;
          eng->prefill(batch, 32, prompt, LogitsMode::kNone, r);
          // Slots: the launches of one step cycle through L slots (each launch takes the next).
          cudak::set_mlp_fused_trace(dtr, n);
          for (int step = 0; step < 3; ++step) eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
          int slot_blocks = 0;
          for (int step = 0; step < 7; ++step) {
            ck(cudaMemset(dtr, 0, n * 8), "clear trace");
            ck(cudaDeviceSynchronize(), "sync");
            eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
            ck(cudaDeviceSynchronize(), "sync");
            std::vector<unsigned long long> h(n);
            ck(cudaMemcpy(h.data(), dtr, n * 8, cudaMemcpyDeviceToHost), "read trace");
            // Layers in launch order: slot l holds the launch made l-th in the captured step (the
            // graph was captured at step 1 with the slot counter at L after the eager step 0).
            std::vector<std::pair<unsigned long long, int>> order;
            for (int l = 0; l < L; ++l) {
              const unsigned long long* t = h.data() + static_cast<std::size_t>(l) * plan.blocks * NS;
              if (t[1] != 0) order.push_back({t[1], l});
            }
            std::sort(order.begin(), order.end());
            if (order.empty()) {
              nb = 0;
              break;
            }
            double prev_end = -1;
            for (std::size_t li = 0; li < order.size(); ++li) {
              nb = fold_layer_stamps(h.data() + static_cast<std::size_t>(order[li].second) * plan.blocks * NS, plan.blocks,
                                     NS, 8, NU, med[li], mx[li], gap[li], prev_end);
              slot_blocks = nb;
              if (nb == 0) break;
            }
            if (nb == 0) break;
          }
          cudak::set_mlp_fused_trace(nullptr, 0);
          nb = slot_blocks;
        }
        cudaFree(dtr);
        if (nb == 0 || med[1][0].empty()) {
          std::printf("trace-mlp %s %s [%s]: no timeline (fused MLP not taken?) %s\n", trace_mlp_model.c_str(), prec,
                      var.name.c_str(), desc.c_str());
          continue;
        }
        std::printf("trace-mlp %s %s B=%d [%s] (%d blocks per layer): us after the layer's first wait, median block / latest block\n",
                    trace_mlp_model.c_str(), prec, batch, var.name.c_str(), nb);
        auto row = [&](const char* what, auto&& val) {
          std::printf("  %-9s", what);
          for (int i = 0; i < NU; ++i) std::printf(" %s %.2f/%.2f", names[i], val(i, false), val(i, true));
          std::printf("\n");
        };
        row("layer 1", [&](int i, bool late) { return median(late ? mx[1][i] : med[1][i]); });
        int nl = 0;
        for (int l = 1; l < L; ++l) nl += med[l][0].empty() ? 0 : 1;
        row("mean 1..", [&](int i, bool late) {
          double sum = 0;
          for (int l = 1; l < L; ++l)
            if (!med[l][0].empty()) sum += median(late ? mx[l][i] : med[l][i]);
          return sum / std::max(1, nl);
        });
        double gsum = 0;
        int ng = 0;
        for (int l = 1; l < L; ++l)
          if (!gap[l].empty()) {
            gsum += median(gap[l]);
            ++ng;
          }
        std::printf("  gap (previous MLP's last end -> this MLP's first wait), mean over layers 1..: %.2f us   %s\n",
                    gsum / std::max(1, ng), desc.substr(desc.find("fuse_mlp=")).substr(0, 160).c_str());
      }
    return 0;
  }

  if (!profile_prefill_model.empty()) {
    // One eager prefill (prefill graphs off, so a profiler sees each launch) after 3 warm-ups,
    // alone between cudaProfilerStart and Stop; before it, 20 eager prefills' host submission time
    // against their wall time (how much of an eager prefill is the host's launching).
    const auto preset = sb::model::preset_config(profile_prefill_model);
    if (!preset || profile_batch < 1 || profile_batch > 4 || profile_seq < 1) {
      std::fprintf(stderr, "--profile-prefill: unknown model %s or batch %d / seq %d out of range\n",
                   profile_prefill_model.c_str(), profile_batch, profile_seq);
      return 2;
    }
    CudaEngineOptions o = tool_options(precisions_arg.empty() ? "fp16" : precisions_arg.substr(0, precisions_arg.find(',')),
                                       parse_variants(variants_arg).front());
    o.prefill_graphs = false;
    auto eng = make_cuda_engine_synthetic(*preset, 1234, o);
    std::vector<std::int32_t> prompt(static_cast<std::size_t>(profile_batch) * profile_seq, 11);
    StepResult r;
    for (int i = 0; i < 3; ++i) eng->prefill(profile_batch, profile_seq, prompt, LogitsMode::kNone, r);
    std::vector<double> wall, submit;
    for (int i = 0; i < 20; ++i) {
      const auto t0 = Clock::now();
      eng->prefill(profile_batch, profile_seq, prompt, LogitsMode::kNone, r);
      wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      submit.push_back(cuda_engine_stats(*eng).last_prefill_submit_ms);
    }
    std::printf("eager prefill %s %s %dx%d: wall median %.4f ms (p10 %.4f, p90 %.4f), host submission median %.4f ms\n",
                profile_prefill_model.c_str(), o.precision.c_str(), profile_batch, profile_seq, median(wall),
                pct(wall, 0.1), pct(wall, 0.9), median(submit));
    std::printf("GEMM plans:\n%s", cuda_engine_stats(*eng, true).gemm_plans.c_str());
    ck(cudaProfilerStart(), "cudaProfilerStart");
    eng->prefill(profile_batch, profile_seq, prompt, LogitsMode::kNone, r);
    ck(cudaProfilerStop(), "cudaProfilerStop");
    std::printf("profiled one eager %s %s prefill %dx%d\n", profile_prefill_model.c_str(), o.precision.c_str(),
                profile_batch, profile_seq);
    return 0;
  }

  if (!trace_model.empty()) {
    // Timeline of one eager persistent decode step (kernels.h set_persistent_trace): per phase
    // kind, the critical path (last arrival at the phase's barrier minus the last exit from the
    // previous one), the median block's own work, and the barrier latency after the last arrival.
    const auto preset = sb::model::preset_config(trace_model);
    if (!preset) {
      std::fprintf(stderr, "--trace: unknown model %s\n", trace_model.c_str());
      return 2;
    }
    const sb::model::GptConfig cfg = *preset;
    for (const Variant& var : parse_variants(variants_arg)) {
      for (int batch : {1, 4}) {
        CudaEngineOptions o;
        o.precision = "fp16";
        o.max_batch = 4;
        o.max_seq = 256;
        o.persistent_decode = true;
        apply_variant(var, o);
        auto eng = make_cuda_engine_synthetic(cfg, 1234, o);
        const int L = cfg.n_layer, per = 20 * L + 4, bar = 10 * L + 2, G = prop.multiProcessorCount;
        unsigned long long* dtr = nullptr;
        ck(cudaMalloc(&dtr, static_cast<std::size_t>(G) * per * 8), "malloc trace");
        ck(cudaMemset(dtr, 0, static_cast<std::size_t>(G) * per * 8), "memset trace");
        std::vector<std::int32_t> prompt(static_cast<std::size_t>(batch) * 32, 11);
        StepResult r;
        eng->prefill(batch, 32, prompt, LogitsMode::kNone, r);
        for (int step = 0; step < 3; ++step) eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kNone, r);
        cudak::set_persistent_trace(dtr, static_cast<std::size_t>(G) * per);
        const auto t0 = Clock::now();
        eng->decode(std::vector<std::int32_t>(r.next_tokens), LogitsMode::kLast, r);
        const double host_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        cudak::set_persistent_trace(nullptr, 0);
        std::vector<unsigned long long> tr(static_cast<std::size_t>(G) * per);
        ck(cudaMemcpy(tr.data(), dtr, tr.size() * 8, cudaMemcpyDeviceToHost), "read trace");
        cudaFree(dtr);
        int nb = 0;
        while (nb < G && tr[static_cast<std::size_t>(nb) * per] != 0) ++nb;
        if (nb == 0) {
          std::printf("trace %s B=%d: no timeline written (persistent path not taken?)\n", trace_model.c_str(), batch);
          continue;
        }
        auto at = [&](int b, int i) { return static_cast<double>(tr[static_cast<std::size_t>(b) * per + i]); };
        double start_min = 1e300, prev_max = 0;
        for (int b = 0; b < nb; ++b) start_min = std::min(start_min, at(b, 0));
        for (int b = 0; b < nb; ++b) prev_max = std::max(prev_max, at(b, 0));
        const char* names[5] = {"A ln1+qkv", "B attention", "C proj", "D ln2+fc", "E fc2"};
        double crit[5] = {0}, own[5] = {0}, lat[5] = {0}, st[5] = {0}, lnt[5] = {0}, mat[5] = {0};
        std::vector<double> prev_exit(nb);
        for (int b = 0; b < nb; ++b) prev_exit[b] = at(b, 0);
        for (int k = 1; k <= 5 * L; ++k) {
          double amax = 0, emax = 0;
          std::vector<double> work(nb), w_st(nb), w_ln(nb), w_mat(nb);
          for (int b = 0; b < nb; ++b) {
            amax = std::max(amax, at(b, 2 * k - 1));
            emax = std::max(emax, at(b, 2 * k));
            work[b] = at(b, 2 * k - 1) - prev_exit[b];
            // Sub-phase stamps of phase k - 1: input staged, LayerNorm done.
            const double s0 = at(b, bar + 2 * (k - 1)), s1 = at(b, bar + 2 * (k - 1) + 1);
            w_st[b] = s0 - prev_exit[b];
            w_ln[b] = s1 - s0;
            w_mat[b] = at(b, 2 * k - 1) - s1;
            prev_exit[b] = at(b, 2 * k);
          }
          const int ph = (k - 1) % 5;
          crit[ph] += (amax - prev_max) / L;
          own[ph] += median(work) / L;
          st[ph] += median(w_st) / L;
          lnt[ph] += median(w_ln) / L;
          mat[ph] += median(w_mat) / L;
          lat[ph] += (emax - amax) / L;
          prev_max = emax;
        }
        double end_max = 0;
        for (int b = 0; b < nb; ++b) end_max = std::max(end_max, at(b, bar - 1));
        std::printf("trace %s fp16 B=%d [%s] (%d blocks): kernel %.1f us (first start to last end), host step %.1f us\n",
                    trace_model.c_str(), batch, var.name.c_str(), nb, (end_max - start_min) * 1e-3, host_ms * 1e3);
        std::printf("  start skew %.2f us; LM head after the last barrier %.2f us\n", (prev_max - prev_max) + 0.0,
                    (end_max - prev_max) * 1e-3);
        for (int ph = 0; ph < 5; ++ph)
          std::printf("  phase %-12s critical %.2f us, median block's own work %.2f us (input %.2f, LayerNorm %.2f, "
                      "rest to arrival %.2f), barrier after last arrival %.2f us (per layer)\n",
                      names[ph], crit[ph] * 1e-3, own[ph] * 1e-3, st[ph] * 1e-3, lnt[ph] * 1e-3, mat[ph] * 1e-3,
                      lat[ph] * 1e-3);
      }
    }
    return 0;
  }

  const double bw = d2d_bandwidth_gbps();
  const double rbw = read_bandwidth_gbps();
  const double tf16 = gemm_tflops(cudak::Dt::kF16, 8192), tbf16 = gemm_tflops(cudak::Dt::kBF16, 8192),
               tf32 = gemm_tflops(cudak::Dt::kF32, 4096);
  std::printf("ceilings: d2d copy %.0f GB/s (read+write); streaming read %.0f GB/s; cuBLASLt GEMM fp16 %.0f, bf16 "
              "%.0f TFLOP/s (8192^3), fp32 strict %.1f TFLOP/s (4096^3)\n", bw, rbw, tf16, tbf16, tf32);
  emit(fmt::format(R"({{"kind":"ceilings","device":"{}","d2d_bandwidth_gbps":{:.1f},"read_bandwidth_gbps":{:.1f},"gemm_tflops":{{"fp16":{:.1f},"bf16":{:.1f},"fp32":{:.2f}}}}})",
                   prop.name, bw, rbw, tf16, tbf16, tf32));

  // Fixed cost of dependent launches (see chain_step_ms): a gpt2 decode step is 62 kernels.
  for (int n : {1, 13, 62, 242}) {
    if (!extras) break;
    const double with = chain_step_ms(n, true, true), bare = chain_step_ms(n, false, true),
                 nopdl = chain_step_ms(n, true, false);
    std::printf("chain of %3d empty kernels in a graph: %.4f ms with the 2 copies, %.4f ms without, "
                "%.4f ms with copies and no PDL (%.2f us per kernel with copies)\n",
                n, with, bare, nopdl, with * 1e3 / n);
    emit(fmt::format(R"({{"kind":"chain","device":"{}","kernels":{},"step_ms_copies":{:.5f},"step_ms_no_copies":{:.5f},"step_ms_copies_no_pdl":{:.5f}}})",
                     prop.name, n, with, bare, nopdl));
    if (n == 1) {
      // The floor under the small-model decode step: its graph is the step-input copy + one kernel
      // that writes the tokens to pinned memory itself.
      const double h2d = chain_step_ms(1, true, true, false);
      std::printf("one empty kernel in a graph after the 8-byte host -> device copy (no copy back): %.4f ms\n", h2d);
      emit(fmt::format(R"({{"kind":"one_kernel_floor","device":"{}","step_ms_h2d_copy":{:.5f},"step_ms_no_copies":{:.5f}}})",
                       prop.name, h2d, bare));
    }
  }
  // Grid barriers of the persistent decode kernel (one block per SM, and 32 blocks).
  for (int blocks : {prop.multiProcessorCount, 32}) {
    if (!extras) break;
    const double b0 = barrier_step_ms(0, blocks, true), b60 = barrier_step_ms(60, blocks, true),
                 b240 = barrier_step_ms(240, blocks, true);
    std::printf("cooperative kernel in a graph, %d blocks: %.4f ms with 0 grid barriers, %.4f with 60, %.4f with "
                "240 (%.3f us per barrier)\n", blocks, b0, b60, b240, (b240 - b0) * 1e3 / 240);
    emit(fmt::format(R"({{"kind":"barrier","device":"{}","blocks":{},"step_ms_0":{:.5f},"step_ms_60":{:.5f},"step_ms_240":{:.5f}}})",
                     prop.name, blocks, b0, b60, b240));
  }
  // The persistent kernel's weight ring alone (1 GiB from DRAM per run: 132 blocks x ~8 MB).
  if (stream_probe) {
    const int G = prop.multiProcessorCount;
    const unsigned long long per_block = (1ull << 30) / G / 65536 * 65536;
    void* src = nullptr;
    ck(cudaMalloc(&src, per_block * G), "malloc stream probe");
    ck(cudak::launch_fill_normal(cudak::Dt::kF32, src, per_block * G / 4, 3, 1, 0, 1, nullptr), "fill");
    struct P { int blocks, slot, slots, split; };
    const P ps[] = {{G, 16384, 2, 1},  {G, 16384, 12, 1}, {G, 65536, 2, 1}, {G, 65536, 3, 1},
                    {G, 65536, 2, 8},  {G, 65536, 3, 16}, {G, 32768, 6, 4}, {G / 2, 65536, 3, 8}};
    for (const P& p : ps) {
      const unsigned long long pb = p.blocks == G ? per_block : per_block * 2;
      const double ms = event_median_ms(2, 5, [&] {
        ck(cudak::launch_stream_probe(src, pb, p.blocks, p.slot, p.slots, p.split, nullptr), "stream probe");
      });
      const double gbps = static_cast<double>(pb) * p.blocks / (ms * 1e-3) / 1e9;
      std::printf("weight ring alone: %3d blocks, %2d slots x %5d B, %2d bulk copies per chunk: %.0f GB/s (%.1f GB/s per block)\n",
                  p.blocks, p.slots, p.slot, p.split, gbps, gbps / p.blocks);
      emit(fmt::format(R"({{"kind":"stream_probe","device":"{}","blocks":{},"slot_bytes":{},"slots":{},"split":{},"gbps":{:.1f}}})",
                       prop.name, p.blocks, p.slot, p.slots, p.split, gbps));
    }
    cudaFree(src);
    if (models_arg == "none") return 0;
  }
  std::vector<ModelSpec> specs;
  std::stringstream ms(models_arg);
  for (std::string m; std::getline(ms, m, ',');) {
    const auto preset = model_config(m);
    if (!preset) {
      std::fprintf(stderr, "unknown model %s\n", m.c_str());
      return 2;
    }
    // Default precisions per size: the fp32/bf16 cells only where they are cheap to time.
    specs.push_back({m, *preset,
                     m == "tiny-gpt2" || m[0] == 'L' ? std::vector<std::string>{"fp32", "fp16"}
                     : m == "gpt2"    ? std::vector<std::string>{"fp32", "fp16", "bf16"}
                                      : std::vector<std::string>{"fp16"}});
  }
  if (!precisions_arg.empty()) {  // same precisions for every model (int8/fp8: synthetic scales)
    std::vector<std::string> ps;
    std::stringstream pss(precisions_arg);
    for (std::string p; std::getline(pss, p, ',');) ps.push_back(p);
    for (auto& sp : specs) sp.precisions = ps;
  }
  struct Scen { const char* name; int b, s; bool named_only = false; };
  const Scen scens[] = {{"single_micro", 1, 8},  {"single_short", 1, 32}, {"single_medium", 1, 64},
                        {"single_long", 1, 128}, {"batch_short", 4, 32},  {"batch_medium", 4, 64},
                        // batch 2 and 3 (decode GEMV shape rules: docs/perf-cuda.md "Session 8b")
                        {"batch2_short", 2, 32}, {"batch3_short", 3, 32},
                        // a long cache (decode at keys 800..831: the chain's attention splits the keys
                        // 4 ways, the fused attention + proj kernel does not; "Session 9")
                        // (only when named in --scenarios)
                        {"single_ctx800", 1, 800, true}, {"batch_ctx800", 4, 800, true}};
  const int new_tokens = 32, reps = reps_arg > 0 ? reps_arg : quick ? 5 : 15, warm = 3;
  const std::vector<Variant> variants = parse_variants(variants_arg);
  std::printf("\n%-10s %-5s %-14s %-10s %11s %11s %11s %11s %11s %11s %8s\n", "model", "prec", "scenario",
              "variant", "prefill_ms", "pre_p90_ms", "pre_sub_ms", "decode_ms", "dec_p90_ms", "floor_ms", "x_floor");
  std::mt19937 rng(42);
  for (const auto& spec : specs) {
    for (const auto& prec : spec.precisions)
    for (const Variant& var : variants) {
      CudaEngineOptions o;
      o.precision = prec;
      o.max_batch = 4;
      // 256 positions (a decode step's attention is one key split in the chain), 1024 when a
      // prompt-800 scenario is named (4 splits of 256 keys).
      o.max_seq = scenarios_arg.find("ctx800") != std::string::npos ? 1024 : 256;
      apply_variant(var, o);
      std::unique_ptr<Engine> eng;
      try {
        eng = make_cuda_engine_synthetic(spec.cfg, 1234, o);
      } catch (const std::exception& e) {
        std::printf("%-10s %-5s FAILED to create: %s\n", spec.name.c_str(), prec.c_str(), e.what());
        continue;
      }
      if (eng->describe().find("fuse_attn_proj=on") != std::string::npos)
        std::printf("  [%s] %s\n", var.name.c_str(), eng->describe().substr(eng->describe().find("fuse_attn_proj=")).c_str());
      if (const auto at = eng->describe().find("fuse_mlp="); at != std::string::npos)  // which batches fuse the MLP
        std::printf("  [%s] %s\n", var.name.c_str(), eng->describe().substr(at, eng->describe().find(" fuse_attn_layer", at) - at).c_str());
      if (const auto at = eng->describe().find("fuse_attn_layer="); at != std::string::npos)  // ... and the attention half
        std::printf("  [%s] %s\n", var.name.c_str(), eng->describe().substr(at, eng->describe().find(" prefill_graphs", at) - at).c_str());
      if (eng->describe().find("persistent_decode=on") != std::string::npos)
        std::printf("  [%s] %s\n", var.name.c_str(), eng->describe().substr(eng->describe().find("persistent_decode=")).c_str());
      else if (eng->describe().find("small_decode=") != std::string::npos)
        std::printf("  [%s] %s\n", var.name.c_str(), eng->describe().substr(eng->describe().find("small_decode=")).c_str());
      const double es = prec == "fp32" ? 4 : 2;
      const double wbytes = weight_bytes(spec.cfg, es, prec == "int8" || prec == "fp8" ? 1 : 0);
      for (const Scen& sc : scens) {
        if ((!scenarios_arg.empty() || sc.named_only) &&
            ("," + scenarios_arg + ",").find(std::string(",") + sc.name + ",") == std::string::npos)
          continue;
        std::vector<std::int32_t> prompt(static_cast<std::size_t>(sc.b) * sc.s);
        StepResult r;
        std::vector<double> pre_ms, dec_ms, sub_ms;
        CudaEngineStats st0;
        for (int rep = 0; rep < warm + reps; ++rep) {
          for (auto& t : prompt) t = static_cast<std::int32_t>(rng() % spec.cfg.vocab_size);
          if (rep == warm) st0 = cuda_engine_stats(*eng);
          const auto t0 = Clock::now();
          eng->prefill(sc.b, sc.s, prompt, LogitsMode::kNone, r);
          const auto t1 = Clock::now();
          if (rep >= warm) {
            pre_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            sub_ms.push_back(cuda_engine_stats(*eng).last_prefill_submit_ms);
          }
          for (int step = 0; step < (prefill_only ? 0 : new_tokens - 1); ++step) {
            const auto in = r.next_tokens;
            const auto d0 = Clock::now();
            eng->decode(in, LogitsMode::kNone, r);
            const auto d1 = Clock::now();
            if (rep >= warm) dec_ms.push_back(std::chrono::duration<double, std::milli>(d1 - d0).count());
          }
        }
        // Floor of a decode step at the mean cache length: weights + K and V of every layer.
        const double mean_pos = sc.s + (new_tokens - 1) / 2.0;
        const double kv_bytes = 2.0 * spec.cfg.n_layer * sc.b * mean_pos * spec.cfg.n_embd * es;
        const double floor_ms = (wbytes + kv_bytes) / (bw * 1e9) * 1e3;
        const double pre = median(pre_ms), dec = median(dec_ms);
        // Which prefill path the timed samples took (replays of a captured graph, or eager).
        const CudaEngineStats st1 = cuda_engine_stats(*eng);
        const long long replays = st1.prefill_replays - st0.prefill_replays,
                        eager = st1.prefill_eager - st0.prefill_eager,
                        captures = st1.prefill_captures - st0.prefill_captures;
        std::printf("%-10s %-5s %-14s %-10s %11.4f %11.4f %11.4f %11.4f %11.4f %11.4f %8.2f%s\n", spec.name.c_str(),
                    prec.c_str(), sc.name, var.name.c_str(), pre, pct(pre_ms, 0.9), median(sub_ms), dec,
                    pct(dec_ms, 0.9), floor_ms, dec / floor_ms,
                    replays == reps ? "" : fmt::format("  (timed prefills: {} replayed, {} eager, {} captured)",
                                                       replays, eager, captures).c_str());
        emit(fmt::format(
            R"({{"kind":"cell","device":"{}","variant":"{}","model":"{}","precision":"{}","kernel_version":3,"scenario":"{}","batch":{},"prompt":{},"new_tokens":{},"reps":{},"prefill_ms_median":{:.5f},"prefill_ms_p10":{:.5f},"prefill_ms_p90":{:.5f},"prefill_submit_ms_median":{:.5f},"prefill_replays":{},"prefill_eager":{},"prefill_captures":{},"prefill_only":{},"decode_step_ms_median":{:.5f},"decode_step_ms_p10":{:.5f},"decode_step_ms_p90":{:.5f},"decode_floor_ms":{:.5f},"weight_bytes":{:.0f},"graphs":true,"lm_head":"last_position"}})",
            prop.name, var.name, spec.name, prec, sc.name, sc.b, sc.s, new_tokens, reps, pre, pct(pre_ms, 0.1),
            pct(pre_ms, 0.9), median(sub_ms), replays, eager, captures, prefill_only, dec, pct(dec_ms, 0.1),
            pct(dec_ms, 0.9), floor_ms, wbytes));
      }
      if (plans)  // the GEMM shapes this engine planned over its cells
        std::printf("GEMM plans of %s %s [%s]:\n%s", spec.name.c_str(), prec.c_str(), var.name.c_str(),
                    cuda_engine_stats(*eng, true).gemm_plans.c_str());
    }
  }
  // Graphs off vs on for gpt2 fp16 decode, batch 1 (what the graphs buy).
  for (const auto& spec : specs) {
    if (!extras) break;
    if (spec.name != "gpt2" && spec.name != "tiny-gpt2") continue;
    for (int variant = 0; variant < 3; ++variant) {
      const bool graphs = variant > 0, pdl = variant != 1;
      CudaEngineOptions o;
      o.precision = "fp16";
      o.max_batch = 1;
      o.max_seq = 256;
      o.cuda_graphs = graphs;
      o.programmatic_launch = pdl;
      auto eng = make_cuda_engine_synthetic(spec.cfg, 1234, o);
      std::vector<std::int32_t> prompt(32, 11);
      StepResult r;
      std::vector<double> dec_ms;
      for (int rep = 0; rep < 8; ++rep) {
        eng->prefill(1, 32, prompt, LogitsMode::kNone, r);
        for (int step = 0; step < 31; ++step) {
          const auto in = r.next_tokens;
          const auto d0 = Clock::now();
          eng->decode(in, LogitsMode::kNone, r);
          if (rep >= 2) dec_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - d0).count());
        }
      }
      std::printf("%s fp16 single_short decode, graphs %s, PDL %s: %.4f ms/step (median)\n",
                  spec.name.c_str(), graphs ? "on " : "off", pdl ? "on " : "off", median(dec_ms));
      emit(fmt::format(R"({{"kind":"graphs_ab","device":"{}","model":"{}","precision":"fp16","kernel_version":3,"graphs":{},"pdl":{},"decode_step_ms_median":{:.5f}}})",
                       prop.name, spec.name, graphs, pdl, median(dec_ms)));
    }
  }
  return 0;
}
