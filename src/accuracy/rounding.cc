#include "accuracy/rounding.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "model/dtype.h"
#include "util/error.h"

namespace sb::accuracy {
namespace {

void round_all(std::vector<float>& v, float (*f)(float)) {
  for (auto& x : v) x = f(x);
}

float to_fp16(float x) { return model::fp16_to_float(model::float_to_fp16(x)); }
float to_bf16(float x) { return model::bf16_to_float(model::float_to_bf16(x)); }

float to_int8_grid(float x) {   // x already divided by the scale
  return std::clamp(std::nearbyint(x), -127.0f, 127.0f);   // nearbyint: ties to even (default mode)
}

// Quantizes a [rows, cols] matrix with one scale per channel; per_column selects the channel
// axis.  grid(x / scale) * scale is the stored value.
void quantize_channels(std::vector<float>& m, std::size_t rows, std::size_t cols, bool per_column,
                       float qmax, float (*grid)(float), const char* name) {
  if (m.size() != rows * cols)
    sb::fail("round_weights: tensor {} holds {} values, expected {} x {} = {}", name, m.size(), rows,
             cols, rows * cols);
  const std::size_t channels = per_column ? cols : rows;
  std::vector<float> amax(channels, 0.0f);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      float& a = amax[per_column ? c : r];
      a = std::max(a, std::fabs(m[r * cols + c]));
    }
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) {
      const float a = amax[per_column ? c : r];
      if (a == 0.0f) continue;   // all-zero channel stays zero
      const float scale = a / qmax;
      float& x = m[r * cols + c];
      x = grid(x / scale) * scale;
    }
}

}  // namespace

float round_to_e4m3(float x) {
  if (std::isnan(x)) return x;
  const float a = std::fabs(x);
  if (a >= 448.0f) return std::copysign(448.0f, x);   // saturate (e4m3fn has no Inf)
  if (a == 0.0f) return x;
  int e = static_cast<int>(std::floor(std::log2(a)));
  e = std::max(e, -6);                                 // below 2^-6: subnormal spacing 2^-9
  const float quantum = std::ldexp(1.0f, e - 3);       // 3 mantissa bits
  const float r = std::nearbyint(a / quantum) * quantum;
  return std::copysign(std::min(r, 448.0f), x);
}

model::GptWeights round_weights(const model::GptWeights& src, const std::string& precision) {
  model::GptWeights w = src;
  const auto& c = w.config;
  const std::size_t E = c.n_embd, I = c.inner(), V = c.vocab_size, P = c.n_positions;
  if (precision == "fp32") return w;
  if (precision == "fp16" || precision == "bf16") {
    float (*f)(float) = precision == "fp16" ? to_fp16 : to_bf16;
    round_all(w.wte, f);
    round_all(w.wpe, f);
    round_all(w.ln_f_weight, f);
    round_all(w.ln_f_bias, f);
    for (auto& l : w.layers)
      for (auto* v : {&l.ln_1_weight, &l.ln_1_bias, &l.attn_c_attn_weight, &l.attn_c_attn_bias,
                      &l.attn_c_proj_weight, &l.attn_c_proj_bias, &l.ln_2_weight, &l.ln_2_bias,
                      &l.mlp_c_fc_weight, &l.mlp_c_fc_bias, &l.mlp_c_proj_weight, &l.mlp_c_proj_bias})
        round_all(*v, f);
    w.config.dtype = precision == "fp16" ? model::DType::F16 : model::DType::BF16;
    return w;
  }
  float qmax = 0;
  float (*grid)(float) = nullptr;
  if (precision == "int8") {
    qmax = 127.0f;
    grid = to_int8_grid;
  } else if (precision == "fp8") {
    qmax = 448.0f;
    grid = round_to_e4m3;
  } else {
    sb::fail("round_weights: unknown precision '{}' (expected fp32, fp16, bf16, int8 or fp8)", precision);
  }
  quantize_channels(w.wte, V, E, false, qmax, grid, "wte");
  quantize_channels(w.wpe, P, E, false, qmax, grid, "wpe");
  for (auto& l : w.layers) {
    quantize_channels(l.attn_c_attn_weight, E, 3 * E, true, qmax, grid, "attn_c_attn_weight");
    quantize_channels(l.attn_c_proj_weight, E, E, true, qmax, grid, "attn_c_proj_weight");
    quantize_channels(l.mlp_c_fc_weight, E, I, true, qmax, grid, "mlp_c_fc_weight");
    quantize_channels(l.mlp_c_proj_weight, I, E, true, qmax, grid, "mlp_c_proj_weight");
  }
  return w;
}

}  // namespace sb::accuracy
