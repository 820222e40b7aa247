// backends/engine_backend — adapts any sb::engine::Engine to the Backend interface.
// Contract: the factory runs inside load() (so weight loading, export and engine creation are
// what load_ms measures, with export/build time reported separately in LoadResult::build_ms);
// every step call forwards to the engine unchanged, adding no work to the timed path.
#pragma once
#include <functional>
#include <memory>

#include "backends/backend.h"

namespace sb::backends {

class EngineBackend : public Backend {
 public:
  // Creates the engine for a request; may fill result.build_ms / artifact / model.
  using Factory = std::function<std::unique_ptr<engine::Engine>(const LoadRequest&, LoadResult&)>;

  EngineBackend(std::string name, Capabilities caps, Factory factory,
                std::map<std::string, std::string> library_versions = {});
  // Wraps an engine that already exists (accuracy code, tests): load() then only records the
  // request's precision/device.
  EngineBackend(std::string name, std::string precision, std::string device, Capabilities caps,
                std::unique_ptr<engine::Engine> engine);

  BackendInfo info() const override;
  Capabilities capabilities() const override { return caps_; }
  LoadResult load(const LoadRequest& request) override;
  const model::GptConfig& config() const override;
  void prefill(int batch, int seq, std::span<const std::int32_t> tokens, LogitsMode logits,
               StepResult& out) override {
    engine_->prefill(batch, seq, tokens, logits, out);
  }
  void decode(std::span<const std::int32_t> tokens, LogitsMode logits, StepResult& out) override {
    engine_->decode(tokens, logits, out);
  }
  void reset() override { engine_->reset(); }
  void synchronize() override { engine_->synchronize(); }

  engine::Engine& engine() { return *engine_; }

 private:
  std::string name_, precision_, device_;
  Capabilities caps_;
  Factory factory_;
  std::map<std::string, std::string> versions_;
  std::unique_ptr<engine::Engine> engine_;
};

// Integer option with a default; throws sb::Error naming the key when it has the wrong type.
int int_option(const nlohmann::json& options, const char* key, int fallback);
bool bool_option(const nlohmann::json& options, const char* key, bool fallback);
std::string string_option(const nlohmann::json& options, const char* key, std::string fallback);

}  // namespace sb::backends
