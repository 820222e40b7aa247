// Writing and reading model folders: dtype round trips, HF name variants, inventory, presets.
#include <gtest/gtest.h>

#include "model/dtype.h"
#include "model/layout.h"
#include "model/model.h"
#include "model/presets.h"
#include "model/synthetic.h"
#include "model_test_util.h"
#include "util/hash.h"

namespace sb::model {
namespace {
using testing::ScratchDir;

const char* kSmall = "shape:L=2,H=3,E=48,V=300,P=40";   // odd head count, head dim 16

TEST(RoundTrip, EachDtype) {
  const LoadedModel src = load_model(kSmall, 5);
  for (DType d : {DType::F32, DType::F16, DType::BF16}) {
    ScratchDir dir;
    write_model_folder(src.weights, d, dir.path());
    const LoadedModel back = load_model(dir.path().string());
    EXPECT_EQ(back.weights.config.dtype, d);
    EXPECT_EQ(back.inventory.param_count, src.inventory.param_count);
    EXPECT_FALSE(back.inventory.synthetic);
    EXPECT_EQ(back.inventory.metadata.at("format"), "pt");
    EXPECT_EQ(back.inventory.weights_sha256, sha256_file(dir / "model.safetensors"));
    EXPECT_EQ(back.inventory.bytes_on_disk, std::filesystem::file_size(dir / "model.safetensors"));
    for (const auto& t : gpt2_tensor_layout(src.weights.config)) {
      const auto& a = t.in(src.weights);
      const auto& b = t.in(back.weights);
      ASSERT_EQ(a.size(), b.size()) << t.name;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const float want = d == DType::F32   ? a[i]
                           : d == DType::F16 ? fp16_to_float(float_to_fp16(a[i]))
                                             : bf16_to_float(float_to_bf16(a[i]));
        ASSERT_EQ(b[i], want) << dtype_name(d) << " " << t.name << "[" << i << "]";
      }
    }
    for (const auto& ti : back.inventory.tensors) EXPECT_EQ(ti.dtype, d) << ti.name;
  }
}

TEST(RoundTrip, SyntheticShaIsTheShaOfItsFp32File) {
  const LoadedModel m = load_model(kSmall, 11);
  ScratchDir dir;
  write_model_folder(m.weights, DType::F32, dir.path());
  EXPECT_EQ(m.inventory.weights_sha256, sha256_file(dir / "model.safetensors"));
  EXPECT_EQ(m.inventory.bytes_on_disk, 0u);
  EXPECT_TRUE(m.inventory.synthetic);
}

TEST(RoundTrip, HeaderIsAlignedSortedAndHfShaped) {
  const LoadedModel m = load_model(kSmall, 1);
  ScratchDir dir;
  write_model_folder(m.weights, DType::BF16, dir.path());
  const std::string bytes = read_file(dir / "model.safetensors");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u) << "header padded to 8 bytes";
  const auto [header, data] = testing::split_safetensors(dir / "model.safetensors");
  EXPECT_EQ(header["__metadata__"]["format"], "pt");
  EXPECT_EQ(header["wte.weight"]["dtype"], "BF16");
  EXPECT_EQ(header["wte.weight"]["shape"], nlohmann::json({300, 48}));
  EXPECT_EQ(header["h.0.attn.c_attn.bias"]["data_offsets"][0], 0);   // sorted by name
  EXPECT_EQ(header["h.0.attn.c_attn.weight"]["data_offsets"][0], 144 * 2);
  EXPECT_FALSE(header.contains("lm_head.weight"));
}

TEST(RoundTrip, TransformerPrefixMaskBuffersAndTiedHeadAreAccepted) {
  const LoadedModel m = load_model(kSmall, 3);
  ScratchDir dir;
  write_model_folder(m.weights, DType::F32, dir.path());
  // Re-write the file as some exporters do: "transformer." names, mask buffers, lm_head.
  std::vector<TensorToWrite> ts;
  std::vector<float> mask(40 * 40, 1.0f), masked_bias(1, -1e4f);
  for (const auto& t : gpt2_tensor_layout(m.weights.config))
    ts.push_back({"transformer." + t.name, t.shape, t.in(m.weights).data()});
  ts.push_back({"transformer.h.0.attn.bias", {1, 1, 40, 40}, mask.data()});
  ts.push_back({"transformer.h.1.attn.masked_bias", {}, masked_bias.data()});
  ts.push_back({"lm_head.weight", {300, 48}, m.weights.wte.data()});
  WriteOptions o;
  write_safetensors(dir / "model.safetensors", ts, o);
  const LoadedModel back = load_model(dir.path().string());
  EXPECT_EQ(back.inventory.param_count, m.inventory.param_count) << "tied head counted once";
  EXPECT_EQ(back.weights.wte, m.weights.wte);
  EXPECT_EQ(back.weights.layers[1].mlp_c_proj_weight, m.weights.layers[1].mlp_c_proj_weight);
  EXPECT_EQ(back.inventory.skipped.size(), 3u);
  EXPECT_EQ(back.inventory.tensors.front().name.rfind("transformer.", 0), 0u);
}

