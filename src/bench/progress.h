// bench/progress — what `scalebench run` shows while it works.
// Contract: on a terminal, one live line (cells done/total, current cell, elapsed, ETA) that is
// redrawn in place; otherwise (CI logs, pipes) plain lines, one per finished cell.  Messages
// (failures, notes) always get their own line.
#pragma once
#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "bench/record.h"

namespace sb::bench {

class Progress {
 public:
  // live: redraw one line in place; default (nullopt) = only when `out` is std::cerr and stderr
  // is a terminal.  Tests force either mode.
  Progress(std::ostream& out, int total_cells, int already_done, std::optional<bool> live = std::nullopt);
  void cell_started(const CellKey& key, const std::string& what);
  // status: the cell's status (ok, failed, timeout, oom, crash, unsupported); a log line names it
  // in capitals when it is not ok, so `unsupported` never reads as FAILED.
  void cell_done(const CellKey& key, Status status);
  void message(const std::string& text);
  void finish();

 private:
  void draw();
  std::ostream& out_;
  bool tty_;
  int total_, done_, done_here_ = 0, failed_ = 0;
  std::string current_;
  std::chrono::steady_clock::time_point start_;
  bool line_open_ = false;
};

std::string format_duration(double seconds);   // "1:05", "1:02:03"

}  // namespace sb::bench
