// engine/cuda/engine_file.cc — see engine_file.h.
#include "engine/cuda/engine_file.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/version.h"
#ifdef SB_HAVE_TOKENIZER
#include "tokenizer/tokenizer.h"
#endif

namespace sb::engine {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kMagic[8] = {'S', 'B', 'C', 'U', 'D', 'A', 'E', '1'};
constexpr int kFormat = 1;
constexpr std::size_t kAlign = 64;

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

json config_json(const model::GptConfig& c) {
  return {{"n_layer", c.n_layer}, {"n_head", c.n_head},       {"n_embd", c.n_embd},
          {"n_inner", c.inner()}, {"vocab_size", c.vocab_size}, {"n_positions", c.n_positions}};
}

// ---------------------------------------------------------------- CPU calibration forward
// out[s, n] = in[s, :] @ W[:, n] + b[n] with W in Hugging Face's [K, N] layout.
void linear(const float* in, int S, int K, const std::vector<float>& W, const std::vector<float>& b,
            int N, float* out) {
  for (int s = 0; s < S; ++s) {
    float* o = out + static_cast<std::size_t>(s) * N;
    for (int n = 0; n < N; ++n) o[n] = b[n];
    const float* x = in + static_cast<std::size_t>(s) * K;
    for (int k = 0; k < K; ++k) {
      const float xv = x[k];
      const float* wr = W.data() + static_cast<std::size_t>(k) * N;
      for (int n = 0; n < N; ++n) o[n] += xv * wr[n];
    }
  }
}

void layernorm_rows(const float* in, int S, int E, const std::vector<float>& g,
                    const std::vector<float>& b, double eps, float* out) {
  for (int s = 0; s < S; ++s) {
    const float* x = in + static_cast<std::size_t>(s) * E;
    double mean = 0, var = 0;
    for (int k = 0; k < E; ++k) mean += x[k];
    mean /= E;
    for (int k = 0; k < E; ++k) var += (x[k] - mean) * (x[k] - mean);
    var /= E;
    const double rstd = 1.0 / std::sqrt(var + eps);
    float* y = out + static_cast<std::size_t>(s) * E;
    for (int k = 0; k < E; ++k) y[k] = static_cast<float>((x[k] - mean) * rstd * g[k] + b[k]);
  }
}

float gelu_new(float x) {
  const float k = 0.7978845608028654f;
  return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
}

using SiteStats = std::vector<std::array<quant::AbsStats, kSites>>;

void forward_sample(const model::GptWeights& w, const std::int32_t* tok, int S, SiteStats& st) {
  const auto& c = w.config;
  const int E = c.n_embd, H = c.n_head, D = E / H, I = c.inner();
  const double eps = c.layer_norm_epsilon;
  const float scale = c.scale_attn_weights ? 1.0f / std::sqrt(static_cast<float>(D)) : 1.0f;
  std::vector<float> x(static_cast<std::size_t>(S) * E), a(x.size()), att(x.size()), tmp(x.size());
  std::vector<float> qkv(static_cast<std::size_t>(S) * 3 * E), h(static_cast<std::size_t>(S) * I);
  std::vector<float> p(S);
  for (int s = 0; s < S; ++s)
    for (int e = 0; e < E; ++e)
      x[static_cast<std::size_t>(s) * E + e] = w.wte[static_cast<std::size_t>(tok[s]) * E + e] +
                                               w.wpe[static_cast<std::size_t>(s) * E + e];
  for (int li = 0; li < c.n_layer; ++li) {
    const auto& L = w.layers[li];
    layernorm_rows(x.data(), S, E, L.ln_1_weight, L.ln_1_bias, eps, a.data());
    st[li][kSiteQkv].add(a.data(), a.size());
    linear(a.data(), S, E, L.attn_c_attn_weight, L.attn_c_attn_bias, 3 * E, qkv.data());
    for (int hh = 0; hh < H; ++hh)
      for (int s = 0; s < S; ++s) {
        const float* q = qkv.data() + static_cast<std::size_t>(s) * 3 * E + hh * D;
        float mx = -INFINITY;
        for (int t = 0; t <= s; ++t) {
          const float* k = qkv.data() + static_cast<std::size_t>(t) * 3 * E + E + hh * D;
          float d = 0;
          for (int j = 0; j < D; ++j) d += q[j] * k[j];
          p[t] = d * scale;
          mx = std::max(mx, p[t]);
        }
        float sum = 0;
        for (int t = 0; t <= s; ++t) sum += (p[t] = std::exp(p[t] - mx));
        float* o = att.data() + static_cast<std::size_t>(s) * E + hh * D;
        for (int j = 0; j < D; ++j) o[j] = 0;
        for (int t = 0; t <= s; ++t) {
          const float* v = qkv.data() + static_cast<std::size_t>(t) * 3 * E + 2 * E + hh * D;
          const float pt = p[t] / sum;
          for (int j = 0; j < D; ++j) o[j] += pt * v[j];
        }
      }
    st[li][kSiteProj].add(att.data(), att.size());
    linear(att.data(), S, E, L.attn_c_proj_weight, L.attn_c_proj_bias, E, tmp.data());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += tmp[i];
    layernorm_rows(x.data(), S, E, L.ln_2_weight, L.ln_2_bias, eps, a.data());
    st[li][kSiteFc].add(a.data(), a.size());
    linear(a.data(), S, E, L.mlp_c_fc_weight, L.mlp_c_fc_bias, I, h.data());
    for (auto& v : h) v = gelu_new(v);
    st[li][kSiteFc2].add(h.data(), h.size());
    linear(h.data(), S, I, L.mlp_c_proj_weight, L.mlp_c_proj_bias, E, tmp.data());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += tmp[i];
  }
}

// ---------------------------------------------------------------- file writing helpers
struct Blob {
  std::string name;
  const void* data;
  std::size_t bytes;
};

std::size_t round_up(std::size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

void put_u64(std::string& s, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

const char* kMatNames[kSites] = {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"};

void matrix_shape(const model::GptConfig& c, int site, int& n_out, int& k_in) {
  const int E = c.n_embd, I = c.inner();
  switch (site) {
    case kSiteQkv: n_out = 3 * E; k_in = E; return;
    case kSiteProj: n_out = E; k_in = E; return;
    case kSiteFc: n_out = I; k_in = E; return;
    default: n_out = E; k_in = I; return;
  }
}

const std::vector<float>& hf_matrix(const model::LayerWeights& l, int site) {
  switch (site) {
    case kSiteQkv: return l.attn_c_attn_weight;
    case kSiteProj: return l.attn_c_proj_weight;
    case kSiteFc: return l.mlp_c_fc_weight;
    default: return l.mlp_c_proj_weight;
  }
}

json calib_settings(const CalibOptions& c, const std::string& text_sha) {
  json j = {{"calibrator", c.calibrator}, {"samples", c.samples}, {"seq", c.seq},
            {"max_macs", c.max_macs},     {"text", c.text.string()}, {"text_sha256", text_sha}};
  if (c.calibrator == "percentile") j["percentile"] = c.percentile;
  return j;
}

void check_calib(const CalibOptions& c) {
  if (c.calibrator != "minmax" && c.calibrator != "percentile")
    sb::fail("native-cuda build: calibrator '{}' is unknown (expected minmax or percentile)",
             c.calibrator);
  if (c.samples < 1) sb::fail("native-cuda build: calib samples must be >= 1, got {}", c.samples);
  if (c.seq < 2) sb::fail("native-cuda build: calib seq must be >= 2, got {}", c.seq);
  if (c.calibrator == "percentile" && !(c.percentile > 50.0 && c.percentile <= 100.0))
    sb::fail("native-cuda build: percentile must be in (50, 100], got {}", c.percentile);
}

}  // namespace

const char* site_name(int site) {
  static const char* names[kSites] = {"qkv_in", "attn_proj_in", "fc_in", "fc2_in"};
  return site >= 0 && site < kSites ? names[site] : "?";
}

fs::path default_calib_text() { return "/usr/share/doc/python3.11/html/_sources/tutorial"; }

std::string read_calib_text(const fs::path& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(p))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) sb::fail("calibration text folder {} holds no files", p.string());
    std::string all;
    for (const auto& f : files) all += sb::read_file(f);
    return all;
  }
  if (!fs::is_regular_file(p, ec))
    sb::fail("calibration text {} does not exist (neither a file nor a folder)", p.string());
  return sb::read_file(p);
}

