// Compiled with -ffp-contract=off (see CMakeLists.txt): a fused multiply-add rounds once where
// the contract above rounds twice, which would change results on FMA-capable targets.
#include "model/synthetic.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <thread>
#include <vector>

#include "model/layout.h"
#include "util/error.h"

namespace sb::model {
namespace {

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;

constexpr std::uint64_t mix64(std::uint64_t z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z;
}

constexpr std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::uint64_t tensor_key(std::uint64_t seed, std::string_view name) {
  return mix64(seed ^ mix64(fnv1a64(strip_transformer_prefix(name))));
}

// ln(m * 2^e) for m in (sqrt(1/2), sqrt(2)]: ln m = 2 atanh(s), s = (m - 1) / (m + 1),
// |s| <= 0.1716, so the series to s^23 is below 1e-19.  ln 2 is split so that e * kLn2Hi is
// exact (kLn2Hi has 32 significant bits, |e| <= 1074).
inline double log_reduced(double m, double e) {
  const double s = (m - 1.0) / (m + 1.0);
  const double z = s * s;
  double p = 1.0 / 23;
  p = p * z + 1.0 / 21;
  p = p * z + 1.0 / 19;
  p = p * z + 1.0 / 17;
  p = p * z + 1.0 / 15;
  p = p * z + 1.0 / 13;
  p = p * z + 1.0 / 11;
  p = p * z + 1.0 / 9;
  p = p * z + 1.0 / 7;
  p = p * z + 1.0 / 5;
  p = p * z + 1.0 / 3;
  p = p * z + 1.0;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return e * kLn2Hi + (e * kLn2Lo + 2.0 * s * p);
}

// sin and cos of 2 pi u, u in [0, 1): 2 pi u = n pi/2 + y with n = round(4u) (round half up;
// 4u, 4u + 0.5 and 4u - n are exact for u = k 2^-53), |y| <= pi/4, Taylor series whose first
// omitted terms are below 2e-19.  Branch-free so that the block loop below vectorizes.
inline void sincos_2pi(double u, double* s_out, double* c_out) {
  const double t = u * 4.0;
  const int n = static_cast<int>(t + 0.5);            // t + 0.5 >= 0.5: truncation == floor
  const double y = (t - static_cast<double>(n)) * 1.5707963267948966;
  const double y2 = y * y;
  double sp = -1.0 / 355687428096000.0;               // -1/17!
  sp = sp * y2 + 1.0 / 1307674368000.0;               //  1/15!
  sp = sp * y2 - 1.0 / 6227020800.0;                  // -1/13!
  sp = sp * y2 + 1.0 / 39916800.0;                    //  1/11!
  sp = sp * y2 - 1.0 / 362880.0;                      // -1/9!
  sp = sp * y2 + 1.0 / 5040.0;                        //  1/7!
  sp = sp * y2 - 1.0 / 120.0;                         // -1/5!
  sp = sp * y2 + 1.0 / 6.0;                           //  1/3!
  const double sin_y = y - y * y2 * sp;               // sp = 1/3! - y^2/5! + ...
  double cp = 1.0 / 6402373705728000.0;               //  1/18!
  cp = cp * y2 - 1.0 / 20922789888000.0;              // -1/16!
  cp = cp * y2 + 1.0 / 87178291200.0;                 //  1/14!
  cp = cp * y2 - 1.0 / 479001600.0;                   // -1/12!
  cp = cp * y2 + 1.0 / 3628800.0;                     //  1/10!
  cp = cp * y2 - 1.0 / 40320.0;                       // -1/8!
  cp = cp * y2 + 1.0 / 720.0;                         //  1/6!
  cp = cp * y2 - 1.0 / 24.0;                          // -1/4!
  cp = cp * y2 + 1.0 / 2.0;                           //  1/2!
  const double cos_y = 1.0 - y2 * cp;                 // cp = 1/2! - y^2/4! + ...
  // Quadrant q: (sin, cos) = (sin y, cos y), (cos y, -sin y), (-sin y, -cos y), (-cos y, sin y).
  const int q = n & 3;
  const bool swap = (q & 1) != 0;
  const double s_mag = swap ? cos_y : sin_y;
  const double c_mag = swap ? sin_y : cos_y;
  *s_out = (q >= 2) ? -s_mag : s_mag;
  *c_out = (q == 1 || q == 2) ? -c_mag : c_mag;
}

// Uniform u1 = k 2^-53 (k in [1, 2^53]) as m * 2^e with m in (sqrt(1/2), sqrt(2)]: exact.
inline void split_u1(std::uint64_t k, double* m, double* e) {
  const int p = 63 - __builtin_clzll(k);               // k in [2^p, 2^(p+1))
  double md = static_cast<double>(k) * std::bit_cast<double>(static_cast<std::uint64_t>(1023 - p) << 52);
  int ee = p - 53;
  if (md > 1.4142135623730951) {
    md *= 0.5;
    ++ee;
  }
  *m = md;
  *e = static_cast<double>(ee);
}

// Standard normal pairs j0 .. j0 + count - 1 of the stream `key` (Box–Muller), in two stages:
// integer hashing (scalar), then branch-free double arithmetic over arrays (vectorizable).
constexpr int kPairBlock = 256;
void normal_pairs(std::uint64_t key, std::uint64_t j0, int count, double* z0, double* z1) {
  alignas(64) double m[kPairBlock], e[kPairBlock], u2[kPairBlock];
  for (int i = 0; i < count; ++i) {
    const std::uint64_t j = j0 + static_cast<std::uint64_t>(i);
    const std::uint64_t a = mix64(key + (2 * j + 1) * kGolden);
    const std::uint64_t b = mix64(key + (2 * j + 2) * kGolden);
    split_u1((a >> 11) + 1, &m[i], &e[i]);
    u2[i] = static_cast<double>(b >> 11) * 0x1p-53;
  }
  for (int i = 0; i < count; ++i) {
    const double r = __builtin_sqrt(-2.0 * log_reduced(m[i], e[i]));   // IEEE sqrt: exact-rounded
    double s, c;
    sincos_2pi(u2[i], &s, &c);
    z0[i] = r * c;
    z1[i] = r * s;
  }
}

}  // namespace

double det_log(double x) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);   // x normal, in (0, 1]
  int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  return log_reduced(m, static_cast<double>(e));
}

