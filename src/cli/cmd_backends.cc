// `scalebench backends`: every backend, its precisions and devices, and whether it can run here.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends/registry.h"
#include "cli/command.h"

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

sb::cli::CommandRegistration reg{"backends", [](CLI::App& app) {
  auto json_out = std::make_shared<bool>(false);
  auto* c = app.add_subcommand("backends", "List backends, their precisions and devices, and availability here");
  c->add_flag("--json", *json_out, "Print JSON instead of a table");
  c->callback([json_out] {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& d : sb::backends::registry()) {
      std::string why;
      bool ok = d.available(&why);
      all.push_back({{"name", d.name}, {"aliases", d.aliases}, {"summary", d.summary},
                     {"precisions", d.precisions}, {"devices", d.device_kinds}, {"options", d.option_keys},
                     {"external", d.external}, {"test_only", d.test_only}, {"available", ok},
                     {"reason", why}});
    }
    if (*json_out) {
      std::cout << all.dump(2) << "\n";
      return;
    }
    std::cout << fmt::format("{:<22} {:<26} {:<9} {:<10} {}\n", "backend", "precisions", "devices", "available",
                             "notes");
    for (const auto& b : all) {
      std::string name = b["name"];
      // Available: the summary plus what the probe found (e.g. which ONNX Runtime core and
      // provider); unavailable: why not.
      const std::string reason = b["reason"].get<std::string>();
      std::string note = b["available"].get<bool>()
                             ? b["summary"].get<std::string>() + (reason.empty() ? "" : ": " + reason)
                             : reason;
      if (!b["aliases"].empty()) note = "(alias " + join(b["aliases"].get<std::vector<std::string>>()) + ") " + note;
      std::cout << fmt::format("{:<22} {:<26} {:<9} {:<10} {}\n", name,
                               join(b["precisions"].get<std::vector<std::string>>()),
                               join(b["devices"].get<std::vector<std::string>>()),
                               b["available"].get<bool>() ? "yes" : "no", note);
    }
  });
}};
}  // namespace
