// bench/runner — `scalebench run`: a study file in, records.jsonl + manifest.json out.
// Contract:
//  - The study is validated and planned before anything runs; counts (cells, groups,
//    samples) are printed first.
//  - Each group runs in a worker process (`scalebench worker`, or the backend's own program);
//    the parent enforces the load and per-cell timeouts by killing the worker's process group,
//    classifies what went wrong (timeout, crash = signal, oom = SIGKILL it did not send or
//    std::bad_alloc, failed = error text, unsupported = declared by the backend), records it
//    with what was observed, starts a fresh worker and goes on: the study always finishes.
//  - records.jsonl is append-only, one fsync per cell (a cell's records are written together
//    when it ends, so kill -9 loses at most the cell in flight); manifest.json is replaced
//    atomically.  Running again on the same folder resumes: finished cells are kept, records
//    of unfinished cells are dropped (docs/formats.md "Resume"); a different study text or
//    binary is refused unless force.
#pragma once
#include <filesystem>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace sb::bench {

struct RunOptions {
  std::filesystem::path study_path;
  std::filesystem::path out_dir;        // empty: the study's `out`, else results/<study name>
  int shard_index = 0, shard_count = 1;
  bool force = false;
  bool skip_ceilings = false;
  std::string self_executable;          // the scalebench binary (spawned as `... worker`)
  std::string command_line;             // recorded in the manifest
  std::ostream* log = nullptr;          // progress and messages (default std::cerr)
};

struct RunSummary {
  std::filesystem::path out_dir;
  int cells_planned = 0;
  int cells_skipped = 0;                // already finished (resume)
  int cells_ok = 0;
  int cells_not_ok = 0;                 // failed, timeout, oom, crash, unsupported
};

RunSummary run_study(const RunOptions& options);

// SHA-256 of the running binary: a resume refuses a different one.
std::string binary_sha256(const std::string& self_executable);
std::string utc_now_iso8601();

// Cells of a records file that are finished: all measured samples present, or a failure.
struct RecordIndex {
  std::vector<std::string> finished_cells;
  std::vector<std::string> failed_cells;
};
RecordIndex index_records(const std::filesystem::path& records_path,
                          const std::vector<std::pair<std::string, int>>& planned /* id, reps */);

}  // namespace sb::bench
