// `scalebench model info|create` — inspect a model (folder, preset or shape) and write model
// folders.  Everything printed comes from the tensors (model/model.h), never from a formula.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/command.h"
#include "model/model.h"
#include "model/presets.h"
#include "util/error.h"
#include "util/hash.h"

namespace sb::cli {
namespace {
namespace fs = std::filesystem;
using model::DType;

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string human_bytes(std::uint64_t b) {
  if (b >= (1ull << 30)) return fmt::format("{:.2f} GiB", b / double(1ull << 30));
  if (b >= (1ull << 20)) return fmt::format("{:.2f} MiB", b / double(1ull << 20));
  if (b >= (1ull << 10)) return fmt::format("{:.2f} KiB", b / double(1ull << 10));
  return fmt::format("{} B", b);
}

std::string spec_help() {
  std::string presets;
  for (const auto& n : model::preset_names()) presets += (presets.empty() ? "" : ", ") + n;
  return "a model folder (config.json + model.safetensors), a preset (" + presets +
         ") or a shape such as shape:L=4,H=4,E=256,V=1000,P=512 (keys L H E required, V P I "
         "optional)";
}

void print_inventory(const model::ModelInventory& inv) {
  const auto& c = inv.config;
  std::cout << "model: " << inv.source;
  if (inv.synthetic) std::cout << fmt::format("  (synthetic, seed {})", inv.seed);
  std::cout << "\n\narchitecture (GPT-2)\n";
  const std::pair<std::string, std::string> rows[] = {
      {"n_layer", std::to_string(c.n_layer)},
      {"n_head", std::to_string(c.n_head)},
      {"head_dim", std::to_string(c.head_dim())},
      {"n_embd", std::to_string(c.n_embd)},
      {"n_inner", std::to_string(c.inner())},
      {"vocab_size", std::to_string(c.vocab_size)},
      {"n_positions", std::to_string(c.n_positions)},
      {"layer_norm_epsilon", fmt::format("{:g}", c.layer_norm_epsilon)},
      {"activation", c.activation_function},
      {"lm_head", "tied to wte"},
      {"storage dtype", model::dtype_name(c.dtype)}};
  for (const auto& [k, v] : rows) std::cout << fmt::format("  {:<20} {}\n", k, v);

  std::size_t name_w = 6;
  for (const auto& t : inv.tensors) name_w = std::max(name_w, t.name.size());
  std::cout << fmt::format("\ntensors ({})\n  {:<{}}  {:<5}  {:<14}  {:>15}\n", inv.tensors.size(),
                           "name", name_w, "dtype", "shape", "elements");
  for (const auto& t : inv.tensors) {
    std::string shape = "[";
    for (std::size_t i = 0; i < t.shape.size(); ++i)
      shape += (i ? ", " : "") + std::to_string(t.shape[i]);
    shape += "]";
    std::cout << fmt::format("  {:<{}}  {:<5}  {:<14}  {:>15}\n", t.name, name_w,
                             model::dtype_name(t.dtype), shape, grouped(t.elements));
  }
  for (const auto& s : inv.skipped) std::cout << "  skipped: " << s << "\n";

  std::cout << fmt::format("\nparameters     {}  (sum over the {} tensors above; tied head counted once)\n",
                           grouped(inv.param_count), inv.tensors.size());
  if (inv.synthetic)
    std::cout << "bytes on disk  0 (in memory; `model create` writes it)\n";
  else
    std::cout << fmt::format("bytes on disk  {} ({}) {}\n", grouped(inv.bytes_on_disk),
                             human_bytes(inv.bytes_on_disk), inv.weights_file.string());
  std::cout << "sha256         "
            << (inv.weights_sha256.empty() ? std::string("(not computed: --no-hash)") : inv.weights_sha256)
            << (inv.synthetic ? "  (of its canonical fp32 model.safetensors)" : "") << "\n";
}

struct InfoArgs {
  std::string spec;
  std::uint64_t seed = 0;
  bool json = false;
  bool no_hash = false;
};

struct CreateArgs {
  std::string spec;
  std::uint64_t seed = 0;
  std::string dtype = "fp32";
  std::string out;
  bool force = false;
};

void run_info(const InfoArgs& a) {
  model::ModelInventory inv;
  if (model::is_synthetic_spec(a.spec)) {
    inv = model::load_model(a.spec, a.seed).inventory;
  } else {
    inv = model::inspect_model_folder(a.spec, !a.no_hash);
  }
  if (a.json) {
    auto j = model::inventory_to_json(inv);
    j["skipped"] = inv.skipped;
    j["metadata"] = inv.metadata;
    std::cout << j.dump(2) << "\n";
  } else {
    print_inventory(inv);
  }
}

void run_create(const CreateArgs& a) {
  const DType dtype = model::dtype_from_precision(a.dtype);
  const fs::path out(a.out);
  std::error_code ec;
  if (!a.force && fs::exists(out / "model.safetensors", ec))
    throw UsageError(fmt::format("{}: already holds model.safetensors (pass --force to overwrite)",
                                 out.string()));
  const model::LoadedModel m = model::load_model(a.spec, a.seed);
  model::write_model_folder(m.weights, dtype, out);
  const auto written = model::inspect_model_folder(out, true);
  if (written.param_count != m.inventory.param_count)
    fail("{}: wrote {} parameters but the model has {}", out.string(), written.param_count,
         m.inventory.param_count);
  std::cout << fmt::format("wrote {}: {} parameters in {} tensors, {} model.safetensors ({}), "
                           "sha256 {}\n",
                           out.string(), grouped(written.param_count), written.tensors.size(),
                           model::dtype_precision(dtype), human_bytes(written.bytes_on_disk),
                           written.weights_sha256);
}

CommandRegistration reg{"model", [](CLI::App& app) {
  auto* model_cmd = app.add_subcommand("model", "Inspect GPT-2 models and write model folders");
  model_cmd->require_subcommand(1);

  auto info_args = std::make_shared<InfoArgs>();
  auto* info = model_cmd->add_subcommand(
      "info", "Architecture, per-tensor table, parameter count, bytes on disk and SHA-256 of a "
              "model, all read from its tensors");
  info->add_option("model", info_args->spec, spec_help())->required();
  info->add_option("--seed", info_args->seed, "Seed of synthetic weights (presets and shapes)")
      ->capture_default_str();
  info->add_flag("--json", info_args->json, "Print the inventory as JSON (manifest format)");
  info->add_flag("--no-hash", info_args->no_hash,
                 "Skip hashing a folder's model.safetensors (large files)");
  info->callback([info_args] { run_info(*info_args); });

  auto create_args = std::make_shared<CreateArgs>();
  auto* create = model_cmd->add_subcommand(
      "create", "Write a Hugging Face-compatible folder (config.json + model.safetensors) with "
                "seeded synthetic weights, or convert a folder to another dtype");
  create->add_option("model", create_args->spec, spec_help())->required();
  create->add_option("--seed", create_args->seed, "Seed of the synthetic weights")
      ->capture_default_str();
  create->add_option("--dtype", create_args->dtype, "Storage dtype of the written tensors")
      ->check(CLI::IsMember({"fp32", "fp16", "bf16"}))
      ->capture_default_str();
  create->add_option("-o,--out", create_args->out, "Output folder")->required();
  create->add_flag("--force", create_args->force, "Overwrite an existing model.safetensors");
  create->callback([create_args] { run_create(*create_args); });
}};

}  // namespace
}  // namespace sb::cli
