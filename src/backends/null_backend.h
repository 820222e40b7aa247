// backends/null_backend — a backend that does no model work (harness overhead), and the
// test-only fault backend built on it.  See null_backend.cc for what each does.
#pragma once
#include <memory>

#include "backends/backend.h"

namespace sb::backends {

class NullBackend : public Backend {
 public:
  explicit NullBackend(std::string name);
  BackendInfo info() const override;
  Capabilities capabilities() const override;
  LoadResult load(const LoadRequest& request) override;
  const model::GptConfig& config() const override { return config_; }
  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, LogitsMode logits,
               StepResult& out) override;
  void decode(std::span<const std::int32_t> tokens, LogitsMode logits, StepResult& out) override;
  void reset() override { past_ = 0; }
  void synchronize() override {}

 private:
  void fill(int batch, std::span<const std::int32_t> last, LogitsMode logits, int rows,
            StepResult& out);
  std::string name_, precision_ = "fp32", device_ = "cpu";
  model::GptConfig config_;
  int step_us_ = 0;
  int past_ = 0;
  std::vector<std::int32_t> last_;
};

std::unique_ptr<Backend> make_null_backend();
// Options: faults = [{action, scenario, phase, sample, warmup, at}] (docs/formats.md).
std::unique_ptr<Backend> make_fault_backend();

}  // namespace sb::backends
