#include "accuracy/corpus.h"

#include <algorithm>
#include <system_error>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace sb::accuracy {
namespace fs = std::filesystem;

std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;   // allowed range of the second byte (RFC 3629 table)
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;           // no overlong 3-byte forms
      if (c == 0xED) hi = 0x9F;           // no UTF-16 surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;           // no overlong 4-byte forms
      if (c == 0xF4) hi = 0x8F;           // nothing above U+10FFFF
    } else {
      return i;                           // 0x80..0xC1 or 0xF5..0xFF cannot start a character
    }
    if (i + len > n) return i;            // truncated sequence at end of text
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (int k = 2; k < len; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::nullopt;
}

namespace {

void check_utf8(std::string_view bytes, const std::string& name, std::size_t base_offset = 0) {
  if (auto bad = first_invalid_utf8(bytes)) {
    sb::fail("corpus {}: invalid UTF-8 at byte offset {} (byte 0x{:02X}); perplexity needs "
             "UTF-8 text (convert it with iconv, or pick another file)",
             name, *bad + base_offset, static_cast<unsigned char>(bytes[*bad]));
  }
}

void finish(Corpus& c, const CorpusOptions& o, const std::string& name) {
  if (o.max_bytes > 0 && c.text.size() > o.max_bytes) {
    std::size_t cut = o.max_bytes;
    // Back off to the first byte of a character: continuation bytes are 10xxxxxx.
    while (cut > 0 && (static_cast<unsigned char>(c.text[cut]) & 0xC0) == 0x80) --cut;
    c.text.resize(cut);
    c.truncated = true;
  }
  if (c.text.empty()) sb::fail("corpus {} is empty: perplexity needs at least 2 tokens of text", name);
  c.bytes = c.text.size();
  c.sha256 = sha256_hex(c.text);
}

}  // namespace

Corpus corpus_from_text(std::string text, const std::string& name, const CorpusOptions& o) {
  Corpus c;
  check_utf8(text, name);
  c.text = std::move(text);
  finish(c, o, name);
  return c;
}

Corpus read_corpus_folder(const fs::path& dir, const CorpusOptions& o) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) sb::fail("corpus folder {} does not exist or is not a folder", dir.string());
  std::vector<std::string> rel;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {   // hidden files and folders (.git, editor droppings)
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) rel.push_back(fs::relative(it->path(), dir).generic_string());
  }
  if (ec) sb::fail("corpus folder {}: cannot list it: {}", dir.string(), ec.message());
  if (rel.empty()) sb::fail("corpus folder {} holds no files: perplexity needs text", dir.string());
  std::sort(rel.begin(), rel.end());   // std::string compares bytes: locale-independent order
  Corpus c;
  c.path = dir;
  for (const auto& r : rel) {
    const std::string bytes = read_file(dir / r);
    check_utf8(bytes, (dir / r).string());
    c.text += bytes;
    if (!bytes.empty() && bytes.back() != '\n') c.text += '\n';
    c.files.push_back(r);
    if (o.max_bytes > 0 && c.text.size() >= o.max_bytes) break;   // the rest would be cut anyway
  }
  finish(c, o, dir.string());
  return c;
}

Corpus read_corpus(const fs::path& path, const CorpusOptions& o) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return read_corpus_folder(path, o);
  if (!fs::exists(path, ec)) sb::fail("corpus {} does not exist", path.string());
  Corpus c;
  c.path = path;
  c.text = read_file(path);
  check_utf8(c.text, path.string());
  finish(c, o, path.string());
  return c;
}

}  // namespace sb::accuracy
