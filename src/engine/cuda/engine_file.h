// engine/cuda/engine_file — built engines of the native CUDA backend (int8 W8A8 and fp8 E4M3):
// calibration, the engine file format, its verification, and the cache the runner uses.
// Plain C++ (no CUDA): compiled and unit-tested on machines without nvcc or a GPU.
// Contract:
//  - build_cuda_engine() calibrates activation ranges with a CPU fp32 forward of the model on the
//    calibration text (tokenized with the default GPT-2 tokenizer; windows of calib.seq tokens,
//    at most calib.samples of them, bounded by calib.max_macs of arithmetic), quantizes the four
//    matrices of every layer per output channel (quant.h) and writes DIR/engine.sbe plus
//    DIR/engine.json (metadata: SHA-256 and bytes of engine.sbe, build time, precision,
//    calibration settings and what was actually used, source model SHA-256, scalebench version).
//    Quantized: attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj of every layer.  Kept in fp16 by the
//    engine and NOT stored in the file: embeddings (and the tied LM head), LayerNorm parameters,
//    biases; attention, softmax and LayerNorm run in fp16/fp32.  So an engine file is used
//    together with the same model's weights, which it checks (fingerprint below).
//  - engine.sbe layout: 8-byte magic "SBCUDAE1", u64 little-endian header length, header JSON,
//    zero padding to a multiple of 64, then tensor blobs at 64-byte aligned offsets (relative to
//    the blob area) named in the header.
//  - load_engine_file() never returns a stale or corrupt engine: SHA-256 of engine.sbe must equal
//    engine.json's (corrupt), the header must parse and every blob lie inside the file (corrupt),
//    format and scalebench version must match this build, precision must be the one asked for,
//    and the model must match: config, weights fingerprint (SHA-256 over a strided sample of every
//    tensor, cheap for any size) and, when the caller knows it, the source model SHA-256 (stale).
//    Each failure throws sb::Error saying which check failed with expected vs found.
//  - ensure_cuda_engine() is the cache: artifacts_dir/native-cuda-<precision>-<model sha 16>-
//    <calibration key 12>/ holds a verified engine (cached = true) or is rebuilt.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/cuda/quant.h"
#include "model/weights.h"

namespace sb::engine {

struct CalibOptions {
  std::filesystem::path text;        // calibration text file or folder; empty = default_calib_text()
  int samples = 512;                 // windows of `seq` tokens (fewer when the text is shorter)
  int seq = 128;
  std::string calibrator = "minmax"; // minmax | percentile
  double percentile = 99.99;         // percentile calibrator only
  double max_macs = 2e11;            // bound on calibration arithmetic (samples are cut to fit)
  int threads = 0;                   // 0 = hardware concurrency (at most 16)
  // When non-empty: calibrate on these token ids instead of the tokenized text (models whose
  // vocabulary is not GPT-2's; tests).
  std::vector<std::int32_t> tokens;
};

// The held-out Python docs (tutorial) the pydoc model was not trained on.
std::filesystem::path default_calib_text();
// Text of a file, or of every regular file of a folder concatenated in sorted path order.
std::string read_calib_text(const std::filesystem::path& p);

// Per-layer activation ranges: index [layer][site], sites in the order below.
enum CalibSite { kSiteQkv = 0, kSiteProj = 1, kSiteFc = 2, kSiteFc2 = 3, kSites = 4 };
const char* site_name(int site);
struct CalibResult {
  std::vector<std::array<double, kSites>> amax;   // chosen range per (layer, site)
  std::vector<std::array<double, kSites>> absmax; // observed maximum |x|
  int samples_used = 0;
  std::int64_t tokens_used = 0;
  double calib_ms = 0;
};
// CPU fp32 forward over `tokens` cut into windows of c.seq (no LM head).
CalibResult calibrate(const model::GptWeights& w, const std::vector<std::int32_t>& tokens,
                      const CalibOptions& c);

// One quantized matrix of the engine (W [n_out, k_in], one byte per element).
struct QMatrix {
  int n_out = 0, k_in = 0;
  std::vector<std::uint8_t> q;
  std::vector<float> scales;     // [n_out]
};
struct QLayer {
  QMatrix m[kSites];             // qkv, proj, fc, fc2 (site order)
  float act_scale[kSites] = {1, 1, 1, 1};
};
struct EngineFileData {
  quant::Kind kind = quant::Kind::kInt8;
  nlohmann::json header;
  std::vector<QLayer> layers;
};

struct EngineArtifact {
  std::filesystem::path path;          // engine.sbe
  std::filesystem::path metadata_path; // engine.json
  std::string sha256;
  std::uint64_t bytes = 0;
  double build_ms = 0;                 // of the build that made the file (recorded at build time)
  bool cached = false;                 // true: an existing verified file was reused
  nlohmann::json metadata;             // engine.json's content
};

bool precision_needs_engine_file(const std::string& precision);   // int8, fp8
quant::Kind kind_for_precision(const std::string& precision);      // throws for others
std::string weights_fingerprint(const model::GptWeights& w);

// Builds into out_dir (created).  source_model_sha256 may be empty (then only the fingerprint
// ties the file to the model).
EngineArtifact build_cuda_engine(const model::GptWeights& w, const std::string& source_model_sha256,
                                 const std::string& precision, const CalibOptions& c,
                                 const std::filesystem::path& out_dir);
// The cache (see contract).  Throws for precisions that need no engine file.
EngineArtifact ensure_cuda_engine(const model::GptWeights& w, const std::string& source_model_sha256,
                                  const std::string& precision, const CalibOptions& c,
                                  const std::filesystem::path& artifacts_dir);
// Verifies and reads an engine file (see contract); expected_model_sha256 may be empty.
EngineFileData load_engine_file(const std::filesystem::path& engine_sbe, const model::GptWeights& w,
                                const std::string& precision,
                                const std::string& expected_model_sha256);
// Only the checks (no tensor data kept); returns engine.json.
nlohmann::json verify_engine_file(const std::filesystem::path& engine_sbe, const model::GptWeights& w,
                                  const std::string& precision,
                                  const std::string& expected_model_sha256);

}  // namespace sb::engine
