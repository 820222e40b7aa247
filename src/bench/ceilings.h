// bench/ceilings — the GPU half of the manifest's "ceilings" (the CPU half, read bandwidth and
// SGEMM, comes from engine/cpu/ceilings.h): for every CUDA device a study's groups use,
// device-to-device copy bandwidth and the cuBLASLt GEMM rate of fp16, bf16 and fp32
// (engine/cuda/ceilings.h), measured once per study and kept under "ceilings"["cuda:N"], which
// the report's roofline floors read for cells on that device.
// Contract:
//  - The measurement runs in a forked child process, so the runner never holds a CUDA context
//    (device memory) while workers run, and a failing driver cannot end the study; the child is
//    killed after 180 s.
//  - A device that cannot be measured still gets an entry, {"absent_reason": "..."}, saying why
//    (this scalebench built without CUDA, the measurement failed or timed out), so the manifest
//    says why GPU ceilings are absent instead of leaving the reader to guess.  The report
//    computes no floor from such an entry.
//  - Devices already measured (a resumed study) keep their numbers.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/plan.h"

namespace sb::bench {

// "cuda:N" devices of the plan's groups, sorted, each once.
std::vector<std::string> cuda_devices_of(const Plan& plan);

// True when this binary can measure GPU ceilings (built with the CUDA engine).
bool gpu_ceilings_supported();

// Measures (or explains the absence of) each device's ceilings and writes them into
// `ceilings` (the manifest's "ceilings" object); entries holding d2d_bandwidth_gbps are kept.
void add_gpu_ceilings(nlohmann::json& ceilings, const std::vector<std::string>& devices, std::ostream& log);

}  // namespace sb::bench
