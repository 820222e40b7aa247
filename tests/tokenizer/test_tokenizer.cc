// Tokenizer behaviour that does not need node: known ids, round trips (valid and invalid
// UTF-8), special tokens, the two BPE algorithms agreeing, thread safety, and bad files.
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tokenizer/tokenizer_test_util.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace sb::tokenizer::testing {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Ids = std::vector<std::int32_t>;

class Gpt2 : public ::testing::Test {
 protected:
  void SetUp() override {
    tok_ = default_tokenizer();
    if (!tok_) GTEST_SKIP() << "GPT-2 tokenizer files unavailable: " << default_error();
  }
  const Tokenizer& tok() const { return *tok_; }
  const Tokenizer* tok_ = nullptr;
};

// Facts about the released GPT-2 vocabulary (encoder.json / vocab.bpe).
TEST_F(Gpt2, VocabularyFacts) {
  EXPECT_EQ(tok().vocab_size(), 50257);
  EXPECT_EQ(tok().eot_id(), 50256);
  EXPECT_EQ(tok().merge_count(), 50000u);
  EXPECT_EQ(tok().token_bytes(50256), "<|endoftext|>");
  EXPECT_EQ(tok().token_bytes(220), " ");   // 'Ġ'
  EXPECT_EQ(tok().token_bytes(198), "\n");  // 'Ċ'
}

TEST_F(Gpt2, KnownEncodings) {
  EXPECT_EQ(tok().encode("Hello world"), (Ids{15496, 995}));
  EXPECT_EQ(tok().encode(""), Ids{});
  EXPECT_EQ(tok().encode(" "), Ids{220});
  EXPECT_EQ(tok().decode(Ids{15496, 995}), "Hello world");
}

TEST_F(Gpt2, PretokenizerPieces) {
  auto pieces = [&](std::string_view s) {
    std::vector<std::string> out;
    for (auto p : tok().pretokenize(s)) out.emplace_back(p);
    return out;
  };
  using V = std::vector<std::string>;
  // The lookahead \s+(?!\S) leaves the last space of a run to the next word.
  EXPECT_EQ(pieces("a   b"), (V{"a", "  ", " b"}));
  EXPECT_EQ(pieces("a   "), (V{"a", "   "}));
  EXPECT_EQ(pieces("he's I'LL"), (V{"he", "'s", " I", "'", "LL"}));
  EXPECT_EQ(pieces("x1.5"), (V{"x", "1", ".", "5"}));
  EXPECT_EQ(pieces("a\t\tb"), (V{"a", "\t", "\t", "b"}));
  // Non-breaking and ideographic spaces are whitespace but never a word's leading space.
  EXPECT_EQ(pieces("a\u00a0b"), (V{"a", "\u00a0", "b"}));
  EXPECT_EQ(pieces("a\u3000\u3000b"), (V{"a", "\u3000", "\u3000", "b"}));
}

TEST_F(Gpt2, RoundTripValidUtf8) {
  const std::vector<std::string> texts = {
      "", " ", "Hello, world!\n", "  leading and trailing  ", "café e\u0301 中文 👨‍👩‍👧‍👦 ١٢٣ ４２",
      "\u00a0\u3000\ufeff", "<|endoftext|>", std::string("nul\0inside", 10), "\r\n\t\v\f"};
  for (const auto& t : texts) {
    EXPECT_EQ(tok().decode(tok().encode(t)), t) << hex_escape(t);
    EXPECT_EQ(tok().decode(tok().encode(t, true)), t) << hex_escape(t);
  }
}

// Invalid UTF-8 is encoded as bytes: each maximal run of bytes outside valid sequences is a
// piece of its own; decode gives back the exact bytes.
TEST_F(Gpt2, InvalidUtf8IsEncodedAsBytes) {
  const std::vector<std::string> texts = {
      "\xff", "\xff\xfe\xfd", "abc\xff" "def", "\xc3", "caf\xc3", "\xe2\x82", "\xed\xa0\x80",  // surrogate
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\xc0\xaf",          // overlong '/'
      "ok \x80\x80 ok", "\xf0\x9f\x98" " truncated emoji"};
  for (const auto& t : texts) {
    Ids ids = tok().encode(t);
    EXPECT_EQ(tok().decode(ids), t) << hex_escape(t);
    std::string joined;
    for (auto p : tok().pretokenize(t)) joined += p;
    EXPECT_EQ(joined, t) << "pieces must cover the text: " << hex_escape(t);
  }
  // The invalid byte is its own piece, so the valid text around it tokenizes as usual.
  Ids hello = tok().encode("Hello"), world = tok().encode(" world");
  Ids mixed = tok().encode("Hello\xff world");
  Ids expected = hello;
  expected.push_back(tok().encode("\xff").at(0));
  expected.insert(expected.end(), world.begin(), world.end());
  EXPECT_EQ(mixed, expected);
}

TEST_F(Gpt2, RoundTripRandomBytes) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255), len(0, 300);
  for (int i = 0; i < 300; ++i) {
    std::string s;
    for (int k = len(rng); k > 0; --k) s += char(byte(rng));
    ASSERT_EQ(tok().decode(tok().encode(s)), s) << hex_escape(s);
  }
  // A megabyte of one letter (one regex piece) and of invalid bytes: the heap merge keeps this
  // fast, and the round trip holds.
  std::string long_run(1 << 20, 'a');
  EXPECT_EQ(tok().decode(tok().encode(long_run)), long_run);
  std::string long_invalid(1 << 18, '\xff');
  EXPECT_EQ(tok().decode(tok().encode(long_invalid)), long_invalid);
  for (char unit : {' ', '\n', '!', '7'}) {
    std::string run(1 << 18, unit);
    EXPECT_EQ(tok().decode(tok().encode(run)), run) << int(unit);
  }
}

