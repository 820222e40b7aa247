// model/model — the one entry point to GPT-2 models: presets, custom shapes and HF folders.
// Contract:
//  - load_model(spec, seed): a preset name (tiny-gpt2, gpt2, gpt2-medium, gpt2-large,
//    gpt2-xl) or a "shape:" spec (grammar in presets.h) gives synthetic weights (synthetic.h
//    states the PRNG and distribution); anything else is a folder holding config.json +
//    model.safetensors in Hugging Face's layout (a folder literally named like a preset must be
//    written "./gpt2").  A folder is fully validated (config.h, safetensors.h) and every
//    required tensor must be present with the shape config.json implies; extra tensors are
//    refused, except causal-mask buffers (h.N.attn.bias / masked_bias) and a tied
//    lm_head.weight, which are skipped.  Names may carry a "transformer." prefix.
//  - The inventory is computed from the tensors themselves (file header or in-memory vectors),
//    never from the size formula: param_count sums their elements, the tied head once.
//  - weights_sha256 is the SHA-256 of model.safetensors; for a synthetic model it is the
//    SHA-256 of the file write_model_folder(weights, F32, dir) would write, so the two agree.
//  - bytes_on_disk is the size of model.safetensors (0 for synthetic models).
//  - Errors are sb::Error naming the file, the tensor or field, and expected vs found.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/config.h"
#include "model/weights.h"

namespace sb::model {

struct TensorInfo {
  std::string name;                    // as in the file (synthetic: HF name, no prefix)
  DType dtype;
  std::vector<std::int64_t> shape;
  std::int64_t elements;
};

struct ModelInventory {
  GptConfig config;
  std::vector<TensorInfo> tensors;     // from the tensors themselves; tied head counted once
  std::int64_t param_count = 0;        // sum of elements over weight tensors (no mask buffers)
  std::uint64_t bytes_on_disk = 0;     // 0 for an in-memory synthetic model
  std::string weights_sha256;          // of model.safetensors (synthetic: of its canonical fp32 serialization)
  std::string source;                  // folder path or the spec string
  bool synthetic = false;
  // Added by the model module:
  std::uint64_t seed = 0;                          // synthetic only
  std::filesystem::path weights_file;              // folder only: .../model.safetensors
  std::map<std::string, std::string> metadata;     // the file's __metadata__
  std::vector<std::string> skipped;                // tensors in the file that are not weights
};

struct LoadedModel {
  GptWeights weights;
  ModelInventory inventory;
};

// spec: preset name (tiny-gpt2, gpt2, gpt2-medium, gpt2-large, gpt2-xl) -> synthetic weights,
//       "shape:L=4,H=4,E=256,V=1000,P=512" -> synthetic weights of that shape,
//       anything else -> a folder holding config.json + model.safetensors (HF layout).
LoadedModel load_model(const std::string& spec, std::uint64_t seed = 0);
GptConfig config_for_spec(const std::string& spec);   // no weights loaded (folder: config.json)
bool is_synthetic_spec(const std::string& spec);
// Writes config.json (dtype recorded) and model.safetensors (tensors converted to `dtype`,
// __metadata__ {"format": "pt"}), each atomically; creates `dir`.
void write_model_folder(const GptWeights& w, DType dtype, const std::filesystem::path& dir);

// --- Added by the model module ---------------------------------------------------------------

// Validates a folder exactly as load_model does and returns its inventory without converting
// any weights (fast for huge files); hashing the weights file is optional because it reads it.
ModelInventory inspect_model_folder(const std::filesystem::path& dir, bool compute_sha256 = true);
// Inventory of in-memory weights (tensors counted from the vectors), marked synthetic.
ModelInventory inventory_of(const GptWeights& w, const std::string& source, std::uint64_t seed);
// SHA-256 of the canonical fp32 serialization (= model.safetensors of write_model_folder(w, F32)).
std::string canonical_fp32_sha256(const GptWeights& w);
// Writes config.json and a model.safetensors whose header is real but whose data buffer is a
// sparse run of zeros: the file has the exact layout of a real checkpoint of this shape without
// synthesizing or storing gigabytes (tests, and inspecting huge shapes).
void write_model_skeleton(const GptConfig& c, DType dtype, const std::filesystem::path& dir);
// The manifest's per-model object (CONTRACTS.md "models" entry).
nlohmann::json inventory_to_json(const ModelInventory& inv);

}  // namespace sb::model
