#include "export/optimum_source.h"

#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include "util/error.h"
#include "util/files.h"

namespace sb::exporter {
namespace fs = std::filesystem;

namespace {

struct IoInfo {
  int elem_type = 0;
  std::vector<std::int64_t> dims;  // -1 for symbolic/unknown
};

std::map<std::string, IoInfo> io_map(const google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>& v) {
  std::map<std::string, IoInfo> m;
  for (const auto& vi : v) {
    IoInfo info;
    const auto& tt = vi.type().tensor_type();
    info.elem_type = tt.elem_type();
    for (const auto& d : tt.shape().dim()) info.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    m[vi.name()] = info;
  }
  return m;
}

const char* elem_name(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return "fp32";
    case onnx::TensorProto::FLOAT16: return "fp16";
    case onnx::TensorProto::INT64: return "int64";
    case onnx::TensorProto::INT32: return "int32";
    case onnx::TensorProto::BFLOAT16: return "bf16";
    default: return "other";
  }
}

int json_int(const nlohmann::json& j, const fs::path& file, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (j.contains(k) && j[k].is_number_integer()) return j[k].get<int>();
  }
  fail("{}: field {} is missing or not an integer", file.string(), *keys.begin());
}

}  // namespace

bool is_onnx_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".onnx") return true;
  }
  return false;
}

void check_decoder_graph(const fs::path& onnx_file, const model::GptConfig& cfg,
                         OnnxModelSource& out) {
  const std::string bytes = read_file(onnx_file);
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) {
    fail("{}: not an ONNX model (protobuf parse failed)", onnx_file.string());
  }
  const std::string f = onnx_file.string();
  out.producer = m.producer_name() + (m.producer_version().empty() ? "" : " " + m.producer_version());
  for (const auto& op : m.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") out.opset = op.version();
  }
  const auto inputs = io_map(m.graph().input());
  const auto outputs = io_map(m.graph().output());
  // Initializers may be listed as graph inputs in old IR versions: ignore those.
  std::set<std::string> initializers;
  for (const auto& t : m.graph().initializer()) initializers.insert(t.name());

  auto need = [&](const std::map<std::string, IoInfo>& io, const std::string& name,
                  const char* kind) -> const IoInfo& {
    auto it = io.find(name);
    if (it == io.end()) {
      std::string have;
      for (const auto& [n, _] : io) {
        if (!initializers.count(n)) have += (have.empty() ? "" : ", ") + n;
      }
      fail("{}: graph {} '{}' is missing (expected Hugging Face optimum names; found: {})", f,
           kind, name, have);
    }
    return it->second;
  };
  auto check_ids = [&](const std::string& name) {
    const IoInfo& i = need(inputs, name, "input");
    if (i.elem_type != onnx::TensorProto::INT64 || i.dims.size() != 2) {
      fail("{}: input '{}' must be int64 of rank 2, found {} of rank {}", f, name,
           elem_name(i.elem_type), i.dims.size());
    }
  };
  if (inputs.count("use_cache_branch")) {
    fail("{}: input 'use_cache_branch' marks an optimum merged decoder (If node); export with "
         "--no-post-process or use model.onnx (decoder with past)", f);
  }
  check_ids("input_ids");
  check_ids("attention_mask");
  out.has_position_ids = inputs.count("position_ids") > 0;
  if (out.has_position_ids) check_ids("position_ids");

  const std::int64_t H = cfg.n_head, D = cfg.head_dim();
  int kv_type = 0;
  auto check_kv = [&](const std::map<std::string, IoInfo>& io, const std::string& name,
                      const char* kind) {
    const IoInfo& i = need(io, name, kind);
    if (i.dims.size() != 4) fail("{}: {} '{}' must have rank 4 [B,H,T,D], found rank {}", f, kind, name, i.dims.size());
    if (i.dims[1] >= 0 && i.dims[1] != H) fail("{}: {} '{}' dim 1 is {}, expected n_head {}", f, kind, name, i.dims[1], H);
    if (i.dims[3] >= 0 && i.dims[3] != D) fail("{}: {} '{}' dim 3 is {}, expected head_dim {}", f, kind, name, i.dims[3], D);
    if (i.elem_type != onnx::TensorProto::FLOAT && i.elem_type != onnx::TensorProto::FLOAT16) {
      fail("{}: {} '{}' has element type {}, expected fp32 or fp16", f, kind, name, elem_name(i.elem_type));
    }
    if (kv_type == 0) kv_type = i.elem_type;
    if (i.elem_type != kv_type) {
      fail("{}: {} '{}' is {}, other KV tensors are {}", f, kind, name, elem_name(i.elem_type), elem_name(kv_type));
    }
  };
  std::set<std::string> expected_in = {"input_ids", "attention_mask", "position_ids"};
  std::set<std::string> expected_out = {"logits"};
  for (int l = 0; l < cfg.n_layer; ++l) {
    for (const char* kv : {"key", "value"}) {
      const std::string pin = "past_key_values." + std::to_string(l) + "." + kv;
      const std::string pout = "present." + std::to_string(l) + "." + kv;
      check_kv(inputs, pin, "input");
      check_kv(outputs, pout, "output");
      expected_in.insert(pin);
      expected_out.insert(pout);
    }
  }
  for (const auto& [n, _] : inputs) {
    if (!expected_in.count(n) && !initializers.count(n)) {
      fail("{}: unexpected graph input '{}' (a GPT-2 decoder with n_layer {} has input_ids, "
           "attention_mask, position_ids and past_key_values.0..{}.key/.value)", f, n, cfg.n_layer,
           cfg.n_layer - 1);
    }
  }
  for (const auto& [n, _] : outputs) {
    if (!expected_out.count(n)) {
      fail("{}: unexpected graph output '{}' (expected logits and present.0..{}.key/.value)", f,
           n, cfg.n_layer - 1);
    }
  }
  const IoInfo& lg = need(outputs, "logits", "output");
  if (lg.dims.size() != 3) fail("{}: output 'logits' must have rank 3, found {}", f, lg.dims.size());
  if (lg.dims[2] >= 0 && lg.dims[2] != cfg.vocab_size) {
    fail("{}: output 'logits' dim 2 is {}, expected vocab_size {}", f, lg.dims[2], cfg.vocab_size);
  }
  if (lg.elem_type != onnx::TensorProto::FLOAT && lg.elem_type != onnx::TensorProto::FLOAT16) {
    fail("{}: output 'logits' has element type {}, expected fp32 or fp16", f, elem_name(lg.elem_type));
  }
  out.last_position_logits = lg.dims[1] == 1;
  out.kv_dtype = elem_name(kv_type);
  out.logits_dtype = elem_name(lg.elem_type);
  out.model_file = onnx_file;
}