TEST_F(Gpt2, EndOfTextIsTextByDefault) {
  const std::string text = "Hello<|endoftext|>World";
  Ids plain = tok().encode(text);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 50256), 0);
  EXPECT_GT(plain.size(), 3u);
  Ids special = tok().encode(text, true);
  Ids expected = tok().encode("Hello");
  expected.push_back(50256);
  Ids world = tok().encode("World");
  expected.insert(expected.end(), world.begin(), world.end());
  EXPECT_EQ(special, expected);
  EXPECT_EQ(tok().decode(special), text);
}

TEST_F(Gpt2, EndOfTextSegmentsEncodeIndependently) {
  // Without splitting, "  <|" would make the last space join " <"; with the special token the
  // segment before it ends in a run of spaces, encoded as such.
  Ids ids = tok().encode("a  <|endoftext|><|endoftext|> b<|endoftext|>", true);
  Ids expected = tok().encode("a  ");
  expected.push_back(50256);
  expected.push_back(50256);
  Ids b = tok().encode(" b");
  expected.insert(expected.end(), b.begin(), b.end());
  expected.push_back(50256);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(tok().encode("<|endoftext|>", true), Ids{50256});
  EXPECT_EQ(tok().encode("<|endoftext", true), tok().encode("<|endoftext"));
}

TEST_F(Gpt2, DecodeRejectsOutOfRangeIds) {
  for (std::int32_t bad : {-1, 50257, 1 << 30}) {
    Ids ids = {15496, bad};
    try {
      (void)tok().decode(ids);
      ADD_FAILURE() << "decode accepted id " << bad;
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(fmt::format("token id {}", bad)));
      EXPECT_THAT(e.what(), HasSubstr("50257 tokens"));
      EXPECT_THAT(e.what(), HasSubstr("position 1"));
    }
  }
}

// The scan (short pieces) and the heap (long pieces) must give the same merges: checked on
// every piece of a mixed text and on long synthetic pieces.
TEST_F(Gpt2, ScanAndHeapMergesAgree) {
  std::string text = read_file(fs::path(SB_SOURCE_DIR) / "tests/tokenizer/test_tokenizer.cc");
  text += " 中文文本 👨‍👩‍👧‍👦 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  std::vector<std::string> pieces;
  for (auto p : tok().pretokenize(text)) pieces.emplace_back(p);
  std::mt19937 rng(3);
  const std::string alphabet = "aaabbc the  ,\"!'s\xc3\xa9";
  for (int i = 0; i < 200; ++i) {
    std::string s;
    int n = std::uniform_int_distribution<int>(1, 400)(rng);
    for (int k = 0; k < n; ++k) s += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    pieces.push_back(s);
  }
  pieces.push_back(std::string(1000, ' '));
  pieces.push_back(std::string(999, 'e'));
  for (const auto& p : pieces) {
    ASSERT_EQ(TokenizerTestAccess::bpe_scan(tok(), p), TokenizerTestAccess::bpe_heap(tok(), p)) << hex_escape(p);
  }
}

TEST_F(Gpt2, ConcurrentEncodingIsConsistent) {
  std::string text = read_file(fs::path(SB_SOURCE_DIR) / "tests/tokenizer/test_tokenizer.cc");
  tok().clear_cache();
  const Ids expected = tok().encode(text);
  tok().clear_cache();
  std::vector<Ids> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 5; ++rep) {
        results[t] = tok().encode(text);
        if (t == 0) tok().clear_cache();
      }
    });
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

TEST_F(Gpt2, Sha256IsOfVocabThenMerges) {
  fs::path dir = Tokenizer::default_dir();
  std::string both = read_file(dir / "encoder.json") + read_file(dir / "vocab.bpe");
  EXPECT_EQ(tok().sha256(), sha256_hex(both));
  EXPECT_EQ(tok().sha256().size(), 64u);
}

