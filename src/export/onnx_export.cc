// export/onnx_export — writes the GPT-2 decoder graph described in onnx_export.h.
#include "export/onnx_export.h"
#include "model/layout.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include "export/graph_builder.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/version.h"

namespace sb::exporter {
namespace fs = std::filesystem;

namespace {

constexpr int kF32 = onnx::TensorProto::FLOAT;
constexpr int kF16 = onnx::TensorProto::FLOAT16;
constexpr int kI64 = onnx::TensorProto::INT64;

void check_weights(const model::GptWeights& w) {
  const auto& c = w.config;
  if (c.n_layer <= 0 || c.n_head <= 0 || c.n_embd <= 0 || c.vocab_size <= 0 ||
      c.n_positions <= 0 || c.n_embd % c.n_head != 0) {
    fail("export_onnx: invalid config (n_layer {}, n_head {}, n_embd {}, vocab_size {}, "
         "n_positions {}): sizes must be positive and n_head must divide n_embd",
         c.n_layer, c.n_head, c.n_embd, c.vocab_size, c.n_positions);
  }
  if (c.activation_function != "gelu_new") {
    fail("export_onnx: activation_function '{}' is not supported (only gelu_new)",
         c.activation_function);
  }
  model::check_weight_shapes(w, "export_onnx");
}

std::uint64_t weight_bytes(const model::GptConfig& c, std::size_t elem_size) {
  const std::uint64_t E = c.n_embd, I = c.inner();
  const std::uint64_t per_layer = 4 * E + 3 * E * E + 3 * E + E * E + E + E * I + I + I * E + E;
  return elem_size * (static_cast<std::uint64_t>(c.vocab_size) * E + c.n_positions * E +
                      c.n_layer * per_layer + 2 * E);
}

// Everything the graph construction needs besides the builder.
struct Ctx {
  GraphBuilder& g;
  int act;                     // activation element type (FLOAT or FLOAT16)
  std::ofstream* ext;          // external data stream or null
  std::string ext_location;
  bool fp16() const { return act == kF16; }
  void weight(const std::string& name, std::vector<std::int64_t> dims, const std::vector<float>& d,
              int elem_type) {
    g.initializer(name, elem_type, std::move(dims), d.data(), static_cast<std::int64_t>(d.size()),
                  ext, ext_location);
  }
  void weight(const std::string& name, std::vector<std::int64_t> dims, const std::vector<float>& d) {
    weight(name, std::move(dims), d, act);
  }
};

// LayerNormalization over the last axis.  In fp16 graphs the activation is cast to fp32 and
// the fp32 gamma/beta are used, so the mean and variance are never accumulated in fp16.
std::string layer_norm(Ctx& c, const std::string& x, const std::string& prefix,
                       const std::vector<float>& gamma, const std::vector<float>& beta,
                       std::int64_t E, double eps) {
  c.weight(prefix + ".weight", {E}, gamma, kF32);
  c.weight(prefix + ".bias", {E}, beta, kF32);
  std::string in = c.fp16() ? c.g.op("Cast", {x}, {Attr::Int("to", kF32)}) : x;
  std::string y = c.g.op("LayerNormalization", {in, prefix + ".weight", prefix + ".bias"},
                         {Attr::Int("axis", -1), Attr::Float("epsilon", static_cast<float>(eps)),
                          Attr::Int("stash_type", 1)});
  return c.fp16() ? c.g.op("Cast", {y}, {Attr::Int("to", kF16)}) : y;
}

// y = x @ W + b (Hugging Face Conv1D layout: W is [in, out]).
std::string linear(Ctx& c, const std::string& x, const std::string& prefix, std::int64_t in,
                   std::int64_t out, const std::vector<float>& w, const std::vector<float>& b) {
  c.weight(prefix + ".weight", {in, out}, w);
  c.weight(prefix + ".bias", {out}, b);
  return c.g.op("Add", {c.g.op("MatMul", {x, prefix + ".weight"}), prefix + ".bias"});
}

// gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))  (opset 20's Gelu(tanh) is
// not available at opset 17).
std::string gelu_new(Ctx& c, const std::string& x) {
  auto& g = c.g;
  const std::string x3 = g.op("Pow", {x, g.const_scalar(3.0f, c.act)});
  const std::string inner = g.op("Add", {x, g.op("Mul", {x3, g.const_scalar(0.044715f, c.act)})});
  const float k = static_cast<float>(std::sqrt(2.0 / M_PI));
  const std::string t = g.op("Tanh", {g.op("Mul", {inner, g.const_scalar(k, c.act)})});
  const std::string half_x = g.op("Mul", {x, g.const_scalar(0.5f, c.act)});
  return g.op("Mul", {half_x, g.op("Add", {t, g.const_scalar(1.0f, c.act)})});
}

void build_graph(const model::GptWeights& w, Ctx& c, bool last_logits, int static_kv,
                 onnx::GraphProto* graph) {
  auto& g = c.g;
  const auto& cfg = w.config;
  const std::int64_t E = cfg.n_embd, H = cfg.n_head, D = cfg.head_dim(), I = cfg.inner(),
                     V = cfg.vocab_size, P = cfg.n_positions, K = static_kv;
  const double eps = cfg.layer_norm_epsilon;
  const int act = c.act;
  const bool fixed = K > 0;

  // Graph inputs and outputs (optimum's names and dim names; static_kv: a K-slot past and no
  // attention_mask).
  set_value_info(graph->add_input(), "input_ids", kI64, {"batch_size", "sequence_length"});
  if (!fixed) {
    set_value_info(graph->add_input(), "attention_mask", kI64,
                   {"batch_size", "past_sequence_length + sequence_length"});
  }
  set_value_info(graph->add_input(), "position_ids", kI64, {"batch_size", "sequence_length"});
  for (int i = 0; i < cfg.n_layer; ++i) {
    for (const char* kv : {"key", "value"}) {
      if (fixed) {
        set_value_info(graph->add_input(), fmt::format("past_key_values.{}.{}", i, kv), act,
                       {"batch_size", H, K, D});
      } else {
        set_value_info(graph->add_input(), fmt::format("past_key_values.{}.{}", i, kv), act,
                       {"batch_size", H, "past_sequence_length", D});
      }
    }
  }
  if (last_logits) {
    set_value_info(graph->add_output(), "logits", kF32, {"batch_size", 1, V});
  } else {
    set_value_info(graph->add_output(), "logits", kF32, {"batch_size", "sequence_length", V});
  }
  for (int i = 0; i < cfg.n_layer; ++i) {
    for (const char* kv : {"key", "value"}) {
      if (fixed) {
        set_value_info(graph->add_output(), fmt::format("present.{}.{}", i, kv), act,
                       {"batch_size", H, K, D});
      } else {
        set_value_info(graph->add_output(), fmt::format("present.{}.{}", i, kv), act,
                       {"batch_size", H, "past_sequence_length + sequence_length", D});
      }
    }
  }

  std::string allowed, scatter_index;
  if (fixed) {
    // Mask from positions: slot j is visible to a query at position p iff j <= p.  The slot
    // numbers are a constant (no Range/Shape: CUDA graphs replay what was captured, and every
    // shape here is fixed but batch and sequence).
    std::vector<std::int64_t> slots(static_cast<std::size_t>(K));
    for (std::int64_t j = 0; j < K; ++j) slots[static_cast<std::size_t>(j)] = j;
    const std::string q_pos = g.op("Unsqueeze", {"position_ids", g.const_i64({1, 3})});  // [B,1,S,1]
    allowed = g.op("LessOrEqual", {g.const_i64(slots), q_pos});                         // [B,1,S,K]
    // ScatterElements indices: each new k/v row [b,h,s,:] goes to slot position_ids[b,s];
    // Expand broadcasts [B,1,S,1] against the constant [1,H,1,D] (no Shape node needed).
    scatter_index = g.op("Expand", {q_pos, g.const_i64({1, H, 1, D})});                 // [B,H,S,D]
  } else {
    // Mask from shapes: S = len(input_ids), T = len(attention_mask) = P + S.  Query i sits at key
    // position P + i and may see keys j <= P + i that attention_mask does not mark as padding.
    const std::string zero = g.const_i64({0}, true), one = g.const_i64({1}, true);
    const std::string S = g.op("Gather", {g.op("Shape", {"input_ids"}), one}, {Attr::Int("axis", 0)});
    const std::string T =
        g.op("Gather", {g.op("Shape", {"attention_mask"}), one}, {Attr::Int("axis", 0)});
    const std::string past_len = g.op("Sub", {T, S});
    const std::string q_pos = g.op("Range", {past_len, T, one});      // [S]
    const std::string k_pos = g.op("Range", {zero, T, one});          // [T]
    const std::string q_col = g.op("Unsqueeze", {q_pos, g.const_i64({1})});  // [S,1]
    const std::string causal = g.op("LessOrEqual", {k_pos, q_col});          // [S,T]
    const std::string keep_key = g.op("Unsqueeze", {g.op("Cast", {"attention_mask"}, {Attr::Int("to", onnx::TensorProto::BOOL)}),
                                                    g.const_i64({1, 2})});  // [B,1,1,T]
    allowed = g.op("And", {causal, keep_key});                               // [B,1,S,T]
  }
  // Scores are masked and soft-maxed in fp32 in both dtypes.
  const std::string masked_value = g.const_scalar(std::numeric_limits<float>::lowest(), kF32);
  const std::string sqrt_d = g.const_scalar(static_cast<float>(std::sqrt(static_cast<double>(D))), act);

  // Embeddings.
  c.weight("transformer.wte.weight", {V, E}, w.wte);
  c.weight("transformer.wpe.weight", {P, E}, w.wpe);
  std::string h = g.op("Add", {g.op("Gather", {"transformer.wte.weight", "input_ids"}, {Attr::Int("axis", 0)}),
                               g.op("Gather", {"transformer.wpe.weight", "position_ids"}, {Attr::Int("axis", 0)})});

  const std::string split_sizes = g.const_i64({E, E, E});
  const std::string heads_shape = g.const_i64({0, 0, H, D});   // [B,S,E] -> [B,S,H,D]
  const std::string merged_shape = g.const_i64({0, 0, E});     // [B,S,H,D] -> [B,S,E]
  for (int i = 0; i < cfg.n_layer; ++i) {
    const auto& l = w.layers[static_cast<std::size_t>(i)];
    const std::string p = "transformer.h." + std::to_string(i);
    const std::string x = layer_norm(c, h, p + ".ln_1", l.ln_1_weight, l.ln_1_bias, E, eps);
    const std::string qkv = linear(c, x, p + ".attn.c_attn", E, 3 * E, l.attn_c_attn_weight,
                                   l.attn_c_attn_bias);
    const auto parts = g.op_n("Split", {qkv, split_sizes}, 3, {Attr::Int("axis", 2)});
    auto to_heads = [&](const std::string& t) {
      return g.op("Transpose", {g.op("Reshape", {t, heads_shape})},
                  {Attr::Ints("perm", {0, 2, 1, 3})});  // [B,H,S,D]
    };
    const std::string q = to_heads(parts[0]);
    // present = past with the new rows appended (dynamic) or written at their slots (static_kv).
    auto cache = [&](const char* kv, const std::string& fresh) {
      const std::string past = fmt::format("past_key_values.{}.{}", i, kv);
      const std::string present = fmt::format("present.{}.{}", i, kv);
      if (fixed) return g.op("ScatterElements", {past, scatter_index, fresh}, {Attr::Int("axis", 2)}, present);
      return g.op("Concat", {past, fresh}, {Attr::Int("axis", 2)}, present);
    };
    const std::string k = cache("key", to_heads(parts[1]));
    const std::string v = cache("value", to_heads(parts[2]));
    const std::string k_t = g.op("Transpose", {k}, {Attr::Ints("perm", {0, 1, 3, 2})});
    std::string scores = g.op("Div", {g.op("MatMul", {q, k_t}), sqrt_d});  // [B,H,S,T]
    if (c.fp16()) scores = g.op("Cast", {scores}, {Attr::Int("to", kF32)});
    std::string probs = g.op("Softmax", {g.op("Where", {allowed, scores, masked_value})},
                             {Attr::Int("axis", -1)});
    if (c.fp16()) probs = g.op("Cast", {probs}, {Attr::Int("to", kF16)});
    const std::string ctx = g.op("Reshape", {g.op("Transpose", {g.op("MatMul", {probs, v})},
                                                 {Attr::Ints("perm", {0, 2, 1, 3})}),
                                             merged_shape});
    h = g.op("Add", {h, linear(c, ctx, p + ".attn.c_proj", E, E, l.attn_c_proj_weight,
                               l.attn_c_proj_bias)});
    const std::string x2 = layer_norm(c, h, p + ".ln_2", l.ln_2_weight, l.ln_2_bias, E, eps);
    const std::string fc = linear(c, x2, p + ".mlp.c_fc", E, I, l.mlp_c_fc_weight, l.mlp_c_fc_bias);
    h = g.op("Add", {h, linear(c, gelu_new(c, fc), p + ".mlp.c_proj", I, E, l.mlp_c_proj_weight,
                               l.mlp_c_proj_bias)});
  }
  h = layer_norm(c, h, "transformer.ln_f", w.ln_f_weight, w.ln_f_bias, E, eps);
  if (last_logits) {
    h = g.op("Slice", {h, g.const_i64({-1}), g.const_i64({std::numeric_limits<std::int64_t>::max()}),
                       g.const_i64({1})});  // [B,1,E]
  }
  // Tied LM head: Gemm with transB reads wte [V,E] in place (no transposed copy on disk).
  const std::string rows = g.op("Reshape", {h, g.const_i64({-1, E})});
  std::string logits2d = g.op("Gemm", {rows, "transformer.wte.weight"}, {Attr::Int("transB", 1)});
  if (c.fp16()) logits2d = g.op("Cast", {logits2d}, {Attr::Int("to", kF32)});
  if (last_logits && fixed) {
    // [B,1,V] from a constant shape (one row per sequence), so the graph CUDA graphs replay
    // has no Shape node.  (The dynamic export keeps its Shape-based form, as validated on GPU.)
    g.op("Reshape", {logits2d, g.const_i64({-1, 1, V})}, {}, "logits");
    return;
  }
  const std::string out_shape =
      g.op("Concat", {g.op("Slice", {g.op("Shape", {h}), g.const_i64({0}), g.const_i64({2})}),
                      g.const_i64({V})},
           {Attr::Int("axis", 0)});
  g.op("Reshape", {logits2d, out_shape}, {}, "logits");
}

}  // namespace

std::string default_file_name(bool last_position_logits, int static_kv_positions) {
  const std::string base =
      static_kv_positions > 0 ? fmt::format("model_static_kv{}", static_kv_positions) : "model";
  return base + (last_position_logits ? "_last_logits.onnx" : ".onnx");
}

ExportResult export_onnx(const model::GptWeights& w, const ExportOptions& o,
                         const fs::path& out_dir) {
  const auto t0 = std::chrono::steady_clock::now();
  check_weights(w);
  if (o.opset != 17) {
    fail("export_onnx: opset {} is not supported: the graph is written for opset 17 "
         "(LayerNormalization needs >= 17; Debian's libonnx 1.12 knows opsets up to 17)",
         o.opset);
  }
  int act = 0;
  std::size_t elem_size = 0;
  if (o.dtype == model::DType::F32) {
    act = kF32, elem_size = 4;
  } else if (o.dtype == model::DType::F16) {
    act = kF16, elem_size = 2;
  } else {
    fail("export_onnx: dtype bf16 is not supported (fp32 or fp16)");
  }
  if (o.static_kv_positions < 0 || o.static_kv_positions > w.config.n_positions) {
    fail("export_onnx: static_kv_positions {} is outside [0, n_positions {}] (0 = dynamic past; "
         "K > 0 = a K-slot KV cache)", o.static_kv_positions, w.config.n_positions);
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) fail("export_onnx: cannot create output folder {}: {}", out_dir.string(), ec.message());

  const std::string file_name =
      o.file_name.empty() ? default_file_name(o.last_position_logits, o.static_kv_positions) : o.file_name;
  const fs::path model_path = out_dir / file_name;
  const std::string data_name = file_name + ".data";
  const fs::path data_path = out_dir / data_name;
  const fs::path data_tmp = out_dir / (data_name + ".tmp");
  const bool external = weight_bytes(w.config, elem_size) > o.external_data_threshold_bytes;

  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("scalebench");
  model.set_producer_version(kVersion);
  model.set_doc_string(o.static_kv_positions > 0
                           ? fmt::format("GPT-2 decoder with a static {}-slot KV cache (optimum names, "
                                         "no attention_mask, present = past scattered at position_ids)",
                                         o.static_kv_positions)
                           : "GPT-2 decoder with KV cache (Hugging Face optimum names)");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(o.opset);
  auto meta = [&](const std::string& k, const std::string& v) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  };
  const char* dtype_str = act == kF16 ? "fp16" : "fp32";
  const char* logits_str = o.last_position_logits ? "last" : "all";
  meta("scalebench.logits", logits_str);
  meta("scalebench.dtype", dtype_str);
  meta("scalebench.n_layer", std::to_string(w.config.n_layer));
  meta("scalebench.n_head", std::to_string(w.config.n_head));
  meta("scalebench.n_embd", std::to_string(w.config.n_embd));
  meta("scalebench.vocab_size", std::to_string(w.config.vocab_size));
  meta("scalebench.n_positions", std::to_string(w.config.n_positions));
  meta("scalebench.static_kv_positions", std::to_string(o.static_kv_positions));

