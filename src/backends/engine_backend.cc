#include "backends/engine_backend.h"

#include <chrono>

namespace sb::backends {
using nlohmann::json;

json BackendInfo::to_json() const {
  json versions = json::object();
  for (const auto& [k, v] : library_versions) versions[k] = v;
  return json{{"name", name},
              {"precision", precision},
              {"device", device},
              {"library_versions", versions},
              {"description", description}};
}

json Capabilities::to_json() const {
  return json{{"stepwise", stepwise},       {"logits_last", logits_last},
              {"logits_all", logits_all},   {"kv_cache", kv_cache},
              {"reports_device_memory", reports_device_memory}, {"max_batch", max_batch}};
}

std::vector<float> Backend::logits(int batch, int seq, std::span<const std::int32_t> tokens,
                                   LogitsMode mode) {
  auto caps = capabilities();
  if (mode == LogitsMode::kAll && !caps.logits_all)
    throw UnsupportedError(fmt::format("{}: all-position logits are not supported", info().name));
  if (mode == LogitsMode::kNone) fail("Backend::logits: mode must be kLast or kAll");
  reset();
  StepResult out;
  prefill(batch, seq, tokens, mode, out);
  synchronize();
  return std::move(out.logits);
}

EngineBackend::EngineBackend(std::string name, Capabilities caps, Factory factory,
                             std::map<std::string, std::string> library_versions)
    : name_(std::move(name)),
      caps_(caps),
      factory_(std::move(factory)),
      versions_(std::move(library_versions)) {}

EngineBackend::EngineBackend(std::string name, std::string precision, std::string device,
                             Capabilities caps, std::unique_ptr<engine::Engine> engine)
    : name_(std::move(name)),
      precision_(std::move(precision)),
      device_(std::move(device)),
      caps_(caps),
      engine_(std::move(engine)) {}

BackendInfo EngineBackend::info() const {
  BackendInfo i;
  i.name = name_;
  i.precision = precision_;
  i.device = device_;
  i.library_versions = versions_;
  if (engine_) i.description = engine_->describe();
  return i;
}

LoadResult EngineBackend::load(const LoadRequest& request) {
  precision_ = request.precision;
  device_ = request.device;
  LoadResult result;
  if (engine_) return result;  // wrapped engine: nothing to load
  auto t0 = std::chrono::steady_clock::now();
  engine_ = factory_(request, result);
  if (!engine_) fail("{}: the engine factory returned nothing", name_);
  auto t1 = std::chrono::steady_clock::now();
  double total_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  // Export/build time is reported apart from load time (DESIGN.md metrics).
  result.load_ms = total_ms - result.build_ms.value_or(0.0);
  return result;
}

const model::GptConfig& EngineBackend::config() const {
  if (!engine_) fail("{}: config() called before load()", name_);
  return engine_->config();
}

int int_option(const json& options, const char* key, int fallback) {
  auto it = options.find(key);
  if (it == options.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) fail("option '{}' must be an integer (found {})", key, it->dump());
  return it->get<int>();
}

bool bool_option(const json& options, const char* key, bool fallback) {
  auto it = options.find(key);
  if (it == options.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail("option '{}' must be true or false (found {})", key, it->dump());
  return it->get<bool>();
}

std::string string_option(const json& options, const char* key, std::string fallback) {
  auto it = options.find(key);
  if (it == options.end() || it->is_null()) return fallback;
  if (!it->is_string()) fail("option '{}' must be a string (found {})", key, it->dump());
  return it->get<std::string>();
}

}  // namespace sb::backends
