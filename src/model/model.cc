#include "model/model.h"

#include <openssl/evp.h>

#include <memory>
#include <unordered_map>

#include "model/dtype.h"
#include "model/layout.h"
#include "model/presets.h"
#include "model/safetensors.h"
#include "model/synthetic.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace sb::model {
namespace fs = std::filesystem;

namespace {

const std::map<std::string, std::string> kPtMetadata = {{"format", "pt"}};

std::string preset_list() {
  std::string s;
  for (const auto& n : preset_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// A checkpoint folder after validation: config, the mapped file, and each layout tensor's entry.
struct Checkpoint {
  GptConfig config;
  std::unique_ptr<SafetensorsFile> file;
  std::vector<TensorSpec> layout;
  std::vector<const SafetensorsEntry*> entry_of;   // parallel to layout
  std::vector<std::string> skipped;
};

fs::path require_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec))
    fail("model '{}' is not a preset ({}), not a \"shape:\" spec (e.g. shape:L=4,H=4,E=256), "
         "and no such folder exists",
         dir.string(), preset_list());
  if (!fs::is_directory(dir, ec))
    fail("{}: not a folder (a model is a preset, a shape: spec or a folder with config.json + "
         "model.safetensors)",
         dir.string());
  if (fs::is_empty(dir, ec))
    fail("{}: empty folder (expected config.json + model.safetensors)", dir.string());
  const fs::path config = dir / "config.json";
  if (!fs::exists(config, ec))
    fail("{}: no config.json in this folder (expected config.json + model.safetensors)",
         config.string());
  return config;
}

Checkpoint open_checkpoint(const fs::path& dir) {
  Checkpoint ck;
  const fs::path config_path = require_folder(dir);
  ck.config = load_config_file(config_path);
  const fs::path weights = dir / "model.safetensors";
  std::error_code ec;
  if (!fs::exists(weights, ec)) {
    std::string hint;
    if (fs::exists(dir / "model.safetensors.index.json", ec))
      hint = " (sharded checkpoints are not supported: merge the shards into one file)";
    else if (fs::exists(dir / "pytorch_model.bin", ec))
      hint = " (only pytorch_model.bin is present: convert it to safetensors)";
    fail("{}: missing weights file{}", weights.string(), hint);
  }
  ck.file = std::make_unique<SafetensorsFile>(weights);
  const std::string where = weights.string();
  const GptConfig& c = ck.config;
  ck.layout = gpt2_tensor_layout(c);
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < ck.layout.size(); ++i) index.emplace(ck.layout[i].name, i);
  ck.entry_of.assign(ck.layout.size(), nullptr);

  const std::string implied = fmt::format(
      "config.json: n_layer {}, n_head {}, n_embd {}, n_inner {}, vocab_size {}, n_positions {}",
      c.n_layer, c.n_head, c.n_embd, c.inner(), c.vocab_size, c.n_positions);
  for (const auto& e : ck.file->header().tensors) {
    const std::string canon(strip_transformer_prefix(e.name));
    if (is_mask_buffer(canon)) {
      ck.skipped.push_back(e.name + " (causal-mask buffer)");
      continue;
    }
    if (canon == "lm_head.weight") {
      // Tied to wte: counted once, through wte.  Its shape must still agree.
      const std::vector<std::int64_t> want = {c.vocab_size, c.n_embd};
      if (e.shape != want)
        fail("{}: tensor '{}': shape {} contradicts config.json (expected {} from {})", where,
             e.name, shape_string(e.shape), shape_string(want), implied);
      ck.skipped.push_back(e.name + " (tied to wte.weight, counted once)");
      continue;
    }
    auto it = index.find(canon);
    if (it == index.end())
      fail("{}: tensor '{}': not a weight of a GPT-2 with this config ({}); expected only "
           "wte, wpe, h.0 .. h.{} and ln_f tensors",
           where, e.name, implied, c.n_layer - 1);
    const TensorSpec& spec = ck.layout[it->second];
    if (ck.entry_of[it->second] != nullptr)
      fail("{}: tensor '{}': duplicate tensor (also present as '{}')", where, e.name,
           ck.entry_of[it->second]->name);
    if (!e.dtype)
      fail("{}: tensor '{}': dtype {} cannot hold weights (expected F32, F16 or BF16)", where,
           e.name, e.dtype_name);
    if (e.shape != spec.shape)
      fail("{}: tensor '{}': shape {} contradicts config.json (expected {} from {})", where,
           e.name, shape_string(e.shape), shape_string(spec.shape), implied);
    ck.entry_of[it->second] = &e;
  }
  for (std::size_t i = 0; i < ck.layout.size(); ++i)
    if (ck.entry_of[i] == nullptr)
      fail("{}: missing tensor '{}' (expected shape {} from {})", where, ck.layout[i].name,
           shape_string(ck.layout[i].shape), implied);

  // The storage dtype is what the tensors hold, whatever config.json declares.
  const DType first = *ck.entry_of.front()->dtype;
  bool uniform = true;
  for (const auto* e : ck.entry_of) uniform = uniform && *e->dtype == first;
  if (uniform) ck.config.dtype = first;
  return ck;
}

