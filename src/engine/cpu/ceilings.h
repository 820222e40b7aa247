// engine/cpu/ceilings — what this machine can do at best, measured: the floors that CPU
// timings are compared with (DESIGN.md, roofline floor per cell).
// Contract:
//  - measure_cpu_read_bandwidth_gbps(threads): a read-only sum over a buffer of >= 1 GiB
//    (default 1 GiB, advised for transparent huge pages like the engine's weights), split into
//    one contiguous slice per thread, first touched by the thread that reads it; best of
//    `repetitions` passes; GB/s = bytes read / seconds / 1e9.
//  - measure_sgemm_gflops(threads): OpenBLAS cblas_sgemm on n x n fp32 matrices (default
//    n = 2048) with `threads` OpenBLAS threads, and the engine's own AVX-512 GEMM
//    (engine/cpu/gemm.h) on `threads` pool threads where the CPU runs it; best of `repetitions`
//    of the faster one; 2 n^3 / seconds / 1e9.
//  - threads <= 0 means every CPU the process may run on.  Both take seconds and allocate
//    (1 GiB, 48 MiB): call them once per study, not per cell.
#pragma once
#include <cstddef>

namespace sb::engine {

struct CpuCeilings {
  double mem_bandwidth_gbps = 0;
  double sgemm_gflops = 0;
  int threads = 0;
};

double measure_cpu_read_bandwidth_gbps(int threads, std::size_t bytes = std::size_t{1} << 30,
                                       int repetitions = 5);
double measure_sgemm_gflops(int threads, int n = 2048, int repetitions = 5);
CpuCeilings measure_cpu_ceilings(int threads);

}  // namespace sb::engine