CalibResult calibrate(const model::GptWeights& w, const std::vector<std::int32_t>& tokens,
                      const CalibOptions& c) {
  check_calib(c);
  const auto t0 = std::chrono::steady_clock::now();
  const auto& cfg = w.config;
  const int S = std::min(c.seq, cfg.n_positions);
  for (std::size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] < 0 || tokens[i] >= cfg.vocab_size)
      sb::fail("calibration token {} at index {} is outside the vocabulary [0, {})", tokens[i], i,
               cfg.vocab_size);
  int windows = static_cast<int>(std::min<std::size_t>(tokens.size() / S, c.samples));
  if (windows < 1)
    sb::fail("calibration text has {} tokens, fewer than one window of {}", tokens.size(), S);
  // MACs of one window through the layers (matrices + attention), LM head excluded.
  const double E = cfg.n_embd, I = cfg.inner();
  const double per_window = S * cfg.n_layer * (4.0 * E * E + 2.0 * E * I + S * E);
  const int fit = static_cast<int>(std::max(1.0, std::floor(c.max_macs / per_window)));
  windows = std::min(windows, fit);
  int threads = c.threads > 0 ? c.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, std::min(16, windows));
  std::vector<SiteStats> per(threads, SiteStats(cfg.n_layer));
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errs(threads);
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        for (int wi = t; wi < windows; wi += threads)
          forward_sample(w, tokens.data() + static_cast<std::size_t>(wi) * S, S, per[t]);
      } catch (...) {
        errs[t] = std::current_exception();
      }
    });
  for (auto& th : pool) th.join();
  for (auto& e : errs)
    if (e) std::rethrow_exception(e);
  CalibResult r;
  r.amax.resize(cfg.n_layer);
  r.absmax.resize(cfg.n_layer);
  for (int li = 0; li < cfg.n_layer; ++li)
    for (int s = 0; s < kSites; ++s) {
      quant::AbsStats all;
      for (int t = 0; t < threads; ++t) all.merge(per[t][li][s]);
      r.absmax[li][s] = all.max();
      r.amax[li][s] = quant::calibrated_amax(all, c.calibrator, c.percentile);
    }
  r.samples_used = windows;
  r.tokens_used = static_cast<std::int64_t>(windows) * S;
  r.calib_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

