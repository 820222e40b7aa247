// bench/worker — `scalebench worker`: one group's backend, driven over the worker protocol.
// Contract (docs/formats.md "Worker protocol"): reads ops as JSON lines from `in`, writes
// messages as JSON lines to `out_fd` (one write per message, so a crash never leaves half a
// message before a complete one).  The first op must be load; run executes a cell's warmups
// and repetitions with the timing loop here, sending one `sample` message per finished sample
// and `cell_done` at the end.  std::bad_alloc -> error status oom and exit; UnsupportedError ->
// error status unsupported and wait for the next op; any other error -> status failed and exit.
#pragma once
#include <istream>

namespace sb::bench {

// Returns the process exit code: 0 after shutdown/EOF, 2 after a failed op, 3 after oom.
int run_worker(std::istream& in, int out_fd);

// Peak resident set size of this process (VmHWM), bytes; 0 when unknown.
long long peak_rss_bytes();

}  // namespace sb::bench
