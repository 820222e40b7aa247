// accuracy/corpus — the text perplexity is measured on.
// Contract: a Corpus is the exact bytes that get tokenized, plus their SHA-256 and size, so a
// result names precisely what it measured.  Files are read byte for byte as distributed
// (WikiText-2's wiki.test.raw, any UTF-8 text); nothing is normalized.  Invalid UTF-8 is an
// sb::Error naming the file and the byte offset of the first bad byte.  A folder becomes one
// text deterministically: its regular, non-hidden files in sorted relative-path order (byte
// order), each followed by '\n' when it does not already end with one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::accuracy {

struct Corpus {
  std::string text;                       // the bytes that are tokenized
  std::filesystem::path path;             // file or folder it came from ("" for in-memory)
  std::vector<std::string> files;         // folder: relative paths in the order concatenated
  std::string sha256;                     // of `text`
  std::uint64_t bytes = 0;                // text.size()
  bool truncated = false;                 // max_bytes cut it short
};

struct CorpusOptions {
  // 0: no limit.  Otherwise the text is cut to at most max_bytes, backing off to the start of
  // a UTF-8 character, and the hash is of the cut text.  Keeps quick runs on large models short.
  std::uint64_t max_bytes = 0;
};

// Offset of the first byte that is not part of a well-formed UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are ill-formed), or nullopt when all of it is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view bytes);

// Reads a file or a folder (see the contract).  Throws sb::Error for a missing path, an empty
// result, or invalid UTF-8 (naming the file and offset).
Corpus read_corpus(const std::filesystem::path& path, const CorpusOptions& options = {});
Corpus read_corpus_folder(const std::filesystem::path& dir, const CorpusOptions& options = {});
// In-memory text (tests): validated the same way; `name` is used in error messages.
Corpus corpus_from_text(std::string text, const std::string& name,
                        const CorpusOptions& options = {});

}  // namespace sb::accuracy