bool precision_needs_engine_file(const std::string& p) { return p == "int8" || p == "fp8"; }

quant::Kind kind_for_precision(const std::string& p) {
  if (p == "int8") return quant::Kind::kInt8;
  if (p == "fp8") return quant::Kind::kFp8;
  sb::fail("native-cuda: precision '{}' has no engine file (only int8 and fp8 are built; fp32, "
           "fp16 and bf16 weights are converted at engine creation)", p);
}

std::string weights_fingerprint(const model::GptWeights& w) {
  // SHA-256 over the config and ~4096 evenly strided elements (plus the last) of every tensor.
  std::string buf = config_json(w.config).dump();
  auto add = [&](const std::vector<float>& v) {
    put_u64(buf, v.size());
    const std::size_t step = std::max<std::size_t>(1, v.size() / 4096);
    for (std::size_t i = 0; i < v.size(); i += step) buf.append(reinterpret_cast<const char*>(&v[i]), 4);
    if (!v.empty()) buf.append(reinterpret_cast<const char*>(&v.back()), 4);
  };
  add(w.wte);
  add(w.wpe);
  add(w.ln_f_weight);
  add(w.ln_f_bias);
  for (const auto& l : w.layers) {
    for (const auto* v : {&l.ln_1_weight, &l.ln_1_bias, &l.attn_c_attn_weight, &l.attn_c_attn_bias,
                          &l.attn_c_proj_weight, &l.attn_c_proj_bias, &l.ln_2_weight, &l.ln_2_bias,
                          &l.mlp_c_fc_weight, &l.mlp_c_fc_bias, &l.mlp_c_proj_weight,
                          &l.mlp_c_proj_bias})
      add(*v);
  }
  return sha256_hex(buf);
}

