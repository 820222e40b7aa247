// model/safetensors — reading and writing the safetensors format (Hugging Face).
// Format: u64 little-endian header length N, N bytes of JSON header, then the data buffer.
// The header maps tensor names to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
// relative to the data buffer) plus an optional "__metadata__" object of string -> string.
// Contract of parse_safetensors (it must never crash, whatever the bytes; fuzzed):
//  - validates: file long enough for the length prefix; header length within the file (and at
//    most 100 MB, safetensors' own limit); header is valid JSON, an object, nested at most a few
//    levels; no duplicate names; each entry has a known dtype, a shape of non-negative
//    integers, and data_offsets [begin <= end]; shape x dtype size == end - begin (no overflow);
//    offsets inside the data buffer; tensors tile the buffer exactly: no overlap, no holes, no
//    trailing bytes.  The first violation throws sb::Error "<where>: tensor '<name>': <problem>
//    (expected ..., found ...)".
//  - does not judge whether tensors make a GPT-2: model.cc checks that against config.json.
// Writer: tensors are written sorted by name, contiguous, header padded with spaces to a
// multiple of 8 bytes (as the reference implementation does); the file appears atomically.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/config.h"
#include "util/files.h"

namespace sb::model {

constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct SafetensorsEntry {
  std::string name;                   // as written in the file
  std::string dtype_name;             // as written ("F32", "I64", ...)
  std::optional<DType> dtype;         // set for F32 / F16 / BF16, the dtypes weights may use
  std::size_t element_size = 0;
  std::vector<std::int64_t> shape;
  std::int64_t elements = 0;
  std::uint64_t begin = 0, end = 0;   // byte offsets within the data buffer
};

struct SafetensorsHeader {
  std::uint64_t header_bytes = 0;     // N
  std::uint64_t data_offset = 0;      // 8 + N: where the data buffer starts in the file
  std::uint64_t data_bytes = 0;
  std::map<std::string, std::string> metadata;
  std::vector<SafetensorsEntry> tensors;   // in data-buffer order
};

// Parses and validates a whole safetensors file held in memory; `where` names it in errors.
SafetensorsHeader parse_safetensors(const std::uint8_t* data, std::size_t size,
                                    const std::string& where);

// A memory-mapped, validated safetensors file.
class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& path);
  const SafetensorsHeader& header() const { return header_; }
  const std::filesystem::path& path() const { return map_.path(); }
  std::uint64_t file_bytes() const { return map_.size(); }
  const std::uint8_t* data(const SafetensorsEntry& e) const {
    return map_.data() + header_.data_offset + e.begin;
  }

 private:
  MappedFile map_;
  SafetensorsHeader header_;
};

struct TensorToWrite {
  std::string name;
  std::vector<std::int64_t> shape;
  const float* data = nullptr;        // host fp32, converted to the file dtype while writing
};

struct WriteOptions {
  DType dtype = DType::F32;
  std::map<std::string, std::string> metadata;   // e.g. {"format": "pt"}; empty -> no entry
  // Skeleton mode: write the real header but leave the data buffer as a sparse run of zeros
  // (ftruncate), ignoring TensorToWrite::data.  For tests and inspection of huge shapes.
  bool sparse_zero_data = false;
};

// Writes <path> atomically (temp file, fsync, rename).  Returns the file size in bytes.
std::uint64_t write_safetensors(const std::filesystem::path& path,
                                std::span<const TensorToWrite> tensors, const WriteOptions& o);

// The order in which tensors are laid out in the data buffer: sorted by name.
std::vector<const TensorToWrite*> write_order(std::span<const TensorToWrite> tensors);

// The exact header bytes (length prefix included) write_safetensors would produce; with the
// tensor bytes that follow they form the canonical serialization (used for synthetic SHA-256).
std::string safetensors_header_bytes(std::span<const TensorToWrite> tensors, const WriteOptions& o);

}  // namespace sb::model
