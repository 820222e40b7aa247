// model/presets — named GPT-2 shapes and the "shape:" spec grammar.
// Contract:
//  - Presets carry the published Hugging Face configs (REFERENCE.md): tiny-gpt2
//    (sshleifer/tiny-gpt2: L 2, H 2, E 2, V 50257, P 1024), gpt2 (12/12/768), gpt2-medium
//    (24/16/1024), gpt2-large (36/20/1280), gpt2-xl (48/25/1600); all V 50257, P 1024, n_inner
//    4E, tied head, gelu_new, epsilon 1e-5.
//  - Shape spec grammar (no spaces, keys case-sensitive, each key at most once):
//        spec  := "shape:" item ("," item)*
//        item  := key "=" uint          uint := [0-9]+ (positive, at most 2^24)
//        key   := "L" (n_layer) | "H" (n_head) | "E" (n_embd) | "V" (vocab_size, default 50257)
//               | "P" (n_positions, default 1024) | "I" (n_inner, default 4E)
//    L, H and E are required; H must divide E.  Example: "shape:L=4,H=4,E=256,V=1000,P=512".
//    Violations throw sb::Error quoting the spec and naming the key.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"

namespace sb::model {

const std::vector<std::string>& preset_names();          // in size order
std::optional<GptConfig> preset_config(std::string_view name);
bool is_shape_spec(std::string_view spec);                // starts with "shape:"
GptConfig parse_shape_spec(std::string_view spec);

}  // namespace sb::model