OnnxModelSource inspect_onnx_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("{}: not a folder (expected an optimum ONNX export)", dir.string());
  OnnxModelSource src;
  src.dir = dir;
  const fs::path cfg_file = dir / "config.json";
  if (!fs::exists(cfg_file)) fail("{}: config.json is missing (optimum writes it beside the graph)", dir.string());
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(cfg_file));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: invalid JSON: {}", cfg_file.string(), e.what());
  }
  if (j.contains("model_type") && j["model_type"] != "gpt2") {
    fail("{}: model_type is {}, expected \"gpt2\"", cfg_file.string(), j["model_type"].dump());
  }
  auto& c = src.config;
  c.n_layer = json_int(j, cfg_file, {"n_layer"});
  c.n_head = json_int(j, cfg_file, {"n_head"});
  c.n_embd = json_int(j, cfg_file, {"n_embd"});
  c.vocab_size = json_int(j, cfg_file, {"vocab_size"});
  c.n_positions = json_int(j, cfg_file, {"n_positions", "n_ctx"});
  if (j.contains("n_inner") && j["n_inner"].is_number_integer()) c.n_inner = j["n_inner"].get<int>();
  if (j.contains("layer_norm_epsilon") && j["layer_norm_epsilon"].is_number()) {
    c.layer_norm_epsilon = j["layer_norm_epsilon"].get<double>();
  }
  if (c.n_layer <= 0 || c.n_head <= 0 || c.n_embd <= 0 || c.n_embd % c.n_head != 0 ||
      c.vocab_size <= 0 || c.n_positions <= 0) {
    fail("{}: sizes must be positive and n_head ({}) must divide n_embd ({})", cfg_file.string(),
         c.n_head, c.n_embd);
  }
  fs::path model_file = dir / "model.onnx";
  if (!fs::exists(model_file)) {
    if (fs::exists(dir / "decoder_model_merged.onnx")) {
      fail("{}: only decoder_model_merged.onnx found; scalebench drives a decoder with past "
           "(model.onnx: optimum-cli export onnx --task text-generation-with-past)", dir.string());
    }
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".onnx") found.push_back(e.path());
    }
    if (found.size() != 1) {
      fail("{}: expected model.onnx or exactly one *.onnx file, found {}", dir.string(), found.size());
    }
    model_file = found[0];
  }
  check_decoder_graph(model_file, c, src);
  return src;
}

}  // namespace sb::exporter
