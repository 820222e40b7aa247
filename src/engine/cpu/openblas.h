// engine/cpu/openblas — what the CPU engine asks of, and reports about, the OpenBLAS library it
// links (process-wide state: the library has one kernel set and one thread pool per process).
// Contract:
//  - openblas_kernels(): the kernel set in use ("Cooperlake kernels", "Haswell kernels"), with
//    ", forced by env OPENBLAS_CORETYPE=<value>" when the environment chose it.  A DYNAMIC_ARCH
//    OpenBLAS picks its kernels from the CPU when it loads unless OPENBLAS_CORETYPE names a set;
//    the engine never overrides that choice, it reports it (describe(), hence every record):
//    the development VM's environment sets OPENBLAS_CORETYPE=Haswell, which halves the SGEMM
//    rate of its AVX-512 CPU (docs/perf.md, session 4).
//  - park_openblas_threads(): stops OpenBLAS's busy-waiting idle workers (see openblas.cc); a
//    no-op for builds without the pthread server.
#pragma once
#include <string>

namespace sb::engine {

std::string openblas_kernels();
void park_openblas_threads();

}  // namespace sb::engine
