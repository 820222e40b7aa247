#include "backends/protocol.h"

#include <bit>
#include <cstring>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace sb::backends {
using nlohmann::json;
namespace fs = std::filesystem;

static_assert(std::endian::native == std::endian::little,
              "logits files are little-endian float32; add byte swapping for this platform");

json LogitsFileInfo::to_json() const {
  return json{{"schema", kLogitsSchema}, {"dtype", "float32"}, {"byte_order", "little"},
              {"rows", rows},            {"vocab", vocab},      {"batch", batch},
              {"seq", seq},              {"mode", mode},        {"sha256", sha256}};
}

LogitsFileInfo write_logits_file(const fs::path& path, std::span<const float> values, int batch,
                                 int seq, const std::string& mode, std::int64_t vocab) {
  if (vocab <= 0 || values.size() % static_cast<std::size_t>(vocab) != 0)
    fail("{}: {} logits are not a whole number of rows of vocab {}", path.string(), values.size(), vocab);
  std::string_view bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  LogitsFileInfo info;
  info.rows = static_cast<std::int64_t>(values.size()) / vocab;
  info.vocab = vocab;
  info.batch = batch;
  info.seq = seq;
  info.mode = mode;
  info.sha256 = sha256_hex(bytes);
  write_file_atomic(path, bytes);
  fs::path sidecar = path;
  sidecar += ".json";
  write_file_atomic(sidecar, info.to_json().dump(2) + "\n");
  return info;
}

std::vector<float> read_logits_file(const fs::path& path, LogitsFileInfo* out_info) {
  fs::path sidecar = path;
  sidecar += ".json";
  json j = json::parse(read_file(sidecar), nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail("{}: not a JSON object", sidecar.string());
  if (j.value("schema", "") != kLogitsSchema)
    fail("{}: schema '{}' (expected '{}')", sidecar.string(), j.value("schema", ""), kLogitsSchema);
  if (j.value("dtype", "") != "float32" || j.value("byte_order", "") != "little")
    fail("{}: only little-endian float32 logits are supported", sidecar.string());
  LogitsFileInfo info;
  info.rows = j.value("rows", std::int64_t{0});
  info.vocab = j.value("vocab", std::int64_t{0});
  info.batch = j.value("batch", 0);
  info.seq = j.value("seq", 0);
  info.mode = j.value("mode", "");
  info.sha256 = j.value("sha256", "");
  std::string bytes = read_file(path);
  auto expected = static_cast<std::size_t>(info.rows * info.vocab) * sizeof(float);
  if (bytes.size() != expected)
    fail("{}: {} bytes, expected rows {} x vocab {} x 4 = {}", path.string(), bytes.size(),
         info.rows, info.vocab, expected);
  if (!info.sha256.empty() && sha256_hex(bytes) != info.sha256)
    fail("{}: SHA-256 does not match its sidecar (file changed or corrupt)", path.string());
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  if (out_info) *out_info = info;
  return values;
}

json parse_protocol_line(const std::string& line, const std::string& who) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::string shown = line.size() > 200 ? line.substr(0, 200) + "..." : line;
    fail("{}: malformed protocol line (not a JSON object): {}", who, shown);
  }
  return j;
}

}  // namespace sb::backends
