// GPT-2 byte-level BPE.  See tokenizer.h for the contract; the notes here say why the code is
// shaped the way it is.
#include "tokenizer/tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

#ifndef SB_TOKENIZER_DEFAULT_DIR
#define SB_TOKENIZER_DEFAULT_DIR ""
#endif

namespace sb::tokenizer {
namespace fs = std::filesystem;

namespace {

// The GPT-2 pre-tokenizer (REFERENCE.md), with one deliberate spelling change: "\s" and "\S"
// are written out as JavaScript's \s set (ECMAScript WhiteSpace + LineTerminator), because the
// reference implementation is Encoder.js and PCRE2's Unicode \s differs from it in three code
// points: PCRE2 10.42 counts U+0085 (NEL) and U+180E (Mongolian vowel separator) as space and
// not U+FEFF (BOM); JavaScript the other way round (tests/tokenizer sweeps every code point).
// The alternatives, their order and the lookahead are otherwise exactly the published pattern:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
#define SB_JS_SPACE R"(\t\n\x{0B}\f\r\x{20}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF})"
constexpr const char* kPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^)" SB_JS_SPACE R"(\p{L}\p{N}]+)"
    R"(|[)" SB_JS_SPACE R"(]+(?![^)" SB_JS_SPACE R"(])|[)" SB_JS_SPACE R"(]+)";
#undef SB_JS_SPACE

constexpr std::string_view kEndOfText = "<|endoftext|>";

// Pieces up to this many bytes use the quadratic scan on a stack buffer (English pieces are a
// few bytes); longer ones use the O(n log n) heap merge so a megabyte-long run stays fast.
constexpr std::size_t kScanMaxBytes = 64;
// Cache: pieces up to this length, at most this many entries (cleared when full: the working
// set of a corpus is its vocabulary of words, far below the bound).
constexpr std::size_t kCacheMaxPieceBytes = 128;
constexpr std::size_t kCacheMaxEntries = 1u << 16;

// bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 to U+0100 + n in
// increasing byte order.
struct ByteMap {
  std::array<char32_t, 256> byte_to_cp{};
  std::array<int, 0x144> cp_to_byte{};
  ByteMap() {
    cp_to_byte.fill(-1);
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char32_t cp = printable ? char32_t(b) : char32_t(0x100 + extra++);
      byte_to_cp[b] = cp;
      cp_to_byte[cp] = b;
    }
  }
};
const ByteMap& byte_map() {
  static const ByteMap m;
  return m;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(char(0xF0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  }
}

// Decodes one UTF-8 code point at s[i]; returns -1 on a malformed sequence.
long next_code_point(std::string_view s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return -1;
  long cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += len;
  return cp;
}

std::string shown_token(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string shown(s.substr(0, kMax));
  // The vocab's keys are valid UTF-8 (the JSON parser checked); merges lines may not be.
  std::string q = nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > kMax) q += "...";
  return q;
}

