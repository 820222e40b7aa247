// The trained pydoc-gpt2-8m checkpoint, as Hugging Face wrote it (prefix, metadata, "dtype").
#include <cstdlib>

#include <gtest/gtest.h>

#include "model/model.h"
#include "util/hash.h"

namespace sb::model {
namespace {

std::filesystem::path pydoc_dir() {
  if (const char* env = std::getenv("SCALEBENCH_PYDOC_MODEL")) return env;
  return std::filesystem::path(SB_SOURCE_DIR) / ".." / "shared" / "models" / "pydoc-gpt2-8m";
}

TEST(PydocModel, LoadsWithDocumentedCountAndHash) {
  const auto dir = pydoc_dir();
  if (!std::filesystem::exists(dir / "model.safetensors"))
    GTEST_SKIP() << "pydoc-gpt2-8m not found at " << dir
                 << " (set SCALEBENCH_PYDOC_MODEL to its folder)";
  const LoadedModel m = load_model(dir.string());
  const auto& inv = m.inventory;
  EXPECT_EQ(inv.param_count, 7'688'320);
  EXPECT_EQ(inv.weights_sha256, "7851feff2a68b979ea1eb1e8a8b8edafe4292da42fea7dafba6366d7e0d8e5aa");
  EXPECT_EQ(inv.bytes_on_disk, std::filesystem::file_size(dir / "model.safetensors"));
  EXPECT_EQ(inv.metadata.at("format"), "pt");
  EXPECT_EQ(inv.tensors.size(), 4u + 12u * 6u);
  EXPECT_EQ(inv.tensors.front().name, "transformer.wte.weight");
  const auto& c = m.weights.config;
  EXPECT_EQ(c.n_layer, 6);
  EXPECT_EQ(c.n_head, 2);
  EXPECT_EQ(c.n_embd, 128);
  EXPECT_EQ(c.n_positions, 512);
  EXPECT_EQ(c.vocab_size, 50257);
  EXPECT_EQ(c.dtype, DType::F32);
  EXPECT_EQ(m.weights.wte.size(), 50257u * 128u);
  // Trained LayerNorm gains are no longer all 1: the values really came from the file.
  bool moved = false;
  for (float v : m.weights.ln_f_weight) moved = moved || v != 1.0f;
  EXPECT_TRUE(moved);
  // The fast path agrees with the full load.
  const ModelInventory fast = inspect_model_folder(dir);
  EXPECT_EQ(fast.param_count, inv.param_count);
  EXPECT_EQ(fast.weights_sha256, inv.weights_sha256);
}

}  // namespace
}  // namespace sb::model
