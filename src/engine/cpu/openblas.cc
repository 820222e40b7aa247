#include "engine/cpu/openblas.h"

#include <cblas.h>
#include <dlfcn.h>

#include <cstdlib>

#include <fmt/format.h>

namespace sb::engine {

std::string openblas_kernels() {
  const char* name = openblas_get_corename();
  std::string s = fmt::format("{} kernels", name ? name : "unknown");
  if (const char* forced = std::getenv("OPENBLAS_CORETYPE"); forced && *forced) {
    s += fmt::format(", forced by env OPENBLAS_CORETYPE={}", forced);
  }
  return s;
}

// OpenBLAS's pthread server keeps its idle workers busy-waiting for a while after every call
// (2^28 cycles by default, ~0.1 s; env OPENBLAS_THREAD_TIMEOUT, read only when the library
// loads).  A fused step right after an OpenBLAS prefill would share the cores with them: on 2
// cores that cost ~1.5x on the first decode steps.  blas_thread_shutdown_ (exported by the
// pthread builds; OpenBLAS itself calls it around fork) stops them, and OpenBLAS starts them
// again at its next threaded call.  Looked up at run time: absent (other builds), nothing is done.
void park_openblas_threads() {
  using ShutdownFn = int (*)();
  static const auto shutdown = reinterpret_cast<ShutdownFn>(dlsym(RTLD_DEFAULT, "blas_thread_shutdown_"));
  if (shutdown) shutdown();
}

}  // namespace sb::engine
