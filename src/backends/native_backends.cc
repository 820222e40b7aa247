// Factories of the engine-backed backends: native-cpu, native-cuda, onnxruntime-cpu/-cuda.
// Each is compiled in only when its module exists (CMake defines SB_HAVE_MODEL,
// SB_HAVE_ENGINE_CPU, SB_HAVE_CUDA, SB_HAVE_ORT, SB_HAVE_EXPORT); otherwise availability says
// which part of the build is missing.
#include "backends/native_backends.h"

#include <chrono>
#include <filesystem>

#include "backends/engine_backend.h"
#include "backends/registry.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/version.h"

#if defined(SB_HAVE_MODEL)
#include "model/model.h"
#endif
#if defined(SB_HAVE_ENGINE_CPU)
#include "engine/cpu/cpu_engine.h"
#endif
#if defined(SB_HAVE_CUDA)
#include "engine/cuda/cuda_engine.h"
#include "engine/cuda/engine_file.h"
#endif
#if defined(SB_HAVE_ORT)
#include "backends/ort/ort_engine.h"
#endif
#if defined(SB_HAVE_EXPORT)
#include "export/onnx_export.h"
#endif

namespace sb::backends {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

int device_index(const std::string& device) {
  auto colon = device.find(':');
  if (colon == std::string::npos) return 0;
  try {
    return std::stoi(device.substr(colon + 1));
  } catch (...) {
    fail("device '{}': expected cuda:N", device);
  }
}

#if defined(SB_HAVE_MODEL)
model::LoadedModel load_weights(const LoadRequest& r) {
  return model::load_model(r.model_spec, r.weights_seed);
}
#endif

}  // namespace

#if defined(SB_HAVE_MODEL)
json model_inventory_json(const model::ModelInventory& inv) {
  return model::inventory_to_json(inv);  // the model module owns the manifest's model schema
}
#endif

// ---- native-cpu ---------------------------------------------------------------------------

bool native_cpu_available(std::string* reason) {
#if defined(SB_HAVE_MODEL) && defined(SB_HAVE_ENGINE_CPU)
  return true;
#else
  if (reason) *reason = "this build has no CPU engine or model loader (sb_engine_cpu/sb_model)";
  return false;
#endif
}

std::unique_ptr<Backend> make_native_cpu() {
  Capabilities caps;
  caps.logits_all = true;
  return std::make_unique<EngineBackend>(
      "native-cpu", caps, [](const LoadRequest& r, LoadResult& result) -> std::unique_ptr<engine::Engine> {
#if defined(SB_HAVE_MODEL) && defined(SB_HAVE_ENGINE_CPU)
        if (r.precision != "fp32")
          throw UnsupportedError("native-cpu runs fp32 only (the reference engine)");
        if (device_kind(r.device) != "cpu")
          throw UnsupportedError("native-cpu runs on device cpu, not " + r.device);
        auto lm = load_weights(r);
        result.model = model_inventory_json(lm.inventory);
        engine::CpuEngineOptions o;
        o.threads = int_option(r.options, "threads", 0);
        o.max_batch = std::max(1, r.max_batch);
        o.max_seq = r.max_seq;
        return engine::make_cpu_engine(std::move(lm.weights), o);
#else
        std::string why;
        native_cpu_available(&why);
        throw UnsupportedError(why);
#endif
      });
}

// ---- native-cuda --------------------------------------------------------------------------

bool native_cuda_available(std::string* reason) {
#if defined(SB_HAVE_MODEL) && defined(SB_HAVE_CUDA)
  return engine::cuda_available(reason);
#else
  if (reason) *reason = "this build has no CUDA engine (configured without nvcc or SB_ENABLE_CUDA=OFF)";
  return false;
#endif
}

