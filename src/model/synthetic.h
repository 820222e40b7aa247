// model/synthetic — seeded random GPT-2 weights, bit-identical on every platform.
// Contract (the values are a function of (seed, tensor name, element index) only — not of the
// thread count, the standard library, the compiler or the CPU):
//  - Distribution (Hugging Face's GPT-2 init, simplified): every matrix and embedding (wte, wpe,
//    c_attn/c_proj/c_fc weights) ~ normal(0, 0.02); every bias 0; LayerNorm weight 1, bias 0.
//    (HF additionally scales c_proj weights by 1/sqrt(2 n_layer); scalebench does not.)
//  - PRNG: SplitMix64.  Per tensor, key = mix64(seed ^ mix64(fnv1a64(name))) where name is the HF
//    name without "transformer." and fnv1a64 is 64-bit FNV-1a over its bytes.  The tensor's
//    stream is SplitMix64 started at state `key`: output c (c = 0, 1, ...) is
//    mix64(key + (c + 1) * 0x9E3779B97F4A7C15), mix64 being SplitMix64's finalizer
//    (z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31).
//  - Normals: Box–Muller in double.  Element pair j (elements 2j, 2j+1) takes outputs 2j and
//    2j+1: u1 = ((out_2j >> 11) + 1) * 2^-53 in (0, 1], u2 = (out_2j+1 >> 11) * 2^-53 in [0, 1);
//    r = sqrt(-2 ln u1); element 2j = float(0.02 * r cos(2 pi u2)), element 2j+1 =
//    float(0.02 * r sin(2 pi u2)) (an odd last element uses the cosine only).
//    ln, cos and sin are implemented here from +, -, *, / only (series after exact argument
//    reduction; compiled with -ffp-contract=off) because libm's results may differ in the last
//    bit between platforms, and one bit in double can flip the rounding to float.
//  - Work is split across threads in chunks; the counter-based stream makes the split invisible.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "model/weights.h"

namespace sb::model {

// Fills every tensor of a GptWeights whose config is set (allocating it).  threads = 0: all cores.
GptWeights synthesize_weights(const GptConfig& c, std::uint64_t seed, int threads = 0);

// Fills out[i] with the normal(0, std) values of elements first .. first + out.size() - 1 of the
// stream of (seed, name) — the building block above, exposed for tests.
void synthetic_normal(std::uint64_t seed, std::string_view name, std::uint64_t first,
                      double stddev, std::span<float> out);

// The deterministic elementary functions used above (exposed for tests).
double det_log(double x);                              // x in (0, 1]
void det_sincos_2pi(double u, double* s, double* c);   // sin and cos of 2 pi u, u in [0, 1)

}  // namespace sb::model