  auto* graph = model.mutable_graph();
  graph->set_name("gpt2_decoder_with_past");
  GraphBuilder builder(graph);
  std::ofstream ext_stream;
  if (external) {
    ext_stream.open(data_tmp, std::ios::binary | std::ios::trunc);
    if (!ext_stream) fail("export_onnx: cannot write external data file {}", data_tmp.string());
  }
  Ctx ctx{builder, act, external ? &ext_stream : nullptr, data_name};
  build_graph(w, ctx, o.last_position_logits, o.static_kv_positions, graph);

  if (external) {
    ext_stream.close();
    if (!ext_stream) fail("export_onnx: writing external data file {} failed", data_tmp.string());
    fs::rename(data_tmp, data_path, ec);
    if (ec) fail("export_onnx: cannot rename {} to {}: {}", data_tmp.string(), data_path.string(), ec.message());
  } else {
    fs::remove(data_path, ec);  // a stale data file from an earlier external export
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) {
    fail("export_onnx: serializing the graph failed ({} bytes of inline weights; the limit is "
         "2 GB — lower external_data_threshold_bytes)", weight_bytes(w.config, elem_size));
  }
  write_file_atomic(model_path, bytes);
  try {
    onnx::checker::check_model(model_path.string());
  } catch (const std::exception& e) {
    fail("export_onnx: {} fails the ONNX checker: {}", model_path.string(), e.what());
  }