std::unique_ptr<Backend> make_native_cuda() {
  Capabilities caps;
  caps.logits_all = true;
  caps.reports_device_memory = false;
  return std::make_unique<EngineBackend>(
      "native-cuda", caps, [](const LoadRequest& r, LoadResult& result) -> std::unique_ptr<engine::Engine> {
#if defined(SB_HAVE_MODEL) && defined(SB_HAVE_CUDA)
        std::string why;
        if (!engine::cuda_available(&why)) throw UnsupportedError(why);
        if (device_kind(r.device) != "cuda")
          throw UnsupportedError("native-cuda runs on cuda:N, not " + r.device);
        auto lm = load_weights(r);
        result.model = model_inventory_json(lm.inventory);
        engine::CudaEngineOptions o;
        o.precision = r.precision;
        o.device = device_index(r.device);
        o.max_batch = std::max(1, r.max_batch);
        o.max_seq = r.max_seq;
        o.cuda_graphs = bool_option(r.options, "cuda_graphs", true);
        o.tf32 = bool_option(r.options, "tf32", false);
        // false: decode always takes the kernel chain (A/B of the single-kernel small-model step).
        o.small_decode = bool_option(r.options, "small_decode", true);
        // fp8 in the small kernel with decoded weights and inputs quantized once (same logits):
        // absent = the engine's default (CudaEngineOptions::small_fp8_predecode).
        o.small_fp8_predecode = bool_option(r.options, "small_fp8_predecode", o.small_fp8_predecode);
        // Each layer's decode attention + attn c_proj as one kernel: true = wherever it fits, false =
        // never; unset = the engine's default (CudaEngineOptions::fuse_attn_proj).
        if (r.options.contains("fuse_attn_proj") && !r.options["fuse_attn_proj"].is_null())
          o.fuse_attn_proj = bool_option(r.options, "fuse_attn_proj", false) ? 1 : 0;
        // Each layer's MLP as one kernel on the decode GEMV path: absent = the engine's measured
        // shape rule, true = wherever it fits, false = the kernel chain (A/B).
        if (r.options.contains("fuse_mlp") && !r.options["fuse_mlp"].is_null())
          o.fuse_mlp = bool_option(r.options, "fuse_mlp", false) ? 1 : 0;
        // The fused MLP's post-wait variants (A/B; bit-identical results): warp-local LayerNorm
        // (true/false) and the cluster pre-reduction of the fc2 partials (0/2/4/8 blocks); absent
        // = the engine's default (CudaEngineOptions::mlp_warp_ln / mlp_cluster).
        if (r.options.contains("mlp_warp_ln") && !r.options["mlp_warp_ln"].is_null())
          o.mlp_warp_ln = bool_option(r.options, "mlp_warp_ln", false) ? 1 : 0;
        o.mlp_cluster = int_option(r.options, "mlp_cluster", o.mlp_cluster);
        if (r.options.contains("mlp_fc2_chunks") && !r.options["mlp_fc2_chunks"].is_null())
          o.mlp_fc2_chunks = bool_option(r.options, "mlp_fc2_chunks", false) ? 1 : 0;
        // The decode GEMV's shared-memory weight ring (slots per warp, 0 = off; blocks per SM):
        // absent = the engine's default (CudaEngineOptions::gemv_ring / gemv_ring_blocks).
        o.gemv_ring = int_option(r.options, "gemv_ring", o.gemv_ring);
        o.gemv_ring_blocks = int_option(r.options, "gemv_ring_blocks", o.gemv_ring_blocks);
        // true = wherever it applies, false = off; absent = the engine's default.
        if (r.options.contains("gemv_xtma") && !r.options["gemv_xtma"].is_null())
          o.gemv_xtma = bool_option(r.options, "gemv_xtma", false) ? 1 : 0;
        // The fp16/bf16 decode LM head on tensor cores: true = wherever it applies, false = the
        // register GEMV; absent = the engine's measured rule.
        if (r.options.contains("lm_head_mma") && !r.options["lm_head_mma"].is_null())
          o.lm_head_mma = bool_option(r.options, "lm_head_mma", false) ? 1 : 0;
        // Threads per block of the LayerNorm'd one-row decode GEMVs (128 = main's, 256, 512);
        // absent = the engine's default.
        o.gemv_ln_threads = int_option(r.options, "gemv_ln_threads", o.gemv_ln_threads);
        // LayerNorm folded into the decode GEMVs' weights (true/false); absent = the engine's default.
        if (r.options.contains("ln_fold") && !r.options["ln_fold"].is_null())
          o.ln_fold = bool_option(r.options, "ln_fold", false) ? 1 : 0;
        o.engine_file = string_option(r.options, "engine_file", "");
        if (engine::precision_needs_engine_file(r.precision) && o.engine_file.empty()) {
          // int8/fp8 without a given engine file: calibrate + quantize into the artifacts cache
          // (reused when a verified engine for these weights and calibration settings exists).
          engine::CalibOptions c;
          c.text = string_option(r.options, "calib", "");
          c.samples = int_option(r.options, "calib_samples", c.samples);
          c.seq = int_option(r.options, "calib_seq", c.seq);
          c.calibrator = string_option(r.options, "calibrator", c.calibrator);
          if (c.calibrator != "minmax" && c.calibrator != "percentile")
            fail("native-cuda: option calibrator must be minmax or percentile, got '{}'", c.calibrator);
          if (c.samples < 1 || c.seq < 2)
            fail("native-cuda: options calib_samples must be >= 1 and calib_seq >= 2, got {} and {}",
                 c.samples, c.seq);
          if (c.text.empty() && lm.inventory.synthetic && lm.weights.config.vocab_size != 50257) {
            // Synthetic weights with a non-GPT-2 vocabulary: GPT-2 token ids of the default text
            // would be out of range, and such weights have no text distribution to match anyway;
            // calibrate on deterministic pseudo-random ids (fixed seed: the cache key stays put).
            std::uint64_t x = 0x9E3779B97F4A7C15ull;
            c.tokens.resize(static_cast<std::size_t>(c.samples) * c.seq);
            for (auto& t : c.tokens) {
              x = x * 6364136223846793005ull + 1442695040888963407ull;
              t = static_cast<std::int32_t>((x >> 33) % static_cast<std::uint64_t>(lm.weights.config.vocab_size));
            }
          }
          fs::path base = r.artifacts_dir.empty() ? fs::temp_directory_path() / "scalebench-artifacts"
                                                  : r.artifacts_dir;
          auto a = engine::ensure_cuda_engine(lm.weights, lm.inventory.weights_sha256, r.precision, c, base);
          o.engine_file = a.path;
          o.engine_model_sha256 = lm.inventory.weights_sha256;
          json art = {{"kind", "engine"},      {"path", a.path.string()}, {"sha256", a.sha256},
                      {"bytes", a.bytes},      {"cached", a.cached},      {"metadata", a.metadata}};
          if (!a.cached) {
            art["build_ms"] = a.build_ms;
            result.build_ms = a.build_ms;
          }
          result.artifact = art;
        }
        return engine::make_cuda_engine(lm.weights, o);
#else
        std::string why;
        native_cuda_available(&why);
        (void)device_index;
        throw UnsupportedError(why);
#endif
      });
}

