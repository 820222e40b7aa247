#include "util/process_exit.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace sb {

void exit_without_teardown(int rc) {
  std::cout.flush();
  std::cerr.flush();
  std::clog.flush();
  std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  // The leak check normally runs from an exit handler, which _Exit skips.  It exits the
  // process itself (non-zero) when it finds a leak that no suppression covers.
  __lsan_do_leak_check();
#endif
  std::_Exit(rc);
}

}  // namespace sb
