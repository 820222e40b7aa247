// engine/cuda/quant — the quantization arithmetic of the int8 (W8A8) and fp8 (E4M3) engines, on
// the host (header only, plain C++: built and unit-tested without CUDA).
// Contract:
//  - Weights: symmetric, per output channel.  int8: scale = amax / 127, q = clamp(rne(w / scale),
//    -127, 127) (-128 is never produced, so negation is exact); fp8: scale = amax / 448 and q the
//    E4M3 code of w / scale.  A channel of zeros gets scale 1 (q = 0 everywhere).
//  - Activations: symmetric, per tensor, static (from calibration): the same scale formulas over
//    the calibrated range; the device quantizes with x * inv_scale (inv_scale = 1 / scale computed
//    here in fp32, so host references and kernels multiply by the same number).
//  - Dequantization: y = acc * (act_scale * weight_scale[n]) (+ bias), acc the exact int32 sum of
//    products (int8) or the fp32 sum of products of E4M3 values (fp8).
//  - E4M3 is the OCP "fn" variant (bias 7, no infinities, NaN = S.1111.111, max 448, smallest
//    subnormal 2^-9); encoding rounds to nearest even and saturates to +-448 (CUDA's
//    __NV_SATFINITE); NaN encodes to 0x7F.
//  - Calibrators summarise |x| of one tensor over the calibration set: minmax keeps the maximum;
//    percentile keeps a log-binned histogram (64 bins per octave: a bin is at most 1.6% of its values wide) and
//    returns the upper edge of the bin holding the p-th percentile (never above the maximum).
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace sb::engine::quant {

enum class Kind { kInt8, kFp8 };
inline const char* kind_name(Kind k) { return k == Kind::kInt8 ? "int8" : "fp8"; }
inline float qmax(Kind k) { return k == Kind::kInt8 ? 127.0f : 448.0f; }

// Scale for a symmetric range [-amax, amax]; 1 for an empty (all-zero) range.
inline float scale_for(Kind k, double amax) {
  if (!(amax > 0.0) || !std::isfinite(amax)) return 1.0f;
  return static_cast<float>(amax / qmax(k));
}

// ---------------------------------------------------------------- int8
inline std::int8_t quantize_int8(float x, float inv_scale) {
  const float p = x * inv_scale;   // fp32 product, as on the device
  if (std::isnan(p)) return 0;
  const float r = std::nearbyint(std::clamp(p, -127.0f, 127.0f));  // ties to even
  return static_cast<std::int8_t>(r);
}

// ---------------------------------------------------------------- fp8 E4M3 (fn)
inline float fp8_e4m3_decode(std::uint8_t code) {
  const int s = code >> 7, e = (code >> 3) & 0xF, m = code & 7;
  if (e == 0xF && m == 7) return std::nanf("");
  const float mag = e == 0 ? std::ldexp(static_cast<float>(m), -9)
                           : std::ldexp(1.0f + m / 8.0f, e - 7);
  return s ? -mag : mag;
}

inline std::uint8_t fp8_e4m3_encode(float x) {
  if (std::isnan(x)) return 0x7F;
  const std::uint8_t sign = std::signbit(x) ? 0x80 : 0x00;
  double a = std::fabs(static_cast<double>(x));
  if (a >= 448.0) return sign | 0x7E;  // saturate (infinities too)
  // Quantum of the binade of a (subnormal quantum 2^-9 below 2^-6); rounding a / quantum to the
  // nearest even integer is exact in double, and may carry into the next binade (still exact).
  int e2 = 0;
  std::frexp(a, &e2);                 // a = f * 2^e2, f in [0.5, 1)
  const int exp = e2 - 1;             // a in [2^exp, 2^(exp+1))
  const double quantum = exp < -6 ? std::ldexp(1.0, -9) : std::ldexp(1.0, exp - 3);
  a = std::nearbyint(a / quantum) * quantum;
  if (a >= 448.0) return sign | 0x7E;
  if (a == 0.0) return sign;
  if (a < std::ldexp(1.0, -6)) return sign | static_cast<std::uint8_t>(a / std::ldexp(1.0, -9));
  std::frexp(a, &e2);
  const int be = e2 - 1 + 7;
  const int m = static_cast<int>((a / std::ldexp(1.0, e2 - 1) - 1.0) * 8.0);
  return sign | static_cast<std::uint8_t>((be << 3) | m);
}

inline std::uint8_t quantize_fp8(float x, float inv_scale) { return fp8_e4m3_encode(x * inv_scale); }

// ---------------------------------------------------------------- weights
// Quantizes a Hugging Face Conv1D matrix hf[in][out] into q[out][in] (the engine's layout, one byte
// per element: int8 or E4M3 code) and scales[out].
inline void quantize_weight_hf(Kind k, const float* hf, int in, int out, std::uint8_t* q,
                               float* scales) {
  for (int o = 0; o < out; ++o) {
    double amax = 0.0;
    for (int i = 0; i < in; ++i)
      amax = std::max(amax, std::fabs(static_cast<double>(hf[static_cast<std::size_t>(i) * out + o])));
    const float s = scale_for(k, amax);
    scales[o] = s;
    for (int i = 0; i < in; ++i) {
      const double v = hf[static_cast<std::size_t>(i) * out + o] / static_cast<double>(s);
      std::uint8_t b;
      if (k == Kind::kInt8) {
        const double r = std::nearbyint(std::clamp(v, -127.0, 127.0));
        b = static_cast<std::uint8_t>(static_cast<std::int8_t>(r));
      } else {
        b = fp8_e4m3_encode(static_cast<float>(v));
      }
      q[static_cast<std::size_t>(o) * in + i] = b;
    }
  }
}

// Value a stored byte stands for (before the scale).
inline float dequant_code(Kind k, std::uint8_t b) {
  return k == Kind::kInt8 ? static_cast<float>(static_cast<std::int8_t>(b)) : fp8_e4m3_decode(b);
}

// ---------------------------------------------------------------- calibrators
class AbsStats {
 public:
  static constexpr int kSubBins = 64;            // per octave
  static constexpr int kMinExp = -40, kMaxExp = 40;
  static constexpr int kBins = (kMaxExp - kMinExp) * kSubBins;

  void add(float x) {
    const double a = std::fabs(static_cast<double>(x));
    if (std::isnan(a)) return;
    ++count_;
    max_ = std::max(max_, a);
    if (a == 0.0) {
      ++zeros_;
      return;
    }
    hist_[bin_of(a)] += 1;
  }
  void add(const float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) add(x[i]);
  }
  void merge(const AbsStats& o) {
    count_ += o.count_;
    zeros_ += o.zeros_;
    max_ = std::max(max_, o.max_);
    for (int i = 0; i < kBins; ++i) hist_[i] += o.hist_[i];
  }
  std::uint64_t count() const { return count_; }
  double max() const { return max_; }
  // Smallest histogram upper edge below which at least p percent of |x| lie (p in (0, 100]).
  double percentile(double p) const {
    if (count_ == 0) return 0.0;
    if (p >= 100.0) return max_;
    const double want = p / 100.0 * static_cast<double>(count_);
    double cum = static_cast<double>(zeros_);
    if (cum >= want) return 0.0;
    for (int i = 0; i < kBins; ++i) {
      cum += static_cast<double>(hist_[i]);
      if (cum >= want) return std::min(upper_edge(i), max_);
    }
    return max_;
  }
  static int bin_of(double a) {
    int e = 0;
    const double f = std::frexp(a, &e);  // [0.5, 1)
    if (e <= kMinExp) return 0;
    if (e > kMaxExp) return kBins - 1;
    const int sub = std::min(kSubBins - 1, static_cast<int>((f - 0.5) * 2.0 * kSubBins));
    return (e - 1 - kMinExp) * kSubBins + sub;
  }
  static double upper_edge(int bin) {
    const int e = bin / kSubBins + kMinExp, sub = bin % kSubBins;  // value in [2^e, 2^(e+1))
    return std::ldexp(1.0 + static_cast<double>(sub + 1) / kSubBins, e);
  }

 private:
  std::uint64_t count_ = 0, zeros_ = 0;
  double max_ = 0.0;
  std::vector<std::uint64_t> hist_ = std::vector<std::uint64_t>(kBins, 0);
};

// The range a calibrator picks for one tensor.
inline double calibrated_amax(const AbsStats& s, const std::string& calibrator, double percentile) {
  if (calibrator == "percentile") return s.percentile(percentile);
  return s.max();
}

}  // namespace sb::engine::quant
