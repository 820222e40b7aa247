#include "model/presets.h"

#include <charconv>
#include <map>

#include "util/error.h"

namespace sb::model {
namespace {

GptConfig make(int layers, int heads, int width) {
  GptConfig c;
  c.n_layer = layers;
  c.n_head = heads;
  c.n_embd = width;
  c.n_positions = 1024;
  c.vocab_size = 50257;
  return c;
}

}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"tiny-gpt2", "gpt2", "gpt2-medium", "gpt2-large",
                                                 "gpt2-xl"};
  return names;
}

std::optional<GptConfig> preset_config(std::string_view name) {
  if (name == "tiny-gpt2") return make(2, 2, 2);
  if (name == "gpt2") return make(12, 12, 768);
  if (name == "gpt2-medium") return make(24, 16, 1024);
  if (name == "gpt2-large") return make(36, 20, 1280);
  if (name == "gpt2-xl") return make(48, 25, 1600);
  return std::nullopt;
}

bool is_shape_spec(std::string_view spec) { return spec.substr(0, 6) == "shape:"; }

GptConfig parse_shape_spec(std::string_view spec) {
  const std::string where = fmt::format("model spec \"{}\"", spec);
  if (!is_shape_spec(spec)) fail("{}: does not start with \"shape:\"", where);
  std::string_view rest = spec.substr(6);
  std::map<char, long long> values;
  if (rest.empty()) fail("{}: no sizes given (expected e.g. shape:L=4,H=4,E=256)", where);
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    const auto eq = item.find('=');
    if (eq != 1 || item.size() < 3)
      fail("{}: item \"{}\" is not KEY=VALUE with KEY one of L, H, E, V, P, I", where, item);
    const char key = item[0];
    if (std::string_view("LHEVPI").find(key) == std::string_view::npos)
      fail("{}: unknown key \"{}\" (expected L, H, E, V, P or I)", where, key);
    const std::string_view num = item.substr(2);
    long long v = 0;
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec != std::errc() || ptr != num.data() + num.size() || num[0] == '-' || num[0] == '+')
      fail("{}: key {}: \"{}\" is not a non-negative decimal integer", where, key, num);
    if (v <= 0 || v > (1 << 24)) fail("{}: key {}: {} is out of range (1 .. 2^24)", where, key, v);
    if (!values.emplace(key, v).second) fail("{}: key {} given twice", where, key);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  for (char k : {'L', 'H', 'E'})
    if (!values.count(k)) fail("{}: key {} is required (L layers, H heads, E width)", where, k);
  GptConfig c;
  c.n_layer = static_cast<int>(values['L']);
  c.n_head = static_cast<int>(values['H']);
  c.n_embd = static_cast<int>(values['E']);
  c.vocab_size = values.count('V') ? static_cast<int>(values['V']) : 50257;
  c.n_positions = values.count('P') ? static_cast<int>(values['P']) : 1024;
  c.n_inner = values.count('I') ? static_cast<int>(values['I']) : 0;
  if (c.n_embd % c.n_head != 0)
    fail("{}: key H: {} heads do not divide the width E={}", where, c.n_head, c.n_embd);
  c.validate(where);
  return c;
}

}  // namespace sb::model
