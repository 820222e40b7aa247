// model/config — config.json parsing and writing, dtype names, GptConfig::validate.
#include "model/config.h"

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/files.h"

namespace sb::model {
namespace {

using nlohmann::json;

// Upper bounds keep every derived size (elements, bytes, parameter totals) far inside int64
// arithmetic, so no later computation can overflow on a hostile config.
constexpr std::int64_t kMaxDim = std::int64_t{1} << 24;         // any single size
constexpr double kMaxParams = 1099511627776.0;                  // 2^40 parameters

std::string json_type(const json& v) {
  if (v.is_number_float()) return fmt::format("the number {}", v.dump());
  if (v.is_number()) return fmt::format("the integer {}", v.dump());
  if (v.is_string()) return fmt::format("the string {}", v.dump());
  return std::string(v.type_name());
}

// Reads an optional integer field; absent or (when allow_null) null -> fallback.
std::int64_t get_int(const json& j, const char* key, std::int64_t fallback,
                     const std::string& where, bool allow_null = false) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_null()) {
    if (allow_null) return fallback;
    fail("{}: field \"{}\": expected an integer, found null", where, key);
  }
  if (it->is_number_unsigned()) {
    auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
      fail("{}: field \"{}\": {} is out of range", where, key, v);
    return static_cast<std::int64_t>(v);
  }
  if (it->is_number_integer()) {
    auto v = it->get<std::int64_t>();
    if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max())
      fail("{}: field \"{}\": {} is out of range", where, key, v);
    return v;
  }
  fail("{}: field \"{}\": expected an integer, found {}", where, key, json_type(*it));
}

double get_double(const json& j, const char* key, double fallback, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (!it->is_number())
    fail("{}: field \"{}\": expected a number, found {}", where, key, json_type(*it));
  return it->get<double>();
}

bool get_bool(const json& j, const char* key, bool fallback, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean())
    fail("{}: field \"{}\": expected true or false, found {}", where, key, json_type(*it));
  return it->get<bool>();
}

std::optional<std::string> get_string(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    fail("{}: field \"{}\": expected a string, found {}", where, key, json_type(*it));
  return it->get<std::string>();
}

std::optional<DType> dtype_from_torch(std::string_view s) {
  if (s == "float32") return DType::F32;
  if (s == "float16") return DType::F16;
  if (s == "bfloat16") return DType::BF16;
  return std::nullopt;
}

}  // namespace

const char* dtype_name(DType d) {
  switch (d) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
  }
  return "?";
}

std::size_t dtype_size(DType d) {
  switch (d) {
    case DType::F32: return 4;
    case DType::F16: return 2;
    case DType::BF16: return 2;
  }
  return 0;
}

std::optional<DType> dtype_from_name(std::string_view name) {
  if (name == "F32") return DType::F32;
  if (name == "F16") return DType::F16;
  if (name == "BF16") return DType::BF16;
  return std::nullopt;
}

DType dtype_from_precision(std::string_view p) {
  if (p == "fp32") return DType::F32;
  if (p == "fp16") return DType::F16;
  if (p == "bf16") return DType::BF16;
  throw UsageError(fmt::format("unknown weight dtype \"{}\" (expected fp32, fp16 or bf16)", p));
}

const char* dtype_precision(DType d) {
  switch (d) {
    case DType::F32: return "fp32";
    case DType::F16: return "fp16";
    case DType::BF16: return "bf16";
  }
  return "?";
}

const char* dtype_torch_name(DType d) {
  switch (d) {
    case DType::F32: return "float32";
    case DType::F16: return "float16";
    case DType::BF16: return "bfloat16";
  }
  return "?";
}

void GptConfig::validate(const std::string& where) const {
  auto positive = [&](const char* field, std::int64_t v) {
    if (v <= 0) fail("{}: field \"{}\": must be a positive integer, found {}", where, field, v);
    if (v > kMaxDim) fail("{}: field \"{}\": {} is larger than the supported {}", where, field, v, kMaxDim);
  };
  positive("n_layer", n_layer);
  positive("n_head", n_head);
  positive("n_embd", n_embd);
  positive("n_positions", n_positions);
  positive("vocab_size", vocab_size);
  if (n_inner < 0) fail("{}: field \"n_inner\": must be positive or null, found {}", where, n_inner);
  if (n_inner > kMaxDim) fail("{}: field \"n_inner\": {} is larger than the supported {}", where, n_inner, kMaxDim);
  if (n_embd % n_head != 0)
    fail("{}: field \"n_head\": {} heads do not divide n_embd {} (head dim would be {:.3f})", where,
         n_head, n_embd, static_cast<double>(n_embd) / n_head);
  if (!(layer_norm_epsilon > 0) || !std::isfinite(layer_norm_epsilon))
    fail("{}: field \"layer_norm_epsilon\": must be a positive finite number, found {}", where,
         layer_norm_epsilon);
  if (activation_function != "gelu_new")
    fail("{}: field \"activation_function\": unsupported activation \"{}\" (scalebench implements "
         "gelu_new)", where, activation_function);
  if (!tie_word_embeddings)
    fail("{}: field \"tie_word_embeddings\": false is not supported (scalebench's GPT-2 ties the "
         "LM head to wte)", where);
  const double E = n_embd, I = inner();
  const double params = static_cast<double>(vocab_size) * E + static_cast<double>(n_positions) * E +
                        n_layer * (4 * E * E + 2 * E * I + 9 * E + I) + 2 * E;
  if (params > kMaxParams)
    fail("{}: the sizes imply {:.4g} parameters, more than the supported 2^40", where, params);
}