// ---- onnxruntime-cpu / onnxruntime-cuda ---------------------------------------------------

bool onnxruntime_available(const std::string& device_kind_name, std::string* reason) {
#if defined(SB_HAVE_MODEL) && defined(SB_HAVE_ORT) && defined(SB_HAVE_EXPORT)
  return engine::ort_available(device_kind_name, reason);
#else
  if (reason)
    *reason = "this build has no ONNX Runtime backend or ONNX exporter (sb_backend_ort/sb_export; "
              "run scripts/setup.sh to fetch ONNX Runtime)";
  return false;
#endif
}

#if defined(SB_HAVE_MODEL) && defined(SB_HAVE_ORT) && defined(SB_HAVE_EXPORT)
namespace {
// Exports (or reuses) one graph variant into `dir`, recorded in `record_name`: the
// last-position-logits graph (model_last_logits.onnx, every timed step) or the all-position
// graph (model.onnx, which the ORT engine opens on demand for LogitsMode::kAll prefills);
// static_kv > 0: the static_kv variant of either (model_static_kv<K>*.onnx, CUDA graphs).  A
// cached file whose SHA-256 no longer matches its record is rebuilt, never used.
json export_variant(const model::LoadedModel& lm, const LoadRequest& r, bool last_position,
                    const fs::path& dir, const char* record_name, const std::string& key_text,
                    int static_kv) {
  fs::path record = dir / record_name;
  if (fs::exists(record)) {
    try {
      json a = json::parse(read_file(record));
      fs::path file = dir / a.at("file").get<std::string>();
      bool ok = a.value("key", "") == key_text && fs::exists(file) &&
                sha256_file(file) == a.at("sha256").get<std::string>();
      if (ok && a.contains("external_data_file") && !a["external_data_file"].get<std::string>().empty()) {
        fs::path data = dir / a["external_data_file"].get<std::string>();
        ok = fs::exists(data) && sha256_file(data) == a.value("external_data_sha256", "");
      }
      if (ok) {
        a["cached"] = true;
        return a;
      }
    } catch (const std::exception&) {
      // A corrupt record is the same as none: rebuild below.
    }
  }
  exporter::ExportOptions eo;
  eo.dtype = model::dtype_from_precision(r.precision);
  eo.last_position_logits = last_position;
  eo.static_kv_positions = static_kv;
  auto er = exporter::export_onnx(lm.weights, eo, dir);
  json a = json::parse(exporter::export_result_json(er));
  a["kind"] = "onnx";
  a["file"] = er.model_file.filename().string();
  a["external_data_file"] = er.external_data_file.empty() ? "" : er.external_data_file.filename().string();
  a["external_data_sha256"] = er.external_data_sha256;
  a["sha256"] = er.sha256;
  a["key"] = key_text;
  a["build_ms"] = er.export_ms;
  write_file_atomic(record, a.dump(2));
  a["cached"] = false;
  return a;
}

// Both variants for this model and precision, side by side in one cache folder.  Cache key:
// source weights SHA-256 + dtype + opset + variant + KV layout (static_kv K or dynamic) +
// scalebench version.  Returns the last-position graph (the one the engine times); the
// artifact records both.
fs::path onnx_artifact(const model::LoadedModel& lm, const LoadRequest& r, LoadResult& result, int static_kv) {
  const int opset = exporter::ExportOptions{}.opset;
  const std::string layout = static_kv > 0 ? "|static_kv" + std::to_string(static_kv) : "";
  auto key_for = [&](const char* variant) {
    return lm.inventory.weights_sha256 + "|" + r.precision + "|opset" + std::to_string(opset) + "|" +
           variant + layout + "|" + kVersion + "|" + kGitSha;
  };
  const std::string last_key = key_for("last");
  std::string key = sha256_hex(last_key).substr(0, 16);
  fs::path base = r.artifacts_dir.empty() ? fs::temp_directory_path() / "scalebench-artifacts"
                                          : r.artifacts_dir;
  const std::string kv_tag = static_kv > 0 ? "-kv" + std::to_string(static_kv) : "";
  fs::path dir = base / "onnx" / (r.model_id.empty() ? key : r.model_id + "-" + r.precision + kv_tag + "-" + key);
  json last = export_variant(lm, r, true, dir, "artifact.json", last_key, static_kv);
  json all = export_variant(lm, r, false, dir, "artifact_all.json", key_for("all"), static_kv);
  double build_ms = 0;
  bool built = false;
  for (const json* a : {&last, &all})
    if (!a->value("cached", true)) {
      built = true;
      build_ms += a->value("build_ms", 0.0);
    }
  json art = last;
  art["all_logits"] = {{"file", all.value("file", "")}, {"sha256", all.value("sha256", "")},
                       {"external_data_file", all.value("external_data_file", "")},
                       {"cached", all.value("cached", false)}};
  art["cached"] = !built;
  if (built) {
    art["build_ms"] = build_ms;
    result.build_ms = build_ms;
  }
  result.artifact = art;
  return dir / last.at("file").get<std::string>();
}
}  // namespace
#endif

