// accuracy/windows — the Hugging Face fixed-length perplexity windows.
// Contract (REFERENCE.md, "Perplexity of fixed-length models"): over n tokens, windows of
// max_length tokens start every `stride` tokens (begin = 0, stride, 2*stride, ...); a window
// ends at min(begin + max_length, n) and the loop stops after the window that reaches n.
// Only labels not scored by an earlier window count: token indices [max(prev_end, begin + 1),
// end), where prev_end is the previous window's end (0 at first).  Token t is predicted by the
// logits at window position t - 1 - begin.  A window's first token has no context inside the
// window, so it is never scored there (HF drops it through the label shift).  Hence with
// stride < max_length every token but the very first is counted exactly once (tokens_counted ==
// n - 1); with stride == max_length each window's first token is left unscored (n - #windows).
// A window can count 0 tokens (a 1-token tail with stride == max_length): it is kept in the
// plan, and evaluate() skips running it.
#pragma once
#include <cstdint>
#include <vector>

namespace sb::accuracy {

struct Window {
  std::int64_t begin = 0;          // first token index fed to the model
  std::int64_t end = 0;            // one past the last token index fed
  std::int64_t first_label = 0;    // first token index whose NLL counts (labels [first_label, end))
  std::int64_t length() const { return end - begin; }
  std::int64_t counted() const { return end - first_label; }
};

// Throws sb::Error when n_tokens < 2, max_length < 2, or stride not in [1, max_length].
std::vector<Window> plan_windows(std::int64_t n_tokens, int max_length, int stride);
std::int64_t counted_tokens(const std::vector<Window>& windows);

}  // namespace sb::accuracy