// --- files and errors ------------------------------------------------------------------------

// A small valid tokenizer: the 256 byte tokens (in bytes_to_unicode form), three merges and
// <|endoftext|>.  Byte tokens get ids in byte order, so "a" is 97 and " " (U+0120) is 32.
std::string byte_char(int b) {
  int extra = 0;
  for (int x = 0; x < 256; ++x) {
    bool printable = (x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
    int cp = printable ? x : 0x100 + extra++;
    if (x == b) {
      std::string s;
      if (cp < 0x80) {
        s += char(cp);
      } else {
        s += char(0xC0 | (cp >> 6));
        s += char(0x80 | (cp & 0x3F));
      }
      return s;
    }
  }
  return {};
}

std::string small_vocab_json(const std::vector<std::string>& extra) {
  std::string json = "{";
  int id = 0;
  auto add = [&](const std::string& tokenchars) {
    if (id) json += ",";
    std::string esc;
    for (char c : tokenchars) {
      if (c == '"' || c == '\\') esc += '\\';
      esc += c;
    }
    json += fmt::format("\"{}\": {}", esc, id++);
  };
  for (int b = 0; b < 256; ++b) add(byte_char(b));
  for (const auto& e : extra) add(e);
  return json + "}";
}

const std::string kSpace = byte_char(' ');  // "Ġ"

struct Files {
  std::string vocab = small_vocab_json({"ab", "abc", kSpace + "ab", "<|endoftext|>"});
  std::string merges = "#version: 0.2\na b\nab c\n" + kSpace + " ab\n";
};

class BadFiles : public ::testing::Test {
 protected:
  // Writes the files (or not, for nullptr) and returns the error message of from_folder.
  std::string load_error(const Files& f, const char* vocab_name = "vocab.json",
                         const char* merges_name = "merges.txt") {
    if (vocab_name) write_file_atomic(dir_.path() / vocab_name, f.vocab);
    if (merges_name) write_file_atomic(dir_.path() / merges_name, f.merges);
    try {
      Tokenizer t = Tokenizer::from_folder(dir_.path());
      return "";
    } catch (const Error& e) {
      return e.what();
    }
  }
  ScratchDir dir_;
};

TEST_F(BadFiles, SmallValidTokenizerWorks) {
  Files f;
  write_file_atomic(dir_.path() / "vocab.json", f.vocab);
  write_file_atomic(dir_.path() / "merges.txt", f.merges);
  Tokenizer t = Tokenizer::from_folder(dir_.path());
  EXPECT_EQ(t.vocab_size(), 260);
  EXPECT_EQ(t.eot_id(), 259);
  EXPECT_EQ(t.merge_count(), 3u);
  EXPECT_EQ(t.encode("abc ab abd"), (Ids{257, 258, 258, 100}));
  EXPECT_EQ(t.decode(t.encode("abc ab abd")), "abc ab abd");
  EXPECT_EQ(t.encode("x<|endoftext|>", true), (Ids{120, 259}));
}

TEST_F(BadFiles, EncoderJsonNamesAreAccepted) {
  Files f;
  EXPECT_EQ(load_error(f, "encoder.json", "vocab.bpe"), "");
}

TEST_F(BadFiles, MissingFolderAndFiles) {
  try {
    Tokenizer::from_folder(dir_.path() / "nope");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("does not exist"));
  }
  EXPECT_THAT(load_error(Files{}, nullptr, nullptr), HasSubstr("no tokenizer files"));
  EXPECT_THAT(load_error(Files{}, "vocab.json", nullptr), HasSubstr("found vocab.json but not merges.txt"));
}

TEST_F(BadFiles, EmptyVocab) {
  Files f;
  f.vocab = "";
  EXPECT_THAT(load_error(f), HasSubstr("vocab.json: file is empty"));
  f.vocab = "{}";
  EXPECT_THAT(load_error(f), HasSubstr("vocab.json: the vocabulary is empty"));
}

TEST_F(BadFiles, VocabNotJson) {
  Files f;
  f.vocab = "{\"a\": 0,";
  EXPECT_THAT(load_error(f), HasSubstr("vocab.json: not valid JSON"));
  f.vocab = "\x89PNG\r\n";
  EXPECT_THAT(load_error(f), HasSubstr("vocab.json: not valid JSON"));
}

TEST_F(BadFiles, VocabWrongTypes) {
  Files f;
  f.vocab = "[1, 2, 3]";
  EXPECT_THAT(load_error(f), HasSubstr("vocab.json: expected a JSON object mapping token -> id, found a JSON array"));
  f.vocab = "{\"a\": \"0\"}";
  EXPECT_THAT(load_error(f), HasSubstr("vocab.json: token \"a\": expected an integer id, found a JSON string"));
  f.vocab = "{\"a\": 0.5}";
  EXPECT_THAT(load_error(f), HasSubstr("expected an integer id, found a JSON number"));
}

