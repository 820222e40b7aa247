// backends/protocol — the worker protocol (JSON lines over stdin/stdout) and the logits file
// format.  docs/formats.md is the normative description; this header holds the names.
// Contract:
//  - Parent -> worker ops: load (once, first), run (one cell: warmups + repetitions, timing
//    loop inside the worker), logits (accuracy, result in a file), shutdown (or stdin EOF).
//  - Worker -> parent messages: ready, sample (one per finished sample, never per step),
//    cell_done, logits, error, log.  After an error with status failed or oom the worker
//    exits; after `unsupported` it waits for the next op.
//  - Logits files: raw little-endian float32, row-major [rows, vocab], plus a JSON sidecar
//    <file>.json (schema scalebench.logits/1) saying rows, vocab, batch, seq, mode, sha256.
#pragma once
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::backends {

inline constexpr const char* kWorkerProtocol = "scalebench.worker/1";
inline constexpr const char* kLogitsSchema = "scalebench.logits/1";

struct LogitsFileInfo {
  std::int64_t rows = 0;     // batch (mode last) or batch*seq (mode all)
  std::int64_t vocab = 0;
  int batch = 0;
  int seq = 0;
  std::string mode;          // "last" | "all"
  std::string sha256;        // of the raw float32 file
  nlohmann::json to_json() const;
};

// Writes <path> (raw float32 LE) and <path>.json atomically; returns the sidecar info.
LogitsFileInfo write_logits_file(const std::filesystem::path& path, std::span<const float> values,
                                 int batch, int seq, const std::string& mode, std::int64_t vocab);
// Reads and checks a logits file against its sidecar (size, sha256); errors name the file.
std::vector<float> read_logits_file(const std::filesystem::path& path, LogitsFileInfo* info = nullptr);

// Parses one protocol line; throws sb::Error("<who>: malformed protocol line ...").
nlohmann::json parse_protocol_line(const std::string& line, const std::string& who);

}  // namespace sb::backends
