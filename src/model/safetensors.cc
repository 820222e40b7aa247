#include "model/safetensors.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "model/dtype.h"
#include "model/layout.h"
#include "util/error.h"

namespace sb::model {
namespace {

using nlohmann::json;

// Every dtype the safetensors format defines, with its element size: tensors of any of them
// can be laid out and validated (mask buffers, for example, are sometimes BOOL or U8); only
// F32 / F16 / BF16 can hold weights.
struct KnownDType {
  const char* name;
  std::size_t size;
};
constexpr KnownDType kKnownDTypes[] = {
    {"F64", 8}, {"F32", 4},  {"F16", 2}, {"BF16", 2}, {"I64", 8},     {"I32", 4},
    {"I16", 2}, {"I8", 1},   {"U64", 8}, {"U32", 4},  {"U16", 2},     {"U8", 1},
    {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};

std::optional<std::size_t> known_dtype_size(const std::string& s) {
  for (const auto& k : kKnownDTypes)
    if (s == k.name) return k.size;
  return std::nullopt;
}

// Nesting deeper than this cannot be a valid header (object -> entry -> shape array), and
// refusing it early keeps hostile headers ("[[[[...") from building huge trees.
constexpr int kMaxJsonDepth = 4;

std::uint64_t read_u64_le(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::string printable(const std::string& s) {
  // Tensor names come from untrusted files: keep error messages one readable line.
  std::string out;
  for (unsigned char c : s.substr(0, 200)) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out.push_back(static_cast<char>(c));
  }
  if (s.size() > 200) out += "...";
  return out;
}

std::uint64_t non_negative_int(const json& v, const std::string& where, const std::string& name,
                               const char* field) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    auto x = v.get<std::int64_t>();
    if (x >= 0) return static_cast<std::uint64_t>(x);
  }
  fail("{}: tensor '{}': \"{}\" must hold non-negative integers, found {}", where, printable(name),
       field, printable(v.dump()));
}

SafetensorsEntry parse_entry(const std::string& name, const json& v, const std::string& where) {
  const std::string pname = printable(name);
  if (!v.is_object())
    fail("{}: tensor '{}': expected an object with dtype, shape and data_offsets, found {}", where,
         pname, v.type_name());
  SafetensorsEntry e;
  e.name = name;
  auto dt = v.find("dtype");
  if (dt == v.end() || !dt->is_string())
    fail("{}: tensor '{}': missing or non-string \"dtype\"", where, pname);
  e.dtype_name = dt->get<std::string>();
  auto size = known_dtype_size(e.dtype_name);
  if (!size)
    fail("{}: tensor '{}': unknown dtype \"{}\" (safetensors dtypes are F64, F32, F16, BF16, "
         "I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3, F8_E5M2)",
         where, pname, printable(e.dtype_name));
  e.element_size = *size;
  e.dtype = dtype_from_name(e.dtype_name);

  auto sh = v.find("shape");
  if (sh == v.end() || !sh->is_array())
    fail("{}: tensor '{}': missing \"shape\" array", where, pname);
  std::uint64_t elements = 1;
  for (const auto& d : *sh) {
    const std::uint64_t dim = non_negative_int(d, where, name, "shape");
    if (dim > static_cast<std::uint64_t>(INT64_MAX) || __builtin_mul_overflow(elements, dim, &elements) ||
        elements > static_cast<std::uint64_t>(INT64_MAX))
      fail("{}: tensor '{}': shape overflows a 64-bit element count", where, pname);
    e.shape.push_back(static_cast<std::int64_t>(dim));
  }
  e.elements = static_cast<std::int64_t>(elements);

  auto off = v.find("data_offsets");
  if (off == v.end() || !off->is_array() || off->size() != 2)
    fail("{}: tensor '{}': \"data_offsets\" must be [begin, end]", where, pname);
  e.begin = non_negative_int((*off)[0], where, name, "data_offsets");
  e.end = non_negative_int((*off)[1], where, name, "data_offsets");
  if (e.begin > e.end)
    fail("{}: tensor '{}': data_offsets [{}, {}] end before they begin", where, pname, e.begin,
         e.end);
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(elements, static_cast<std::uint64_t>(e.element_size), &bytes))
    fail("{}: tensor '{}': shape {} x {} bytes overflows 64 bits", where, pname,
         shape_string(e.shape), e.element_size);
  if (bytes != e.end - e.begin)
    fail("{}: tensor '{}': shape {} of dtype {} needs {} bytes, but data_offsets [{}, {}] span {} "
         "bytes",
         where, pname, shape_string(e.shape), e.dtype_name, bytes, e.begin, e.end, e.end - e.begin);
  return e;
}

}  // namespace

