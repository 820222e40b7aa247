#include "bench/progress.h"

#include <unistd.h>

#include <cctype>
#include <iostream>

#include <fmt/format.h>

namespace sb::bench {

std::string format_duration(double seconds) {
  auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02d}:{:02d}", s / 3600, static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return fmt::format("{}:{:02d}", s / 60, static_cast<int>(s % 60));
}

namespace {
std::string label(Status s) {
  std::string name = status_name(s);
  if (s != Status::kOk)
    for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return name;
}
}  // namespace

Progress::Progress(std::ostream& out, int total_cells, int already_done, std::optional<bool> live)
    : out_(out), total_(total_cells), done_(already_done), start_(std::chrono::steady_clock::now()) {
  // Live redraws only when the stream is the terminal's stderr (unless told).
  tty_ = live.value_or((&out == &std::cerr) && ::isatty(2));
}

void Progress::draw() {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string eta = "?";
  if (done_here_ > 0) eta = format_duration(elapsed / done_here_ * (total_ - done_));
  std::string cur = current_.size() > 70 ? "..." + current_.substr(current_.size() - 67) : current_;
  out_ << fmt::format("\r\033[K[{}/{}] {} failed | {} | elapsed {} | ETA {}", done_, total_, failed_, cur,
                      format_duration(elapsed), eta)
       << std::flush;
  line_open_ = true;
}

void Progress::cell_started(const CellKey& key, const std::string& what) {
  current_ = key.model + " " + key.backend + " " + key.precision + " " + key.scenario + " " + key.phase +
             (what.empty() ? "" : " (" + what + ")");
  if (tty_) draw();
}

void Progress::cell_done(const CellKey& key, Status status) {
  const bool ok = status == Status::kOk;
  ++done_;
  ++done_here_;
  if (!ok) ++failed_;
  if (tty_) {
    draw();
  } else {
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    out_ << fmt::format("[{}/{}] {} {} {} {} {} {}x{} {} (elapsed {})\n", done_, total_, label(status),
                        key.model, key.backend, key.precision, key.scenario, key.batch, key.prompt_len, key.phase,
                        format_duration(elapsed))
         << std::flush;
  }
}

void Progress::message(const std::string& text) {
  if (line_open_) out_ << "\r\033[K";
  out_ << text << "\n";
  line_open_ = false;
  if (tty_) draw();
}

void Progress::finish() {
  if (line_open_) out_ << "\n";
  line_open_ = false;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  out_ << fmt::format("done: {} cells ({} not ok) in {}\n", done_, failed_, format_duration(elapsed));
}

}  // namespace sb::bench
