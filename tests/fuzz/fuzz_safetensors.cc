// libFuzzer target: the safetensors header + layout validator on arbitrary bytes (a whole file).
// Property: parse_safetensors either throws sb::Error or returns tensors that tile the data
// buffer exactly; converting every weight-dtype tensor then stays inside the input (ASan).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/dtype.h"
#include "model/safetensors.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto h = sb::model::parse_safetensors(data, size, "fuzz.safetensors");
    std::uint64_t covered = 0;
    for (const auto& e : h.tensors) {
      covered += e.end - e.begin;
      if (e.dtype && e.elements > 0 && e.elements < (1 << 20)) {
        std::vector<float> out(static_cast<std::size_t>(e.elements));
        sb::model::convert_to_f32(data + h.data_offset + e.begin, *e.dtype, out.size(), out.data());
      }
    }
    if (covered != h.data_bytes || h.data_offset + h.data_bytes != size) __builtin_trap();
  } catch (const sb::Error&) {
  }
  return 0;
}