EngineArtifact build_cuda_engine(const model::GptWeights& w, const std::string& source_model_sha256,
                                 const std::string& precision, const CalibOptions& c_in,
                                 const fs::path& out_dir) {
  const auto t0 = std::chrono::steady_clock::now();
  const quant::Kind kind = kind_for_precision(precision);
  CalibOptions c = c_in;
  if (c.text.empty() && c.tokens.empty()) c.text = default_calib_text();
  check_calib(c);
  const auto& cfg = w.config;
  if (static_cast<int>(w.layers.size()) != cfg.n_layer)
    sb::fail("native-cuda build: weights hold {} layers, config says {}", w.layers.size(), cfg.n_layer);
  // Calibration.
  std::string text_sha, tok_sha;
  std::vector<std::int32_t> ids;
  if (!c.tokens.empty()) {
    ids = c.tokens;
    text_sha = sha256_hex(ids.data(), ids.size() * sizeof(std::int32_t));
    tok_sha = "(token ids given)";
    c.text.clear();
  } else {
    const std::string text = read_calib_text(c.text);
    text_sha = sha256_hex(text);
#ifdef SB_HAVE_TOKENIZER
    const auto tok = tokenizer::Tokenizer::load_default();
    ids = tok.encode(text);
    tok_sha = tok.sha256();
#else
    sb::fail("native-cuda build: this binary was built without the tokenizer module; calibration "
             "needs it (or CalibOptions::tokens)");
#endif
  }
  const CalibResult cal = calibrate(w, ids, c);

  // Quantization.
  std::vector<QLayer> layers(cfg.n_layer);
  for (int li = 0; li < cfg.n_layer; ++li)
    for (int s = 0; s < kSites; ++s) {
      QMatrix& m = layers[li].m[s];
      matrix_shape(cfg, s, m.n_out, m.k_in);
      const auto& hf = hf_matrix(w.layers[li], s);
      if (hf.size() != static_cast<std::size_t>(m.n_out) * m.k_in)
        sb::fail("native-cuda build: h.{}.{}.weight has {} elements, expected {}", li, kMatNames[s],
                 hf.size(), static_cast<std::size_t>(m.n_out) * m.k_in);
      m.q.resize(hf.size());
      m.scales.resize(m.n_out);
      quant::quantize_weight_hf(kind, hf.data(), m.k_in, m.n_out, m.q.data(), m.scales.data());
      layers[li].act_scale[s] = quant::scale_for(kind, cal.amax[li][s]);
    }

  // Header + blobs.
  std::vector<Blob> blobs;
  json jl = json::array();
  std::size_t off = 0;
  auto add_blob = [&](const std::string& name, const void* data, std::size_t bytes) {
    blobs.push_back({name, data, bytes});
    json b = {{"name", name}, {"offset", off}, {"bytes", bytes}};
    off = round_up(off + bytes);
    return b;
  };
  for (int li = 0; li < cfg.n_layer; ++li) {
    json L = {{"index", li}};
    json mats = json::array();
    for (int s = 0; s < kSites; ++s) {
      const QMatrix& m = layers[li].m[s];
      const std::string base = fmt::format("h.{}.{}", li, kMatNames[s]);
      mats.push_back({{"name", base},
                      {"n_out", m.n_out},
                      {"k_in", m.k_in},
                      {"act_scale", layers[li].act_scale[s]},
                      {"act_amax", cal.amax[li][s]},
                      {"act_absmax", cal.absmax[li][s]},
                      {"weight", add_blob(base + ".weight_q", m.q.data(), m.q.size())},
                      {"scales", add_blob(base + ".weight_scale", m.scales.data(), m.scales.size() * 4)}});
    }
    L["matrices"] = mats;
    jl.push_back(L);
  }
  json header = {
      {"format", fmt::format("scalebench.cuda-engine/{}", kFormat)},
      {"format_version", kFormat},
      {"scalebench_version", sb::kVersion},
      {"git_sha", sb::kGitSha},
      {"precision", precision},
      {"quantization",
       {{"weights", fmt::format("{} symmetric per output channel", quant::kind_name(kind))},
        {"activations", fmt::format("{} symmetric per tensor, static (calibrated)", quant::kind_name(kind))},
        {"not_quantized", "embeddings and tied LM head, LayerNorm, biases, attention/softmax (fp16 with fp32 statistics)"}}},
      {"config", config_json(cfg)},
      {"source_model_sha256", source_model_sha256},
      {"weights_fingerprint", weights_fingerprint(w)},
      {"calibration", calib_settings(c, text_sha)},
      {"calibration_used",
       {{"samples", cal.samples_used}, {"tokens", cal.tokens_used}, {"calib_ms", cal.calib_ms},
        {"text_tokens", ids.size()}, {"tokenizer_sha256", tok_sha}}},
      {"created_utc", utc_now()},
      {"layers", jl},
      {"blob_bytes", off}};
  std::string file(kMagic, kMagic + 8);
  const std::string hs = header.dump();
  put_u64(file, hs.size());
  file += hs;
  file.resize(round_up(file.size()), '\0');
  const std::size_t data0 = file.size();
  file.resize(data0 + off, '\0');
  std::size_t o = 0;
  for (const auto& b : blobs) {
    std::memcpy(file.data() + data0 + o, b.data, b.bytes);
    o = round_up(o + b.bytes);
  }
  fs::create_directories(out_dir);
  const fs::path sbe = out_dir / "engine.sbe", meta = out_dir / "engine.json";
  sb::write_file_atomic(sbe, file);
  const double build_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EngineArtifact a;
  a.path = sbe;
  a.metadata_path = meta;
  a.sha256 = sha256_hex(file);
  a.bytes = file.size();
  a.build_ms = build_ms;
  a.cached = false;
  a.metadata = {{"schema", "scalebench.engine/1"},
                {"kind", "engine"},
                {"backend", "native-cuda"},
                {"file", "engine.sbe"},
                {"sha256", a.sha256},
                {"bytes", a.bytes},
                {"build_ms", build_ms},
                {"precision", precision},
                {"calibration", header["calibration"]},
                {"calibration_used", header["calibration_used"]},
                {"source_model_sha256", source_model_sha256},
                {"weights_fingerprint", header["weights_fingerprint"]},
                {"scalebench_version", sb::kVersion},
                {"git_sha", sb::kGitSha},
                {"format_version", kFormat},
                {"created_utc", header["created_utc"]}};
  sb::write_file_atomic(meta, a.metadata.dump(2) + "\n");
  return a;
}