ModelInventory checkpoint_inventory(const Checkpoint& ck, const fs::path& dir, bool hash) {
  ModelInventory inv;
  inv.config = ck.config;
  inv.source = dir.string();
  inv.weights_file = ck.file->path();
  inv.metadata = ck.file->header().metadata;
  inv.skipped = ck.skipped;
  for (const auto* e : ck.entry_of) {
    inv.tensors.push_back({e->name, *e->dtype, e->shape, e->elements});
    inv.param_count += e->elements;
  }
  inv.bytes_on_disk = ck.file->file_bytes();
  if (hash) inv.weights_sha256 = sha256_file(inv.weights_file);
  return inv;
}

std::vector<TensorToWrite> tensors_to_write(const GptWeights& w) {
  std::vector<TensorToWrite> out;
  for (const auto& t : gpt2_tensor_layout(w.config)) out.push_back({t.name, t.shape, t.in(w).data()});
  return out;
}

class Sha256Stream {
 public:
  Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) fail("SHA-256: init failed");
  }
  ~Sha256Stream() { EVP_MD_CTX_free(ctx_); }
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(const void* p, std::size_t n) {
    if (n > 0 && EVP_DigestUpdate(ctx_, p, n) != 1) fail("SHA-256: update failed");
  }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx_, md, &len) != 1) fail("SHA-256: final failed");
    std::string s;
    for (unsigned i = 0; i < len; ++i) s += fmt::format("{:02x}", md[i]);
    return s;
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

bool is_synthetic_spec(const std::string& spec) {
  return preset_config(spec).has_value() || is_shape_spec(spec);
}

GptConfig config_for_spec(const std::string& spec) {
  if (auto c = preset_config(spec)) return *c;
  if (is_shape_spec(spec)) return parse_shape_spec(spec);
  return load_config_file(require_folder(spec));
}

std::string canonical_fp32_sha256(const GptWeights& w) {
  check_weight_shapes(w, "canonical serialization");
  const auto tensors = tensors_to_write(w);
  WriteOptions o;
  o.dtype = DType::F32;
  o.metadata = kPtMetadata;
  Sha256Stream sha;
  const std::string header = safetensors_header_bytes(tensors, o);
  sha.update(header.data(), header.size());
  for (const auto* t : write_order(tensors)) {
    std::uint64_t n = 1;
    for (auto d : t->shape) n *= static_cast<std::uint64_t>(d);
    sha.update(t->data, n * sizeof(float));   // little-endian host floats == F32 file bytes
  }
  return sha.hex();
}

