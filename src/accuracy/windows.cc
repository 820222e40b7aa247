#include "accuracy/windows.h"

#include <algorithm>

#include "util/error.h"

namespace sb::accuracy {

std::vector<Window> plan_windows(std::int64_t n_tokens, int max_length, int stride) {
  if (n_tokens < 2)
    sb::fail("corpus tokenizes to {} token(s): perplexity needs at least 2 (one to condition "
             "on, one to predict)", n_tokens);
  if (max_length < 2) sb::fail("max_length {} is too small: a window needs at least 2 tokens", max_length);
  if (stride < 1 || stride > max_length)
    sb::fail("stride {} is out of range: expected 1 <= stride <= max_length ({}); a stride above "
             "max_length would leave tokens unscored", stride, max_length);
  std::vector<Window> out;
  std::int64_t prev_end = 0;
  for (std::int64_t begin = 0; begin < n_tokens; begin += stride) {
    Window w;
    w.begin = begin;
    w.end = std::min<std::int64_t>(begin + max_length, n_tokens);
    w.first_label = std::max(prev_end, begin + 1);
    out.push_back(w);
    prev_end = w.end;
    if (w.end == n_tokens) break;
  }
  return out;
}

std::int64_t counted_tokens(const std::vector<Window>& windows) {
  std::int64_t n = 0;
  for (const auto& w : windows) n += w.counted();
  return n;
}

}  // namespace sb::accuracy