  ExportResult r;
  r.model_file = model_path;
  r.sha256 = sha256_hex(bytes);
  r.bytes = bytes.size();
  if (external) {
    r.external_data_file = data_path;
    r.external_data_sha256 = sha256_file(data_path);
    r.bytes += fs::file_size(data_path);
  }
  r.opset = o.opset;
  r.initializer_count = builder.initializer_count();
  r.element_count = builder.element_count();
  r.dtype = dtype_str;
  r.logits = logits_str;
  r.node_count = graph->node_size();
  r.static_kv_positions = o.static_kv_positions;
  r.export_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

int static_kv_positions_for(int max_seq, int n_positions) {
  return max_seq > 0 && max_seq < n_positions ? max_seq : n_positions;
}

std::string export_result_json(const ExportResult& r, int indent) {
  nlohmann::json j;
  j["kind"] = "onnx";
  j["file"] = r.model_file.filename().string();
  j["sha256"] = r.sha256;
  j["bytes"] = r.bytes;
  j["opset"] = r.opset;
  j["initializer_count"] = r.initializer_count;
  j["element_count"] = r.element_count;
  j["node_count"] = r.node_count;
  j["export_ms"] = r.export_ms;
  j["dtype"] = r.dtype;
  j["logits"] = r.logits;
  j["static_kv_positions"] = r.static_kv_positions;
  if (!r.external_data_file.empty()) {
    j["external_data"] = {{"file", r.external_data_file.filename().string()},
                          {"sha256", r.external_data_sha256}};
  } else {
    j["external_data"] = nullptr;
  }
  return j.dump(indent);
}

std::map<std::string, std::int64_t> onnx_op_histogram(const fs::path& onnx_file) {
  const std::string bytes = read_file(onnx_file);
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes)) {
    fail("onnx_op_histogram: {} is not an ONNX model (protobuf parse failed)", onnx_file.string());
  }
  std::map<std::string, std::int64_t> hist;
  for (const auto& n : m.graph().node()) {
    const std::string key = n.domain().empty() || n.domain() == "ai.onnx"
                                ? n.op_type()
                                : n.domain() + "::" + n.op_type();
    ++hist[key];
  }
  return hist;
}

}  // namespace sb::exporter