// Open-addressing map (pair of token ids) -> (rank, merged id).  The BPE inner loop is a
// sequence of these lookups, so it is a flat table rather than std::unordered_map.
class MergeTable {
 public:
  struct Entry {
    std::uint32_t rank;
    std::int32_t merged;
  };
  void reserve(std::size_t n) {
    std::size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    slots_.assign(cap, Slot{kEmpty, {0, 0}});
    mask_ = cap - 1;
  }
  // A later line for the same pair overrides an earlier one (Python's dict(zip(...)) does so).
  void put(std::int32_t a, std::int32_t b, Entry e) {
    std::uint64_t key = pack(a, b);
    for (std::size_t i = mix(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty || slots_[i].key == key) {
        slots_[i] = Slot{key, e};
        return;
      }
    }
  }
  const Entry* find(std::int32_t a, std::int32_t b) const {
    std::uint64_t key = pack(a, b);
    for (std::size_t i = mix(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return &s.entry;
      if (s.key == kEmpty) return nullptr;
    }
  }

 private:
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  struct Slot {
    std::uint64_t key;
    Entry entry;
  };
  static std::uint64_t pack(std::int32_t a, std::int32_t b) {
    return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b);
  }
  static std::size_t mix(std::uint64_t k) {
    k *= 0x9E3779B97F4A7C15ull;
    return std::size_t(k ^ (k >> 31));
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

struct PcreCodeDeleter {
  void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct PcreMatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct Tokenizer::Impl {
  std::string source;
  std::string sha256;
  std::vector<std::string> id_to_bytes;
  std::array<std::int32_t, 256> byte_token{};
  MergeTable merges;
  std::size_t merge_count = 0;
  std::int32_t eot = -1;
  const pcre2_code* regex = nullptr;  // shared by all tokenizers; PCRE2 code is read-only

  mutable std::mutex cache_mutex;
  mutable std::unordered_map<std::string, std::vector<std::int32_t>, TransparentHash, std::equal_to<>>
      cache;

  // --- BPE ---------------------------------------------------------------------------------
  // Python's encoder.py semantics: take the adjacent pair of lowest rank, merge every
  // occurrence of it in one left-to-right pass (non-overlapping), repeat until no pair ranks.
  void bpe_scan(std::string_view piece, std::int32_t* word, std::vector<std::int32_t>& out) const {
    std::size_t len = piece.size();
    for (std::size_t i = 0; i < len; ++i) word[i] = byte_token[static_cast<unsigned char>(piece[i])];
    while (len > 1) {
      std::uint32_t best_rank = UINT32_MAX;
      std::int32_t first = 0, second = 0, merged = 0;
      for (std::size_t i = 0; i + 1 < len; ++i) {
        const MergeTable::Entry* e = merges.find(word[i], word[i + 1]);
        if (e && e->rank < best_rank) {
          best_rank = e->rank;
          first = word[i];
          second = word[i + 1];
          merged = e->merged;
        }
      }
      if (best_rank == UINT32_MAX) break;
      std::size_t w = 0;
      for (std::size_t i = 0; i < len;) {
        if (i + 1 < len && word[i] == first && word[i + 1] == second) {
          word[w++] = merged;
          i += 2;
        } else {
          word[w++] = word[i++];
        }
      }
      len = w;
    }
    out.insert(out.end(), word, word + len);
  }

  // Same result as bpe_scan in O(n log n): a doubly linked list of symbols and a min-heap of
  // (rank, left position).  All heap entries of the lowest rank are taken out together and
  // merged in position order, which is exactly one left-to-right pass of bpe_scan: a merge
  // never creates a new pair of the same rank (the merged token differs from both parts), and
  // an occurrence overlapping an earlier merge of the pass is found dead and skipped.
  void bpe_heap(std::string_view piece, std::vector<std::int32_t>& out) const {
    const std::int32_t n = static_cast<std::int32_t>(piece.size());
    std::vector<std::int32_t> tok(n), prev(n), next(n);
    for (std::int32_t i = 0; i < n; ++i) {
      tok[i] = byte_token[static_cast<unsigned char>(piece[i])];
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    struct Item {
      std::uint32_t rank;
      std::int32_t pos;
      bool operator>(const Item& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::vector<Item> heap;
    auto push_pair = [&](std::int32_t left) {
      if (left < 0 || next[left] < 0) return;
      if (const MergeTable::Entry* e = merges.find(tok[left], tok[next[left]])) {
        heap.push_back({e->rank, left});
        std::push_heap(heap.begin(), heap.end(), std::greater<>{});
      }
    };
    auto pop = [&] {
      std::pop_heap(heap.begin(), heap.end(), std::greater<>{});
      Item it = heap.back();
      heap.pop_back();
      return it;
    };
    auto valid = [&](const Item& it) -> const MergeTable::Entry* {
      if (tok[it.pos] < 0 || next[it.pos] < 0) return nullptr;
      const MergeTable::Entry* e = merges.find(tok[it.pos], tok[next[it.pos]]);
      return e && e->rank == it.rank ? e : nullptr;
    };
    for (std::int32_t i = 0; i + 1 < n; ++i) push_pair(i);
    std::vector<Item> pass;
    while (!heap.empty()) {
      Item top = pop();
      if (!valid(top)) continue;  // stale: its symbols were merged since it was pushed
      pass.assign(1, top);
      while (!heap.empty() && heap.front().rank == top.rank) pass.push_back(pop());
      for (const Item& it : pass) {
        const MergeTable::Entry* e = valid(it);
        if (!e) continue;
        std::int32_t left = it.pos, right = next[left];
        tok[left] = e->merged;
        tok[right] = -1;
        next[left] = next[right];
        if (next[right] >= 0) prev[next[right]] = left;
        push_pair(prev[left]);
        push_pair(left);
      }
    }
    for (std::int32_t i = n > 0 ? 0 : -1; i >= 0; i = next[i]) out.push_back(tok[i]);
  }

  void bpe_uncached(std::string_view piece, std::vector<std::int32_t>& out) const {
    if (piece.size() <= kScanMaxBytes) {
      std::array<std::int32_t, kScanMaxBytes> word;
      bpe_scan(piece, word.data(), out);
    } else {
      bpe_heap(piece, out);
    }
  }

  void encode_piece(std::string_view piece, std::vector<std::int32_t>& out) const {
    if (piece.size() == 1) {
      out.push_back(byte_token[static_cast<unsigned char>(piece[0])]);
      return;
    }
    if (piece.size() > kCacheMaxPieceBytes) {
      bpe_uncached(piece, out);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(cache_mutex);
      auto it = cache.find(piece);
      if (it != cache.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    std::size_t start = out.size();
    bpe_uncached(piece, out);
    std::vector<std::int32_t> ids(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
    std::lock_guard<std::mutex> lock(cache_mutex);
    if (cache.size() >= kCacheMaxEntries) cache.clear();
    cache.emplace(std::string(piece), std::move(ids));
  }

  // --- pre-tokenizer ---------------------------------------------------------------------------
  // Calls f(piece) for every regex match and for every run of bytes between matches (with
  // PCRE2_MATCH_INVALID_UTF those runs are exactly the invalid UTF-8 sequences: every valid
  // character belongs to one of the alternatives).
  template <typename F>
  void for_each_piece(std::string_view text, F&& f) const {
    if (text.empty()) return;
    std::unique_ptr<pcre2_match_data, PcreMatchDataDeleter> md(pcre2_match_data_create(1, nullptr));
    if (!md) fail("tokenizer: out of memory creating PCRE2 match data");
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    const std::size_t n = text.size();
    std::size_t offset = 0;
    while (offset < n) {
      int rc = pcre2_match(regex, subject, n, offset, 0, md.get(), nullptr);
      if (rc == PCRE2_ERROR_NOMATCH) {
        f(text.substr(offset));
        return;
      }
      if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        fail("tokenizer: pre-tokenizer regex failed at byte {} of {}: {}", offset, n,
             reinterpret_cast<const char*>(msg));
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
      std::size_t start = ov[0], end = ov[1];
      if (end <= start) fail("tokenizer: pre-tokenizer regex matched nothing at byte {}", start);
      if (start > offset) f(text.substr(offset, start - offset));
      f(text.substr(start, end - start));
      offset = end;
    }
  }

  void encode_ordinary(std::string_view text, std::vector<std::int32_t>& out) const {
    for_each_piece(text, [&](std::string_view piece) { encode_piece(piece, out); });
  }
};

// --- loading -------------------------------------------------------------------------------------

namespace {

std::unique_ptr<pcre2_code, PcreCodeDeleter> compile_pattern() {
  int err = 0;
  PCRE2_SIZE err_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPattern), PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err,
                                   &err_offset, nullptr);
  if (!code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    fail("tokenizer: PCRE2 rejected the pre-tokenizer pattern at offset {}: {}", err_offset,
         reinterpret_cast<const char*>(msg));
  }
  // JIT is an optimisation only: without it (unsupported CPU, no executable memory) pcre2_match
  // falls back to the interpreter with identical results.
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return std::unique_ptr<pcre2_code, PcreCodeDeleter>(code);
}

// Compiled (and JIT-compiled, which costs milliseconds) once per process: matching only reads
// the compiled code, so every Tokenizer and thread shares it.
const pcre2_code* compiled_pattern() {
  static const std::unique_ptr<pcre2_code, PcreCodeDeleter> code = compile_pattern();
  return code.get();
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
}

}  // namespace

Tokenizer Tokenizer::from_memory(std::string_view vocab_json, std::string_view merges_text,
                                 std::string_view vocab_name, std::string_view merges_name) {
  const ByteMap& bm = byte_map();
  auto impl = std::make_unique<Impl>();
  impl->source = fmt::format("{} + {}", vocab_name, merges_name);

  // Vocab: a JSON object token -> id, ids exactly 0..N-1 (decode indexes by id).
  if (blank(vocab_json)) fail("{}: file is empty (expected a JSON object token -> id)", vocab_name);
  nlohmann::json vocab;
  try {
    vocab = nlohmann::json::parse(vocab_json);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON ({})", vocab_name, e.what());
  }
  if (!vocab.is_object())
    fail("{}: expected a JSON object mapping token -> id, found a JSON {}", vocab_name, vocab.type_name());
  if (vocab.empty()) fail("{}: the vocabulary is empty", vocab_name);
  const std::size_t n_tokens = vocab.size();
  if (n_tokens > std::size_t(INT32_MAX)) fail("{}: {} tokens is too many", vocab_name, n_tokens);
  impl->id_to_bytes.assign(n_tokens, std::string());
  std::vector<const std::string*> id_owner(n_tokens, nullptr);
  std::unordered_map<std::string, std::int32_t, TransparentHash, std::equal_to<>> token_id;
  token_id.reserve(n_tokens);
  for (const auto& [token, value] : vocab.items()) {
    if (!value.is_number_integer())
      fail("{}: token {}: expected an integer id, found a JSON {}", vocab_name, shown_token(token), value.type_name());
    std::int64_t id = value.get<std::int64_t>();
    if (id < 0 || std::uint64_t(id) >= n_tokens)
      fail("{}: token {} has id {}, outside 0..{} (the {} ids must be exactly 0..N-1)", vocab_name,
           shown_token(token), id, n_tokens - 1, n_tokens);
    if (id_owner[id])
      fail("{}: id {} is used by both {} and {}", vocab_name, id, shown_token(*id_owner[id]), shown_token(token));
    if (token.empty()) fail("{}: id {} has an empty token", vocab_name, id);
    id_owner[id] = &token;
    std::string bytes;
    for (std::size_t i = 0; i < token.size();) {
      long cp = next_code_point(token, i);
      if (cp < 0 || cp >= long(bm.cp_to_byte.size()) || bm.cp_to_byte[cp] < 0)
        fail("{}: token {} (id {}) has a character outside GPT-2's byte alphabet{}", vocab_name,
             shown_token(token), id, cp < 0 ? std::string() : fmt::format(" (U+{:04X})", cp));
      bytes.push_back(static_cast<char>(bm.cp_to_byte[cp]));
    }
    impl->id_to_bytes[id] = std::move(bytes);
    token_id.emplace(token, static_cast<std::int32_t>(id));
  }
  for (int b = 0; b < 256; ++b) {
    std::string s;
    append_utf8(s, bm.byte_to_cp[b]);
    auto it = token_id.find(s);
    if (it == token_id.end())
      fail("{}: no token for byte 0x{:02X} ({}); a GPT-2 vocabulary holds all 256 byte tokens",
           vocab_name, b, shown_token(s));
    impl->byte_token[b] = it->second;
  }
  if (auto it = token_id.find(kEndOfText); it != token_id.end()) impl->eot = it->second;

  // Merges: optional "#version" first line, then one "A B" per line, rank = order.
  if (blank(merges_text)) fail("{}: file is empty (expected merge rules \"A B\", one per line)", merges_name);
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos <= merges_text.size();) {
    std::size_t nl = merges_text.find('\n', pos);
    if (nl == std::string_view::npos) nl = merges_text.size();
    std::string_view line = merges_text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = nl + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::size_t first_line = !lines.empty() && lines[0].starts_with("#version") ? 1 : 0;
  if (lines.size() <= first_line)
    fail("{}: no merge rules after the #version line (expected lines \"A B\")", merges_name);
  impl->merges.reserve(lines.size() - first_line);
  std::string joined;
  for (std::size_t i = first_line; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const std::size_t line_no = i + 1;
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string_view::npos)
      fail("{}: line {}: expected two tokens separated by one space, found {}", merges_name, line_no,
           shown_token(line));
    std::string_view a = line.substr(0, space), b = line.substr(space + 1);
    auto ia = token_id.find(a);
    if (ia == token_id.end())
      fail("{}: line {}: {} is not a token of {}", merges_name, line_no, shown_token(a), vocab_name);
    auto ib = token_id.find(b);
    if (ib == token_id.end())
      fail("{}: line {}: {} is not a token of {}", merges_name, line_no, shown_token(b), vocab_name);
    joined.assign(a);
    joined.append(b);
    auto im = token_id.find(joined);
    if (im == token_id.end())
      fail("{}: line {}: merging {} and {} gives {}, which is not a token of {}", merges_name, line_no,
           shown_token(a), shown_token(b), shown_token(joined), vocab_name);
    impl->merges.put(ia->second, ib->second,
                     {static_cast<std::uint32_t>(i - first_line), im->second});
  }
  impl->merge_count = lines.size() - first_line;

  std::string both;
  both.reserve(vocab_json.size() + merges_text.size());
  both.append(vocab_json);
  both.append(merges_text);
  impl->sha256 = sha256_hex(both);
  impl->regex = compiled_pattern();
  return Tokenizer(std::move(impl));
}

Tokenizer Tokenizer::from_files(const fs::path& vocab_file, const fs::path& merges_file) {
  std::string vocab = read_file(vocab_file);
  std::string merges = read_file(merges_file);
  return from_memory(vocab, merges, vocab_file.string(), merges_file.string());
}

Tokenizer Tokenizer::from_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("{}: tokenizer folder does not exist or is not a folder", dir.string());
  const std::array<std::pair<const char*, const char*>, 2> pairs = {
      {{"vocab.json", "merges.txt"}, {"encoder.json", "vocab.bpe"}}};
  for (const auto& [vocab, merges] : pairs) {
    bool has_vocab = fs::exists(dir / vocab, ec), has_merges = fs::exists(dir / merges, ec);
    if (has_vocab && has_merges) return from_files(dir / vocab, dir / merges);
    if (has_vocab != has_merges)
      fail("{}: found {} but not {}", dir.string(), has_vocab ? vocab : merges, has_vocab ? merges : vocab);
  }
  fail("{}: no tokenizer files (expected vocab.json + merges.txt or encoder.json + vocab.bpe)", dir.string());
}

fs::path Tokenizer::default_dir() {
  if (const char* env = std::getenv("SCALEBENCH_TOKENIZER_DIR"); env && *env) return env;
  return SB_TOKENIZER_DEFAULT_DIR;
}

Tokenizer Tokenizer::load_default() {
  if (const char* env = std::getenv("SCALEBENCH_TOKENIZER_DIR"); env && *env) {
    try {
      return from_folder(env);
    } catch (const Error& e) {
      fail("SCALEBENCH_TOKENIZER_DIR: {}", e.what());
    }
  }
  fs::path dir = SB_TOKENIZER_DEFAULT_DIR;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec))
    fail("GPT-2 tokenizer files not found: {} does not exist; run scripts/setup.sh to fetch them "
         "(or set SCALEBENCH_TOKENIZER_DIR to a folder holding encoder.json + vocab.bpe)",
         dir.empty() ? std::string("(no default folder compiled in)") : dir.string());
  return from_folder(dir);
}

// --- public API ------------------------------------------------------------------------------------

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

std::vector<std::int32_t> Tokenizer::encode(std::string_view text, bool allow_special) const {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size() / 3 + 1);
  if (!allow_special || impl_->eot < 0) {
    impl_->encode_ordinary(text, ids);
    return ids;
  }
  for (std::size_t pos = 0;;) {
    std::size_t hit = text.find(kEndOfText, pos);
    impl_->encode_ordinary(text.substr(pos, hit == std::string_view::npos ? std::string_view::npos : hit - pos), ids);
    if (hit == std::string_view::npos) break;
    ids.push_back(impl_->eot);
    pos = hit + kEndOfText.size();
  }
  return ids;
}

std::string Tokenizer::decode(std::span<const std::int32_t> ids) const {
  std::string out;
  const auto& table = impl_->id_to_bytes;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::int32_t id = ids[i];
    if (id < 0 || std::size_t(id) >= table.size())
      fail("decode: token id {} (position {}) is out of range: the vocabulary has {} tokens (ids 0..{})",
           id, i, table.size(), table.size() - 1);
    out += table[id];
  }
  return out;
}

std::string Tokenizer::token_bytes(std::int32_t id) const {
  std::int32_t one[1] = {id};
  return decode(one);
}

int Tokenizer::vocab_size() const { return static_cast<int>(impl_->id_to_bytes.size()); }
int Tokenizer::eot_id() const { return impl_->eot; }
std::string Tokenizer::sha256() const { return impl_->sha256; }
std::size_t Tokenizer::merge_count() const { return impl_->merge_count; }
const std::string& Tokenizer::source() const { return impl_->source; }

void Tokenizer::clear_cache() const {
  std::lock_guard<std::mutex> lock(impl_->cache_mutex);
  impl_->cache.clear();
}

std::vector<std::string_view> Tokenizer::pretokenize(std::string_view text) const {
  std::vector<std::string_view> pieces;
  impl_->for_each_piece(text, [&](std::string_view p) { pieces.push_back(p); });
  return pieces;
}

std::vector<std::int32_t> TokenizerTestAccess::bpe_scan(const Tokenizer& t, std::string_view piece) {
  std::vector<std::int32_t> word(piece.size()), out;
  if (!piece.empty()) t.impl_->bpe_scan(piece, word.data(), out);
  return out;
}

std::vector<std::int32_t> TokenizerTestAccess::bpe_heap(const Tokenizer& t, std::string_view piece) {
  std::vector<std::int32_t> out;
  t.impl_->bpe_heap(piece, out);
  return out;
}

}  // namespace sb::tokenizer