namespace {

struct Parsed {
  json meta, header;
  std::string bytes;
  std::size_t data0 = 0;
};

Parsed parse_and_verify(const fs::path& sbe, const model::GptWeights& w, const std::string& precision,
                        const std::string& expected_sha) {
  const std::string where = sbe.string();
  const fs::path meta_path = sbe.parent_path() / "engine.json";
  std::error_code ec;
  if (!fs::is_regular_file(sbe, ec)) sb::fail("engine file {} does not exist", where);
  if (!fs::is_regular_file(meta_path, ec))
    sb::fail("engine file {}: its metadata {} is missing (cannot verify the file's SHA-256)", where,
             meta_path.string());
  Parsed p;
  try {
    p.meta = json::parse(sb::read_file(meta_path));
  } catch (const json::exception& e) {
    sb::fail("engine metadata {} is not valid JSON: {}", meta_path.string(), e.what());
  }
  p.bytes = sb::read_file(sbe);
  const std::string sha = sha256_hex(p.bytes);
  const std::string want_sha = p.meta.value("sha256", std::string());
  if (sha != want_sha)
    sb::fail("engine file {} is corrupt: SHA-256 {} but {} records {}", where, sha,
             meta_path.string(), want_sha);
  if (p.bytes.size() < 16 || std::memcmp(p.bytes.data(), kMagic, 8) != 0)
    sb::fail("engine file {} is corrupt: bad magic (expected SBCUDAE1)", where);
  const std::uint64_t hl = get_u64(reinterpret_cast<const unsigned char*>(p.bytes.data() + 8));
  if (hl > p.bytes.size() - 16)
    sb::fail("engine file {} is corrupt: header length {} exceeds the file ({} bytes)", where, hl,
             p.bytes.size());
  try {
    p.header = json::parse(p.bytes.substr(16, hl));
  } catch (const json::exception& e) {
    sb::fail("engine file {} is corrupt: header is not valid JSON: {}", where, e.what());
  }
  p.data0 = round_up(16 + hl);
  const auto& h = p.header;
  if (h.value("format_version", 0) != kFormat)
    sb::fail("engine file {} is stale: format version {} (this build reads {})", where,
             h.value("format_version", 0), kFormat);
  if (h.value("scalebench_version", std::string()) != sb::kVersion)
    sb::fail("engine file {} is stale: built by scalebench {} (this is {})", where,
             h.value("scalebench_version", std::string()), sb::kVersion);
  if (h.value("precision", std::string()) != precision)
    sb::fail("engine file {} holds precision {}, asked for {}", where,
             h.value("precision", std::string()), precision);
  if (h["config"] != config_json(w.config))
    sb::fail("engine file {} is stale: built for config {}, model has {}", where, h["config"].dump(),
             config_json(w.config).dump());
  const std::string fp = weights_fingerprint(w);
  if (h.value("weights_fingerprint", std::string()) != fp)
    sb::fail("engine file {} is stale: weights fingerprint {} but the model's is {} (other weights)",
             where, h.value("weights_fingerprint", std::string()), fp);
  if (!expected_sha.empty() && h.value("source_model_sha256", std::string()) != expected_sha)
    sb::fail("engine file {} is stale: built from model SHA-256 '{}', expected {}", where,
             h.value("source_model_sha256", std::string()), expected_sha);
  return p;
}

}  // namespace