// REFERENCE.md's parameter counts, taken from the tensors of a file written and read back.
// tiny-gpt2 is written with real synthetic weights and fully loaded.  For every preset the
// folder is also written as a skeleton: config.json plus a model.safetensors whose header is
// the real one and whose data buffer is a sparse run of zeros (no gigabytes on disk); the count
// then comes from inspect_model_folder, which validates that header (offsets tile the file,
// shapes match config.json) and sums the elements of the tensors it lists.
TEST(Presets, ParamCountsFromWrittenFilesMatchReference) {
  const std::pair<const char*, std::int64_t> expected[] = {
      {"tiny-gpt2", 102'714},
      {"gpt2", 124'439'808},
      {"gpt2-medium", 354'823'168},
      {"gpt2-large", 774'030'080},
      {"gpt2-xl", 1'557'611'200}};
  for (const auto& [name, params] : expected) {
    ScratchDir dir;
    write_model_skeleton(*preset_config(name), DType::F32, dir.path());
    const ModelInventory inv = inspect_model_folder(dir.path(), /*compute_sha256=*/false);
    EXPECT_EQ(inv.param_count, params) << name;
    std::int64_t sum = 0;
    for (const auto& t : inv.tensors) sum += t.elements;
    EXPECT_EQ(sum, params) << name;
    EXPECT_EQ(inv.tensors.size(), 4 + 12 * static_cast<std::size_t>(inv.config.n_layer));
    EXPECT_GT(inv.bytes_on_disk, static_cast<std::uint64_t>(params) * 4) << "header + data";
    EXPECT_LT(inv.bytes_on_disk, static_cast<std::uint64_t>(params) * 4 + 100'000);
  }
  ScratchDir dir;
  const LoadedModel tiny = load_model("tiny-gpt2", 0);
  EXPECT_EQ(tiny.inventory.param_count, 102'714);
  write_model_folder(tiny.weights, DType::F16, dir.path());
  const LoadedModel back = load_model(dir.path().string());
  EXPECT_EQ(back.inventory.param_count, 102'714);
  EXPECT_EQ(back.weights.config.n_embd, 2);
  EXPECT_EQ(back.weights.config.head_dim(), 1);
}

TEST(Presets, SpecsAndConfigs) {
  EXPECT_TRUE(is_synthetic_spec("gpt2"));
  EXPECT_TRUE(is_synthetic_spec("shape:L=1,H=1,E=8"));
  EXPECT_FALSE(is_synthetic_spec("./gpt2"));
  EXPECT_FALSE(is_synthetic_spec("/some/folder"));
  EXPECT_EQ(config_for_spec("gpt2-xl").n_head, 25);
  EXPECT_EQ(config_for_spec("gpt2-large").n_embd, 1280);
  EXPECT_EQ(config_for_spec("shape:L=3,H=2,E=8,V=10,P=9").n_positions, 9);
  ScratchDir dir;
  write_model_skeleton(config_for_spec(kSmall), DType::F16, dir.path());
  EXPECT_EQ(config_for_spec(dir.path().string()).n_embd, 48);
}

TEST(Inventory, JsonHasManifestFields) {
  const LoadedModel m = load_model("tiny-gpt2", 7);
  const auto j = inventory_to_json(m.inventory);
  EXPECT_EQ(j["params"], 102714);
  EXPECT_EQ(j["n_layer"], 2);
  EXPECT_EQ(j["synthetic"], true);
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["tensors"].size(), 28u);
  EXPECT_EQ(j["tensors"][0]["name"], "wte.weight");
  EXPECT_EQ(j["tensors"][0]["shape"], nlohmann::json({50257, 2}));
}

}  // namespace
}  // namespace sb::model