void det_sincos_2pi(double u, double* s, double* c) { sincos_2pi(u, s, c); }

void synthetic_normal(std::uint64_t seed, std::string_view name, std::uint64_t first,
                      double stddev, std::span<float> out) {
  const std::uint64_t key = tensor_key(seed, name);
  const std::uint64_t last = first + out.size();          // one past the last element
  double z0[kPairBlock], z1[kPairBlock];
  for (std::uint64_t j = first >> 1; 2 * j < last; j += kPairBlock) {
    const std::uint64_t pairs_left = ((last + 1) >> 1) - j;
    const int count = static_cast<int>(std::min<std::uint64_t>(kPairBlock, pairs_left));
    normal_pairs(key, j, count, z0, z1);
    for (int i = 0; i < count; ++i) {
      const std::uint64_t e0 = 2 * (j + static_cast<std::uint64_t>(i));
      if (e0 >= first && e0 < last) out[e0 - first] = static_cast<float>(stddev * z0[i]);
      if (e0 + 1 >= first && e0 + 1 < last) out[e0 + 1 - first] = static_cast<float>(stddev * z1[i]);
    }
  }
}

GptWeights synthesize_weights(const GptConfig& c, std::uint64_t seed, int threads) {
  c.validate("synthetic model");
  GptWeights w;
  w.config = c;
  w.config.dtype = DType::F32;
  const auto layout = gpt2_tensor_layout(c);
  w.layers.assign(static_cast<std::size_t>(c.n_layer), LayerWeights{});

  struct Chunk {
    const TensorSpec* spec;
    std::uint64_t first, count;
  };
  constexpr std::uint64_t kChunk = 1 << 20;   // even, so chunks never split a Box–Muller pair
  std::vector<Chunk> chunks;
  for (const auto& t : layout) {
    auto& v = t.in(w);
    const auto n = static_cast<std::uint64_t>(t.elements());
    switch (t.init) {
      case TensorInit::Zeros: v.assign(n, 0.0f); break;
      case TensorInit::Ones: v.assign(n, 1.0f); break;
      case TensorInit::Normal:
        // Uninitialized-then-filled would be faster, but resize() is clear and the fill
        // dominates anyway; touching pages here is spread over threads by the kernel.
        v.resize(n);
        for (std::uint64_t f = 0; f < n; f += kChunk) chunks.push_back({&t, f, std::min(kChunk, n - f)});
        break;
    }
  }

  unsigned nthreads = threads > 0 ? static_cast<unsigned>(threads) : std::thread::hardware_concurrency();
  nthreads = std::max(1u, std::min<unsigned>(nthreads, static_cast<unsigned>(chunks.size())));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < chunks.size(); i = next++) {
      const auto& ch = chunks[i];
      auto& v = ch.spec->in(w);
      synthetic_normal(seed, ch.spec->name, ch.first, 0.02,
                       std::span<float>(v.data() + ch.first, ch.count));
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < nthreads; ++t) pool.emplace_back(worker);
  worker();
  pool.clear();   // joins
  return w;
}

}  // namespace sb::model