SafetensorsHeader parse_safetensors(const std::uint8_t* data, std::size_t size,
                                    const std::string& where) {
  if (size < 8)
    fail("{}: truncated: the file is {} bytes, too short for the 8-byte header length", where,
         size);
  SafetensorsHeader h;
  h.header_bytes = read_u64_le(data);
  if (h.header_bytes > size - 8)
    fail("{}: header length {} runs past the end of the file (only {} bytes follow the length "
         "prefix; truncated or not a safetensors file)",
         where, h.header_bytes, size - 8);
  if (h.header_bytes > kMaxSafetensorsHeaderBytes)
    fail("{}: header length {} exceeds the safetensors limit of {} bytes", where, h.header_bytes,
         kMaxSafetensorsHeaderBytes);
  h.data_offset = 8 + h.header_bytes;
  h.data_bytes = size - h.data_offset;

  const char* text = reinterpret_cast<const char*>(data + 8);
  std::unordered_set<std::string> seen;
  json j;
  try {
    auto cb = [&](int depth, json::parse_event_t ev, json& parsed) -> bool {
      if (depth > kMaxJsonDepth)
        fail("{}: malformed JSON header: nested deeper than {} levels", where, kMaxJsonDepth);
      if (ev == json::parse_event_t::key && depth == 1) {
        const auto& key = parsed.get_ref<const std::string&>();
        if (!seen.insert(key).second)
          fail("{}: tensor '{}': duplicate name in the header", where, printable(key));
      }
      return true;
    };
    j = json::parse(text, text + h.header_bytes, cb);
  } catch (const json::exception& e) {
    fail("{}: malformed JSON header ({})", where, e.what());
  }
  if (!j.is_object())
    fail("{}: malformed JSON header: expected an object mapping tensor names, found {}", where,
         j.type_name());

  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object())
        fail("{}: \"__metadata__\" must be an object of strings, found {}", where, it->type_name());
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string())
          fail("{}: \"__metadata__\" entry '{}' must be a string, found {}", where,
               printable(m.key()), m->type_name());
        h.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    h.tensors.push_back(parse_entry(it.key(), *it, where));
  }

  for (const auto& e : h.tensors)
    if (e.end > h.data_bytes)
      fail("{}: tensor '{}': data_offsets [{}, {}] leave the data buffer, which holds {} bytes "
           "(file {} bytes, data starts at byte {})",
           where, printable(e.name), e.begin, e.end, h.data_bytes, size, h.data_offset);

  // Tensors must tile the buffer: sorted by offset, each starts where the previous ended.
  std::sort(h.tensors.begin(), h.tensors.end(), [](const auto& a, const auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t cursor = 0;
  const SafetensorsEntry* prev = nullptr;
  for (const auto& e : h.tensors) {
    if (e.begin < cursor)
      fail("{}: tensor '{}': data_offsets [{}, {}] overlap tensor '{}' at [{}, {}]", where,
           printable(e.name), e.begin, e.end, printable(prev->name), prev->begin, prev->end);
    if (e.begin > cursor)
      fail("{}: tensor '{}': data_offsets [{}, {}] leave a hole of {} bytes after {} (expected "
           "it to start at {})",
           where, printable(e.name), e.begin, e.end, e.begin - cursor,
           prev ? fmt::format("tensor '{}'", printable(prev->name)) : std::string("the buffer start"),
           cursor);
    cursor = e.end;
    prev = &e;
  }
  if (cursor != h.data_bytes)
    fail("{}: {} trailing bytes after {} are not covered by any tensor (data buffer {} bytes, "
         "tensors end at {})",
         where, h.data_bytes - cursor,
         prev ? fmt::format("tensor '{}'", printable(prev->name)) : std::string("the header"),
         h.data_bytes, cursor);
  return h;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : map_(path) {
  header_ = parse_safetensors(map_.data(), map_.size(), path.string());
}

std::vector<const TensorToWrite*> write_order(std::span<const TensorToWrite> tensors) {
  std::vector<const TensorToWrite*> order;
  order.reserve(tensors.size());
  for (const auto& t : tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return order;
}

std::string safetensors_header_bytes(std::span<const TensorToWrite> tensors, const WriteOptions& o) {
  // nlohmann's object is a std::map: keys come out sorted, as in files HF writes.
  json j = json::object();
  if (!o.metadata.empty()) j["__metadata__"] = o.metadata;
  std::uint64_t offset = 0;
  const std::uint64_t esize = dtype_size(o.dtype);
  for (const auto* t : write_order(tensors)) {
    std::uint64_t n = 1;
    for (auto d : t->shape) {
      if (d < 0) fail("safetensors writer: tensor '{}' has a negative dimension", t->name);
      n *= static_cast<std::uint64_t>(d);
    }
    const std::uint64_t bytes = n * esize;
    j[t->name] = {{"dtype", dtype_name(o.dtype)},
                  {"shape", t->shape},
                  {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = j.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  std::uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + text;
}

namespace {

// Owns a file descriptor; closes and (unless committed) unlinks the temp file on scope exit.
class TempFile {
 public:
  explicit TempFile(std::filesystem::path final_path) : final_(std::move(final_path)) {
    tmp_ = final_;
    tmp_ += ".tmp." + std::to_string(::getpid());
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("{}: cannot create ({})", tmp_.string(), std::strerror(errno));
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        fail("{}: write failed ({})", tmp_.string(), std::strerror(errno));
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  void truncate(std::uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
      fail("{}: cannot extend to {} bytes ({})", tmp_.string(), size, std::strerror(errno));
  }
  void commit() {
    if (::fsync(fd_) != 0) fail("{}: fsync failed ({})", tmp_.string(), std::strerror(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_.c_str(), final_.c_str()) != 0)
      fail("{}: rename from {} failed ({})", final_.string(), tmp_.string(), std::strerror(errno));
    committed_ = true;
  }

 private:
  std::filesystem::path final_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

std::uint64_t write_safetensors(const std::filesystem::path& path,
                                std::span<const TensorToWrite> tensors, const WriteOptions& o) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  const std::string header = safetensors_header_bytes(tensors, o);
  TempFile file(path);
  file.write(header.data(), header.size());
  std::uint64_t total = header.size();
  const std::size_t esize = dtype_size(o.dtype);
  if (o.sparse_zero_data) {
    for (const auto* t : write_order(tensors)) {
      std::uint64_t n = 1;
      for (auto d : t->shape) n *= static_cast<std::uint64_t>(d);
      total += n * esize;
    }
    file.truncate(total);
  } else {
    constexpr std::size_t kChunkElements = 1 << 20;   // 4 MB of fp32 per conversion buffer
    std::vector<unsigned char> buf(kChunkElements * esize);
    for (const auto* t : write_order(tensors)) {
      std::uint64_t n = 1;
      for (auto d : t->shape) n *= static_cast<std::uint64_t>(d);
      if (n > 0 && t->data == nullptr) fail("{}: tensor '{}' has no data to write", path.string(), t->name);
      for (std::uint64_t i = 0; i < n; i += kChunkElements) {
        const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkElements, n - i));
        if (o.dtype == DType::F32) {
          file.write(t->data + i, m * 4);   // host floats are already the little-endian bytes
        } else {
          convert_from_f32(t->data + i, m, o.dtype, buf.data());
          file.write(buf.data(), m * esize);
        }
      }
      total += n * esize;
    }
  }
  file.commit();
  return total;
}

}  // namespace sb::model