GptConfig parse_config_json(std::string_view text, const std::string& where) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    fail("{}: not valid JSON ({})", where, e.what());
  }
  if (!j.is_object()) fail("{}: expected a JSON object at top level, found {}", where, json_type(j));

  if (auto mt = get_string(j, "model_type", where); mt && *mt != "gpt2")
    fail("{}: field \"model_type\": \"{}\" is not supported (expected \"gpt2\")", where, *mt);

  // Defaults are transformers' GPT2Config defaults (the gpt2 checkpoint's sizes).
  GptConfig c;
  c.vocab_size = static_cast<int>(get_int(j, "vocab_size", 50257, where));
  const std::int64_t n_ctx = get_int(j, "n_ctx", 1024, where, true);
  c.n_positions = static_cast<int>(get_int(j, "n_positions", n_ctx, where, true));
  c.n_embd = static_cast<int>(get_int(j, "n_embd", 768, where));
  c.n_layer = static_cast<int>(get_int(j, "n_layer", 12, where));
  c.n_head = static_cast<int>(get_int(j, "n_head", 12, where));
  c.n_inner = static_cast<int>(get_int(j, "n_inner", 0, where, true));
  if (j.contains("n_inner") && !j["n_inner"].is_null() && c.n_inner <= 0)
    fail("{}: field \"n_inner\": must be a positive integer or null, found {}", where, c.n_inner);
  c.layer_norm_epsilon = get_double(j, "layer_norm_epsilon", 1e-5, where);
  c.bos_token_id = static_cast<int>(get_int(j, "bos_token_id", 50256, where, true));
  c.eos_token_id = static_cast<int>(get_int(j, "eos_token_id", 50256, where, true));
  c.tie_word_embeddings = get_bool(j, "tie_word_embeddings", true, where);
  c.scale_attn_weights = get_bool(j, "scale_attn_weights", true, where);

  if (auto act = get_string(j, "activation_function", where)) {
    // gelu_pytorch_tanh is the same tanh approximation under another name.
    c.activation_function = (*act == "gelu_pytorch_tanh") ? "gelu_new" : *act;
  }
  if (get_bool(j, "add_cross_attention", false, where))
    fail("{}: field \"add_cross_attention\": true is not supported (decoder-only GPT-2)", where);
  if (get_bool(j, "scale_attn_by_inverse_layer_idx", false, where))
    fail("{}: field \"scale_attn_by_inverse_layer_idx\": true is not supported by the engines", where);

  // transformers 5 writes "dtype"; older versions "torch_dtype".  "dtype" wins when both exist.
  for (const char* key : {"torch_dtype", "dtype"}) {
    if (auto s = get_string(j, key, where)) {
      auto d = dtype_from_torch(*s);
      if (!d)
        fail("{}: field \"{}\": unsupported dtype \"{}\" (expected float32, float16 or bfloat16)",
             where, key, *s);
      c.dtype = *d;
    }
  }
  c.validate(where);
  return c;
}

GptConfig load_config_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail("{}: config.json not found (a model folder needs config.json + model.safetensors)",
         path.string());
  return parse_config_json(read_file(path), path.string());
}

std::string config_to_json(const GptConfig& c) {
  json j = json::object();
  j["activation_function"] = c.activation_function;
  j["architectures"] = json::array({"GPT2LMHeadModel"});
  j["attn_pdrop"] = 0.1;
  j["bos_token_id"] = c.bos_token_id;
  j["dtype"] = dtype_torch_name(c.dtype);
  j["embd_pdrop"] = 0.1;
  j["eos_token_id"] = c.eos_token_id;
  j["initializer_range"] = 0.02;
  j["layer_norm_epsilon"] = c.layer_norm_epsilon;
  j["model_type"] = "gpt2";
  j["n_ctx"] = c.n_positions;
  j["n_embd"] = c.n_embd;
  j["n_head"] = c.n_head;
  j["n_inner"] = c.n_inner > 0 ? json(c.n_inner) : json(nullptr);
  j["n_layer"] = c.n_layer;
  j["n_positions"] = c.n_positions;
  j["resid_pdrop"] = 0.1;
  j["scale_attn_weights"] = c.scale_attn_weights;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["torch_dtype"] = dtype_torch_name(c.dtype);
  j["use_cache"] = true;
  j["vocab_size"] = c.vocab_size;
  return j.dump(2) + "\n";
}

}  // namespace sb::model
