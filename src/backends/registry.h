// backends/registry — every backend scalebench knows, what it supports, and whether it can run
// on this machine.
// Contract:
//  - names and aliases follow DESIGN.md (onnxruntime-gpu is an alias of onnxruntime-cuda);
//    find_backend() resolves aliases; canonical names are what records carry.
//  - precisions/devices/option_keys are declared here so a study is validated before anything
//    runs; availability (with the reason when not) is checked without loading a model.
//  - An "external" backend runs as its own worker program speaking the worker protocol
//    (docs/formats.md); worker_command() gives the argv the runner spawns instead of
//    `scalebench worker`.
//  - The test-only "fault" backend is registered only when the environment variable
//    SCALEBENCH_ENABLE_FAULT_BACKEND=1 is set (tests set it; it is inherited by workers) or the
//    build defines SB_TEST_FAULT_BACKEND.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.h"

namespace sb::backends {

struct BackendDescriptor {
  std::string name;
  std::vector<std::string> aliases;
  std::string summary;
  std::vector<std::string> precisions;      // supported precisions
  std::vector<std::string> device_kinds;    // "cpu" and/or "cuda"
  std::string default_device;               // "cpu" or "cuda:0"
  std::vector<std::string> option_keys;     // every option key the backend accepts
  std::string artifact_kind;                // "", "onnx" or "engine"
  bool external = false;                    // runs as its own worker program
  bool test_only = false;
  // true when it can run here; otherwise *reason says why (missing library, no GPU, ...).
  std::function<bool(std::string* reason)> available;
  // Creates an unloaded backend (precision/device/options come with load()).
  std::function<std::unique_ptr<Backend>()> create;
};

const std::vector<BackendDescriptor>& registry();
// Resolves names and aliases; nullptr when unknown.
const BackendDescriptor* find_backend(std::string_view name);
// Comma-separated list of known names (for error messages).
std::string known_backend_names();

// Precision names of DESIGN.md.
const std::vector<std::string>& known_precisions();

// Device string "cpu" or "cuda:N"; returns its kind ("cpu"/"cuda") or "" when malformed.
std::string device_kind(std::string_view device);

// argv of the worker program for a group: `<self> worker` for in-process backends, the
// backend's own program for external ones (options "command" or "python"/"script").
std::vector<std::string> worker_command(const BackendDescriptor& d, const nlohmann::json& options,
                                        const std::string& self_executable);

// Creates a backend by name (alias-aware); throws sb::Error for unknown names and
// UnsupportedError when it is not available here.
std::unique_ptr<Backend> create_backend(std::string_view name);

}  // namespace sb::backends
