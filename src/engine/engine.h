// engine/engine — the interface every native engine implements (CPU oracle, CUDA).
// Contract:
//  - prefill() starts fresh sequences: it discards any KV cache, runs the [batch, seq] prompt,
//    fills the cache, and returns the greedy (argmax, lowest id on ties) next token of every
//    sequence.  decode() appends one token per sequence and returns the next greedy tokens.
//  - Logits are produced only when asked: kLast gives [batch, vocab] for the last position,
//    kAll gives [batch, seq, vocab] (prefill) — for accuracy, never on the benchmark path.
//  - synchronize() returns when all submitted work is finished (no-op on the CPU).
//  - Positions are past_len .. past_len+seq-1; prefill + decodes must stay <= n_positions,
//    otherwise sb::Error names the limit.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/config.h"

namespace sb::engine {

enum class LogitsMode { kNone, kLast, kAll };

struct StepResult {
  std::vector<std::int32_t> next_tokens;   // [batch]
  std::vector<float> logits;               // empty, [batch, vocab] or [batch, seq, vocab]
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const model::GptConfig& config() const = 0;
  // Human-readable description: precision, threads/device, library versions.
  virtual std::string describe() const = 0;
  // tokens is [batch, seq] row-major.
  virtual void prefill(int batch, int seq, std::span<const std::int32_t> tokens,
                       LogitsMode logits, StepResult& out) = 0;
  // tokens is [batch]: the previous step's next_tokens.
  virtual void decode(std::span<const std::int32_t> tokens, LogitsMode logits,
                      StepResult& out) = 0;
  virtual void reset() = 0;
  virtual void synchronize() = 0;
  // Number of positions currently held in the KV cache.
  virtual int past_length() const = 0;
};

}  // namespace sb::engine
