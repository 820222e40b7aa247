// backends/native_backends — engine-backed backends (registry.cc lists them).
#pragma once
#include <memory>
#include <string>

#include "backends/backend.h"

#if defined(SB_HAVE_MODEL)
#include "model/model.h"
#endif

namespace sb::backends {

bool native_cpu_available(std::string* reason);
bool native_cuda_available(std::string* reason);
// kind: "cpu" or "cuda".
bool onnxruntime_available(const std::string& kind, std::string* reason);

std::unique_ptr<Backend> make_native_cpu();
std::unique_ptr<Backend> make_native_cuda();
std::unique_ptr<Backend> make_onnxruntime(const std::string& name, const std::string& kind);

#if defined(SB_HAVE_MODEL)
// The manifest's "models" entry for a loaded model (CONTRACTS.md).
nlohmann::json model_inventory_json(const model::ModelInventory& inventory);
#endif

}  // namespace sb::backends