json verify_engine_file(const fs::path& sbe, const model::GptWeights& w, const std::string& precision,
                        const std::string& expected_sha) {
  return parse_and_verify(sbe, w, precision, expected_sha).meta;
}

EngineFileData load_engine_file(const fs::path& sbe, const model::GptWeights& w,
                                const std::string& precision, const std::string& expected_sha) {
  Parsed p = parse_and_verify(sbe, w, precision, expected_sha);
  const std::string where = sbe.string();
  EngineFileData d;
  d.kind = kind_for_precision(precision);
  d.header = p.header;
  const auto& cfg = w.config;
  const auto& jl = p.header.at("layers");
  if (!jl.is_array() || static_cast<int>(jl.size()) != cfg.n_layer)
    sb::fail("engine file {} is corrupt: {} layers listed, model has {}", where, jl.size(), cfg.n_layer);
  const std::size_t area = p.bytes.size() - p.data0;
  auto blob = [&](const json& b, std::size_t want, const std::string& what) -> const char* {
    const std::size_t off = b.at("offset").get<std::size_t>(), n = b.at("bytes").get<std::size_t>();
    if (n != want)
      sb::fail("engine file {} is corrupt: {} has {} bytes, expected {}", where, what, n, want);
    if (off > area || n > area - off)
      sb::fail("engine file {} is corrupt: {} lies outside the file (offset {}, {} bytes, area {})",
               where, what, off, n, area);
    return p.bytes.data() + p.data0 + off;
  };
  d.layers.resize(cfg.n_layer);
  try {
    for (int li = 0; li < cfg.n_layer; ++li) {
      const auto& mats = jl[li].at("matrices");
      if (!mats.is_array() || mats.size() != kSites)
        sb::fail("engine file {} is corrupt: layer {} lists {} matrices, expected {}", where, li,
                 mats.size(), static_cast<int>(kSites));
      for (int s = 0; s < kSites; ++s) {
        QMatrix& m = d.layers[li].m[s];
        int n = 0, k = 0;
        matrix_shape(cfg, s, n, k);
        m.n_out = mats[s].at("n_out").get<int>();
        m.k_in = mats[s].at("k_in").get<int>();
        const std::string what = fmt::format("h.{}.{}", li, kMatNames[s]);
        if (m.n_out != n || m.k_in != k)
          sb::fail("engine file {} is corrupt: {} is {}x{}, expected {}x{}", where, what, m.n_out,
                   m.k_in, n, k);
        const std::size_t ne = static_cast<std::size_t>(n) * k;
        const char* q = blob(mats[s].at("weight"), ne, what + " weight");
        m.q.assign(q, q + ne);
        const char* sc = blob(mats[s].at("scales"), static_cast<std::size_t>(n) * 4, what + " scales");
        m.scales.resize(n);
        std::memcpy(m.scales.data(), sc, static_cast<std::size_t>(n) * 4);
        for (int i = 0; i < n; ++i)
          if (!(m.scales[i] > 0.0f) || !std::isfinite(m.scales[i]))
            sb::fail("engine file {} is corrupt: {} weight scale [{}] = {}", where, what, i, m.scales[i]);
        const float as = mats[s].at("act_scale").get<float>();
        if (!(as > 0.0f) || !std::isfinite(as))
          sb::fail("engine file {} is corrupt: {} activation scale {}", where, what, as);
        d.layers[li].act_scale[s] = as;
      }
    }
  } catch (const json::exception& e) {
    sb::fail("engine file {} is corrupt: header field missing or mistyped: {}", where, e.what());
  }
  return d;
}

