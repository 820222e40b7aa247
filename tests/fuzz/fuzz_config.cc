// libFuzzer target: config.json parsing (and the shape: spec grammar) on arbitrary bytes.
// Property: either sb::Error, or a config that validates and survives a write/parse round trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/config.h"
#include "model/presets.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto c = sb::model::parse_config_json(text, "fuzz/config.json");
    const auto back = sb::model::parse_config_json(sb::model::config_to_json(c), "round trip");
    if (back.n_layer != c.n_layer || back.n_head != c.n_head || back.n_embd != c.n_embd ||
        back.n_positions != c.n_positions || back.vocab_size != c.vocab_size ||
        back.inner() != c.inner() || back.dtype != c.dtype)
      __builtin_trap();
  } catch (const sb::Error&) {
  }
  try {
    sb::model::parse_shape_spec(std::string("shape:") + std::string(text));
  } catch (const sb::Error&) {
  }
  return 0;
}