ModelInventory inventory_of(const GptWeights& w, const std::string& source, std::uint64_t seed) {
  check_weight_shapes(w, source);
  ModelInventory inv;
  inv.config = w.config;
  inv.source = source;
  inv.synthetic = true;
  inv.seed = seed;
  for (const auto& t : gpt2_tensor_layout(w.config)) {
    const auto n = static_cast<std::int64_t>(t.in(w).size());
    inv.tensors.push_back({t.name, DType::F32, t.shape, n});
    inv.param_count += n;
  }
  inv.weights_sha256 = canonical_fp32_sha256(w);
  return inv;
}

ModelInventory inspect_model_folder(const fs::path& dir, bool compute_sha256) {
  const Checkpoint ck = open_checkpoint(dir);
  return checkpoint_inventory(ck, dir, compute_sha256);
}

LoadedModel load_model(const std::string& spec, std::uint64_t seed) {
  LoadedModel m;
  if (is_synthetic_spec(spec)) {
    m.weights = synthesize_weights(config_for_spec(spec), seed);
    m.inventory = inventory_of(m.weights, spec, seed);
    return m;
  }
  const fs::path dir(spec);
  const Checkpoint ck = open_checkpoint(dir);
  m.inventory = checkpoint_inventory(ck, dir, true);
  m.weights.config = ck.config;
  m.weights.layers.assign(static_cast<std::size_t>(ck.config.n_layer), LayerWeights{});
  for (std::size_t i = 0; i < ck.layout.size(); ++i) {
    const auto& spec_i = ck.layout[i];
    const auto* e = ck.entry_of[i];
    auto& v = spec_i.in(m.weights);
    v.resize(static_cast<std::size_t>(e->elements));
    convert_to_f32(ck.file->data(*e), *e->dtype, v.size(), v.data());
  }
  return m;
}

void write_model_folder(const GptWeights& w, DType dtype, const fs::path& dir) {
  check_weight_shapes(w, dir.string());
  w.config.validate(dir.string());
  fs::create_directories(dir);
  GptConfig c = w.config;
  c.dtype = dtype;
  const auto tensors = tensors_to_write(w);
  WriteOptions o;
  o.dtype = dtype;
  o.metadata = kPtMetadata;
  write_safetensors(dir / "model.safetensors", tensors, o);
  write_file_atomic(dir / "config.json", config_to_json(c));
}

void write_model_skeleton(const GptConfig& config, DType dtype, const fs::path& dir) {
  config.validate(dir.string());
  fs::create_directories(dir);
  GptConfig c = config;
  c.dtype = dtype;
  std::vector<TensorToWrite> tensors;
  for (const auto& t : gpt2_tensor_layout(c)) tensors.push_back({t.name, t.shape, nullptr});
  WriteOptions o;
  o.dtype = dtype;
  o.metadata = kPtMetadata;
  o.sparse_zero_data = true;
  write_safetensors(dir / "model.safetensors", tensors, o);
  write_file_atomic(dir / "config.json", config_to_json(c));
}

nlohmann::json inventory_to_json(const ModelInventory& inv) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const auto& t : inv.tensors)
    tensors.push_back({{"name", t.name}, {"shape", t.shape}, {"dtype", dtype_name(t.dtype)}});
  const auto& c = inv.config;
  nlohmann::json j = {{"spec", inv.source},
                      {"params", inv.param_count},
                      {"n_layer", c.n_layer},
                      {"n_head", c.n_head},
                      {"n_embd", c.n_embd},
                      {"n_inner", c.inner()},
                      {"n_positions", c.n_positions},
                      {"vocab_size", c.vocab_size},
                      {"dtype", dtype_name(c.dtype)},
                      {"sha256", inv.weights_sha256},
                      {"bytes_on_disk", inv.bytes_on_disk},
                      {"synthetic", inv.synthetic},
                      {"tensors", tensors}};
  if (inv.synthetic) j["seed"] = inv.seed;
  return j;
}

}  // namespace sb::model
