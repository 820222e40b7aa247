// bench/environment — what the machine is (manifest "host"/"gpus") and how it is doing right
// now (per-cell samples: CPU governor, load average, thermal throttle counters, and through
// NVML when libnvidia-ml can be dlopen'ed: GPU clocks, temperature, power, throttle reasons).
// Contract: every probe is optional; a missing file or library leaves its field out (or null),
// never fails the run.  Without NVML (no NVIDIA driver, e.g. CI) the manifest's "gpus" is empty,
// samples have no "gpus", only CPU throttling can flag a cell, and nvml_status() says why
// (recorded in the manifest as "gpu_monitoring").  SCALEBENCH_NVML_LIBRARY names another
// library file to dlopen (tests use a missing one to exercise the absent path anywhere).
#pragma once
#include <nlohmann/json.hpp>

namespace sb::bench {

// {"available": bool, "library": "libnvidia-ml.so.1", "devices": N, "reason": "..." when not}
nlohmann::json nvml_status();
nlohmann::json host_info();          // {"hostname","cpu_model","cores","threads","caches","memory_bytes","os","governor"}
nlohmann::json gpu_info();           // [{"name","driver","memory_bytes","uuid"}] (empty without NVML)
nlohmann::json sample_environment(); // {"loadavg_1m","governor","cpu_throttle_count","gpus":[...]}
// True when something throttled between two samples: CPU thermal throttle counters grew, or a
// GPU reports a slowdown reason (power cap, thermal, hardware slowdown) at `after`.
bool throttled_between(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace sb::bench
