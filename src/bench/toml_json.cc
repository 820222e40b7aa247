#include "bench/toml_json.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace sb::bench {

nlohmann::json toml_to_json(const toml::node& n, const std::function<void(const toml::node&)>& reject) {
  if (const auto* t = n.as_table()) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& [k, v] : *t) o[std::string(k.str())] = toml_to_json(v, reject);
    return o;
  }
  if (const auto* a = n.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *a) out.push_back(toml_to_json(e, reject));
    return out;
  }
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) return static_cast<std::int64_t>(i->get());
  if (const auto* f = n.as_floating_point()) return f->get();
  if (const auto* b = n.as_boolean()) return b->get();
  reject(n);
  // reject must throw; a caller that forgot gets a clear internal error rather than a null.
  throw std::logic_error("toml_to_json: reject() returned for a date/time node");
}

}  // namespace sb::bench
