// accuracy/rounding — weights rounded to a lower precision, for emulated-precision engines.
// Contract: round_weights(w, precision) returns a copy of `w` whose values are what a backend
// storing the weights in `precision` would hold, expressed back in fp32:
//   fp32: unchanged.
//   fp16, bf16: every tensor rounded to nearest-even (model/dtype.h), biases and LayerNorm too.
//   int8: symmetric per-output-channel weight-only quantization of every matrix (Conv1D
//         [in, out]: one scale per column; wte and wpe [rows, E]: one scale per row, the output
//         channel of the tied LM head), scale = max|w| / 127, q = round-half-even(w / scale)
//         clamped to [-127, 127]; biases and LayerNorm stay fp32 (as weight-only schemes keep them).
//   fp8:  e4m3 (max 448, 3 mantissa bits, subnormals down to 2^-9) with the same per-channel
//         scales (max|w| / 448); biases and LayerNorm stay fp32.
// Only weight storage is emulated: activations and accumulation stay fp32 in the engine that
// runs them.  That is a lower bound on a real low-precision backend's error, which is what the
// KL gate calibration in docs/accuracy.md needs (a real backend may add activation error).
#pragma once
#include <string>

#include "model/weights.h"

namespace sb::accuracy {

// Throws sb::Error for an unknown precision.
model::GptWeights round_weights(const model::GptWeights& w, const std::string& precision);

// e4m3 rounding of one value (nearest-even, saturating at +-448); exposed for tests.
float round_to_e4m3(float x);

}  // namespace sb::accuracy
