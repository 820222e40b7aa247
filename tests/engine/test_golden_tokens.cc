// The pydoc fixture stores the text its prompts came from: scalebench's tokenizer must turn that
// text into exactly the token ids Hugging Face's tokenizer produced (an independent check that
// ties the tokenizer, the fixture and the engine inputs together).
#include <gtest/gtest.h>

#include "engine/golden_file.h"
#include "engine/golden_fixtures.h"
#include "tokenizer/tokenizer.h"

namespace sb::testing {
namespace {

TEST(GoldenTokens, PydocPromptsMatchOurTokenizer) {
  const auto golden = GoldenFile::load(golden_file_path(kPydocName));
  const auto tok = tokenizer::Tokenizer::load_default();
  const auto& cases = golden.header().at("cases");
  ASSERT_EQ(cases.size(), golden.cases().size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = golden.cases()[i];
    const auto texts = cases[i].at("prompt_texts").get<std::vector<std::string>>();
    const int offset = cases[i].at("prompt_token_offset").get<int>();
    ASSERT_EQ(static_cast<int>(texts.size()), c.batch);
    for (int b = 0; b < c.batch; ++b) {
      const auto ids = tok.encode(texts[b]);
      ASSERT_GE(static_cast<int>(ids.size()), offset + c.prompt_len) << c.name << " row " << b;
      for (int s = 0; s < c.prompt_len; ++s) {
        EXPECT_EQ(ids[offset + s], c.prompt_tokens->i32[static_cast<std::size_t>(b) * c.prompt_len + s])
            << c.name << " row " << b << " token " << s;
      }
    }
  }
}

}  // namespace
}  // namespace sb::testing