EngineArtifact ensure_cuda_engine(const model::GptWeights& w, const std::string& source_model_sha256,
                                  const std::string& precision, const CalibOptions& c_in,
                                  const fs::path& artifacts_dir) {
  kind_for_precision(precision);
  CalibOptions c = c_in;
  if (c.text.empty() && c.tokens.empty()) c.text = default_calib_text();
  check_calib(c);
  const std::string text_sha =
      c.tokens.empty() ? sha256_hex(read_calib_text(c.text))
                       : sha256_hex(c.tokens.data(), c.tokens.size() * sizeof(std::int32_t));
  json key = calib_settings(c, text_sha);
  key["text"] = nullptr;  // the content decides, not the path
  const std::string model_id = source_model_sha256.empty() ? weights_fingerprint(w) : source_model_sha256;
  const fs::path dir = artifacts_dir / fmt::format("native-cuda-{}-{}-{}", precision,
                                                   model_id.substr(0, 16),
                                                   sha256_hex(key.dump()).substr(0, 12));
  const fs::path sbe = dir / "engine.sbe";
  std::error_code ec;
  if (fs::exists(sbe, ec)) {
    try {
      EngineArtifact a;
      a.metadata = verify_engine_file(sbe, w, precision, source_model_sha256);
      a.path = sbe;
      a.metadata_path = dir / "engine.json";
      a.sha256 = a.metadata.value("sha256", std::string());
      a.bytes = a.metadata.value("bytes", std::uint64_t{0});
      a.build_ms = a.metadata.value("build_ms", 0.0);
      a.cached = true;
      return a;
    } catch (const sb::Error& e) {
      // Stale or corrupt: rebuilt below (the reason is kept in the new metadata).
      auto a = build_cuda_engine(w, source_model_sha256, precision, c, dir);
      a.metadata["rebuilt_because"] = e.what();
      sb::write_file_atomic(a.metadata_path, a.metadata.dump(2) + "\n");
      return a;
    }
  }
  return build_cuda_engine(w, source_model_sha256, precision, c, dir);
}

}  // namespace sb::engine
