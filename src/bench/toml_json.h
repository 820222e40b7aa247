// toml_json.h — one TOML-to-JSON conversion for every TOML file scalebench reads (study files,
// claims files).  Tables become objects (keys in file order), arrays arrays, and strings,
// integers, floats and booleans their JSON values.  TOML dates and times have no JSON
// equivalent: the caller's `reject` is called with the offending node and must throw (so the
// error names the caller's file, line and field).
#pragma once

#include <functional>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

namespace sb::bench {

nlohmann::json toml_to_json(const toml::node& node, const std::function<void(const toml::node&)>& reject);

}  // namespace sb::bench
