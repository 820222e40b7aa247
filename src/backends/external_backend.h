// backends/external_backend — in-process handle on an external worker program (accuracy use).
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "backends/registry.h"

namespace sb::backends {

std::unique_ptr<Backend> make_external_backend(const BackendDescriptor& descriptor);

// Optional ability of an external backend whose worker declares `capabilities.greedy` in its
// `ready` message (docs/formats.md, op `generate`): a whole greedy continuation in one request,
// computed by the worker with its own KV cache.  Never timed (accuracy only).  Backends made by
// make_external_backend() implement it; offers_greedy() says whether the worker declared it.
class ExternalGreedy {
 public:
  virtual ~ExternalGreedy() = default;
  virtual bool offers_greedy() const = 0;
  // prompts: [batch][prompt_len] row-major; forced: empty (free-running) or [batch][new_tokens - 1]
  // row-major tokens fed after the prompt.  Returns [batch][new_tokens] row-major.
  virtual std::vector<std::int32_t> generate_greedy(int batch, int prompt_len, std::span<const std::int32_t> prompts,
                                                    int new_tokens, std::span<const std::int32_t> forced) = 0;
};

}  // namespace sb::backends