TEST_F(BadFiles, VocabIdsMustBeDense) {
  Files f;
  f.vocab = "{\"a\": 0, \"b\": 5}";
  EXPECT_THAT(load_error(f), HasSubstr("token \"b\" has id 5, outside 0..1"));
  f.vocab = "{\"a\": 0, \"b\": 0}";
  EXPECT_THAT(load_error(f), HasSubstr("id 0 is used by both"));
  f.vocab = "{\"a\": -3}";
  EXPECT_THAT(load_error(f), HasSubstr("has id -3"));
}

TEST_F(BadFiles, VocabMissingByteToken) {
  Files f;
  f.vocab = "{\"a\": 0, \"b\": 1}";
  EXPECT_THAT(load_error(f), HasSubstr("vocab.json: no token for byte 0x00"));
}

TEST_F(BadFiles, VocabTokenOutsideByteAlphabet) {
  Files f;
  f.vocab = small_vocab_json({"with space"});
  EXPECT_THAT(load_error(f), HasSubstr("token \"with space\" (id 256) has a character outside GPT-2's byte alphabet (U+0020)"));
}

TEST_F(BadFiles, EmptyMerges) {
  Files f;
  f.merges = "";
  EXPECT_THAT(load_error(f), HasSubstr("merges.txt: file is empty"));
  f.merges = "#version: 0.2\n";
  EXPECT_THAT(load_error(f), HasSubstr("merges.txt: no merge rules"));
}

TEST_F(BadFiles, MergeLineWithoutSpace) {
  Files f;
  f.merges = "#version: 0.2\na b\nabc\n";
  EXPECT_THAT(load_error(f), HasSubstr("merges.txt: line 3: expected two tokens separated by one space, found \"abc\""));
  f.merges = "#version: 0.2\na b c\n";
  EXPECT_THAT(load_error(f), HasSubstr("line 2: expected two tokens"));
  f.merges = "#version: 0.2\n\na b\n";
  EXPECT_THAT(load_error(f), HasSubstr("line 2: expected two tokens separated by one space, found \"\""));
}

TEST_F(BadFiles, MergePartNotInVocab) {
  Files f;
  f.merges = "#version: 0.2\na b\nab zz\n";
  EXPECT_THAT(load_error(f), HasSubstr("merges.txt: line 3: \"zz\" is not a token of"));
}

TEST_F(BadFiles, MergeResultNotInVocab) {
  Files f;
  f.merges = "#version: 0.2\na b\nb c\n";
  EXPECT_THAT(load_error(f), HasSubstr("merges.txt: line 3: merging \"b\" and \"c\" gives \"bc\", which is not a token of"));
}

TEST_F(BadFiles, ErrorsNameTheFile) {
  Files f;
  f.merges = "";
  std::string msg = load_error(f);
  EXPECT_THAT(msg, HasSubstr((dir_.path() / "merges.txt").string()));
}

TEST_F(BadFiles, MergesWithoutVersionLineAndCrlf) {
  Files f;
  f.merges = "a b\r\nab c\r\n" + kSpace + " ab\r\n\r\n";
  write_file_atomic(dir_.path() / "vocab.json", f.vocab);
  write_file_atomic(dir_.path() / "merges.txt", f.merges);
  Tokenizer t = Tokenizer::from_folder(dir_.path());
  EXPECT_EQ(t.merge_count(), 3u);
  EXPECT_EQ(t.encode("abc ab"), (Ids{257, 258}));
}

TEST(LoadDefault, EnvironmentVariableOverridesAndErrorsNameIt) {
  ScratchDir dir;
  const char* old = std::getenv("SCALEBENCH_TOKENIZER_DIR");
  std::string saved = old ? old : "";
  ::setenv("SCALEBENCH_TOKENIZER_DIR", (dir.path() / "missing").c_str(), 1);
  try {
    Tokenizer::load_default();
    ADD_FAILURE() << "load_default accepted a missing folder";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("SCALEBENCH_TOKENIZER_DIR"));
    EXPECT_THAT(e.what(), HasSubstr("does not exist"));
  }
  Files f;
  write_file_atomic(dir.path() / "vocab.json", f.vocab);
  write_file_atomic(dir.path() / "merges.txt", f.merges);
  ::setenv("SCALEBENCH_TOKENIZER_DIR", dir.path().c_str(), 1);
  EXPECT_EQ(Tokenizer::load_default().vocab_size(), 260);
  EXPECT_EQ(Tokenizer::default_dir(), dir.path());
  if (old)
    ::setenv("SCALEBENCH_TOKENIZER_DIR", saved.c_str(), 1);
  else
    ::unsetenv("SCALEBENCH_TOKENIZER_DIR");
}

}  // namespace
}  // namespace sb::tokenizer::testing