std::unique_ptr<Backend> make_onnxruntime(const std::string& name, const std::string& kind) {
  Capabilities caps;
  // The timed graph has last-position logits only; kAll requests (accuracy) go to the
  // all-position graph exported beside it (model.onnx), which the ORT engine opens on demand.
  caps.logits_all = true;
  return std::make_unique<EngineBackend>(
      name, caps, [name, kind](const LoadRequest& r, LoadResult& result) -> std::unique_ptr<engine::Engine> {
        // cuda_graphs (CUDA provider only) runs the static_kv export: a fixed K-slot KV cache,
        // so every decode step has the same shapes and addresses and ORT can replay one captured
        // graph per (batch, buffer parity).  With the dynamic-past export every CUDA-graph decode
        // cell failed in replay on an H100 (2026-11-26; docs/onnx.md "Status").
        const bool cuda_graphs = bool_option(r.options, "cuda_graphs", false);
        if (cuda_graphs && kind != "cuda")
          throw UnsupportedError(name + ": option cuda_graphs applies to the CUDA provider only");
#if defined(SB_HAVE_MODEL) && defined(SB_HAVE_ORT) && defined(SB_HAVE_EXPORT)
        std::string why;
        if (!engine::ort_available(kind, &why)) throw UnsupportedError(why);
        if (device_kind(r.device) != kind)
          throw UnsupportedError(name + " runs on " + kind + ", not " + r.device);
        auto lm = load_weights(r);
        result.model = model_inventory_json(lm.inventory);
        const int static_kv =
            cuda_graphs ? exporter::static_kv_positions_for(r.max_seq, lm.weights.config.n_positions) : 0;
        fs::path file = onnx_artifact(lm, r, result, static_kv);
        engine::OrtEngineOptions o;
        o.device = r.device;
        o.threads = int_option(r.options, "threads", 0);
        o.graph_optimization = string_option(r.options, "graph_optimization", "all");
        o.cuda_graphs = cuda_graphs;
        // CUDA provider only: TF32 for fp32 MatMul/Gemm (ORT's own default is on; scalebench's
        // fp32 is strict unless a study asks, as native-cuda's tf32 option).
        o.tf32 = bool_option(r.options, "tf32", false);
        if (o.tf32 && kind != "cuda") throw UnsupportedError(name + ": option tf32 applies to the CUDA provider only");
        // Unset = the engine's automatic choice (IoBinding except for the CUDA provider plugin).
        if (r.options.contains("io_binding")) o.io_binding = bool_option(r.options, "io_binding", true);
        o.all_logits_file = file.parent_path() / result.artifact["all_logits"]["file"].get<std::string>();
        return engine::make_ort_engine(file, lm.weights.config, o);
#else
        std::string why;
        onnxruntime_available(kind, &why);
        throw UnsupportedError(why);
#endif
      });
}

}  // namespace sb::backends
