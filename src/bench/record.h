// bench/record — the one record type of scalebench's raw results (records.jsonl).
// Contract: records hold raw measurements only (prefill latency, per-step decode latencies,
// load time, memory); every derived metric (TPOT, throughputs, end-to-end) is computed by the
// report's metric registry from these.  One JSON object per line; schema in docs/formats.md.
// A failed cell is one record with kind "failure": its status, error text and what was
// observed — it never carries metric values.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::bench {

inline constexpr const char* kRecordSchema = "scalebench.record/1";

enum class Status { kOk, kFailed, kTimeout, kOom, kCrash, kUnsupported };
const char* status_name(Status s);                 // "ok", "failed", "timeout", ...
Status parse_status(const std::string& s);         // throws sb::Error on unknown names

// Identifies one cell: (model, backend, precision, options, device, scenario, phase).
struct CellKey {
  std::string model;         // model id as the study names it (preset, folder name, shape)
  std::string backend;       // native-cpu, native-cuda, onnxruntime-cpu, ...
  std::string precision;     // fp32, fp16, bf16, int8, fp8
  nlohmann::json options = nlohmann::json::object();  // backend options (threads, graph mode...)
  std::string device;        // "cpu", "cuda:0"
  std::string scenario;      // single_micro, ..., or a user-defined name
  int batch = 0;
  int prompt_len = 0;
  int new_tokens = 0;        // N: tokens generated per sequence in a decode sample (>= 2)
  std::string phase;         // "prefill" | "decode"

  // model|backend|precision|options(canonical JSON)|device: the worker-process unit.
  std::string group_id() const;
  // group_id|scenario|BxS|N|phase: unique per cell.
  std::string id() const;
  bool operator==(const CellKey& o) const { return id() == o.id(); }
};

struct Observed {            // what a failing cell got done before it failed
  int samples_done = 0;
  int samples_planned = 0;
  std::int64_t tokens_produced = 0;
  double elapsed_ms = 0.0;
};

struct Record {
  enum class Kind { kSample, kFailure, kWorkerStart };
  Kind kind = Kind::kSample;
  CellKey cell;                              // for kWorkerStart: scenario/phase empty
  int sample_index = -1;                     // 0-based among measured (or warmup) samples
  bool warmup = false;
  Status status = Status::kOk;
  std::string error;                         // failure text (kFailure)
  Observed observed;                         // kFailure
  // Raw measurements (kSample).
  std::optional<double> prefill_ms;          // time to first token of every sequence on host
  std::vector<double> decode_step_ms;        // decode phase: N-1 step latencies, in order
  std::string logits_mode = "last";          // what the benchmark prefill computed
  // kWorkerStart: load/build of the group's backend.
  std::optional<double> load_ms;
  std::optional<double> build_ms;
  std::optional<std::int64_t> peak_rss_bytes;
  std::optional<std::int64_t> peak_device_bytes;
  nlohmann::json env = nlohmann::json::object();  // per-cell environment sample
  // kWorkerStart: backend info (name, precision, device, library versions, description),
  // declared capabilities, artifact metadata and the worker's attempt number in its group.
  nlohmann::json worker = nlohmann::json::object();
  // kSample: extra facts the worker reported for the whole cell (cell_done fields beyond the
  // protocol's, e.g. the transformers worker's compile statistics).
  nlohmann::json cell_info = nlohmann::json::object();
  bool throttled = false;
  std::string utc;                           // ISO-8601 UTC time the record was written
  std::string run_id;                        // links to manifest.json's run_id

  nlohmann::json to_json() const;
  // Throws sb::Error naming `where` (e.g. "records.jsonl:12") and the field on bad input.
  static Record from_json(const nlohmann::json& j, const std::string& where);
};

nlohmann::json cell_key_to_json(const CellKey& k);
CellKey cell_key_from_json(const nlohmann::json& j, const std::string& where);

// Reads a records.jsonl file; a truncated last line (killed writer) is ignored with a warning
// count, any other bad line throws sb::Error("<path>:<line>: ...").
struct RecordFile {
  std::vector<Record> records;
  int truncated_tail_lines = 0;
};
RecordFile read_records(const std::string& path);

}  // namespace sb::bench
