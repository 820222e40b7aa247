// report/inputs — reads what the report consumes: DIR/manifest.json (schema
// scalebench.manifest/1), DIR/records.jsonl (scalebench.record/1, via bench::read_records) and
// DIR/accuracy.jsonl (scalebench.accuracy/1, optional).  Schemas: /work/CONTRACTS.md and
// docs/formats.md.  Every missing or mistyped field throws sb::Error naming file and field.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/record.h"

namespace sb::report {

struct PlannedCell {
  bench::CellKey key;
  int warmup = 0;
  int repetitions = 0;
};

struct ModelInfo {
  std::string id;
  std::int64_t params = 0;
  int n_layer = 0, n_head = 0, n_embd = 0, n_positions = 0, vocab_size = 0;
  std::string spec, sha256;
  std::uint64_t bytes_on_disk = 0;
  bool synthetic = false;
};

// Where a group of records was measured: one per merged source (manifest.merge.sources), or the
// manifest's own host and GPUs for an unmerged run.  `key` is what must match for two cells to
// be compared (host name, CPU model and the GPU names + UUIDs); `label` is what the report shows.
struct Source {
  std::string run_id;
  std::string key;
  std::string label;
};

struct Manifest {
  nlohmann::json raw;                 // the whole file, for environment/appendix sections
  // Models whose manifest entry lacks a measured parameter count or architecture field (a model
  // no worker loaded, or an entry from an older writer): id -> what is missing.  They get no
  // size-based analysis (scaling, crossover, roofline) and the report says why.
  std::map<std::string, std::string> models_incomplete;
  std::string run_id;
  std::string study_name;
  std::string started_utc, finished_utc;
  std::vector<PlannedCell> plan;
  int plan_groups = 0;
  std::string baseline_backend;       // options.baseline_backend ("" = none)
  bool exclude_outliers = false;
  std::optional<double> price_per_hour_usd;
  std::map<std::string, ModelInfo> models;
  std::uint64_t order_seed = 0;
  std::string claims_file;            // options.claims as the study wrote it ("" = none)
  // Measurement sources.  merged: manifest.merge is present; then records are assigned to a
  // source by their run_id, and sources with different keys are never compared.
  std::vector<Source> sources;
  bool merged = false;
  bool mixed_sources() const;         // more than one distinct Source::key
  std::string source_key_of_run(const std::string& run_id) const;    // "" when unknown
  std::string source_label_of_run(const std::string& run_id) const;  // "" when unknown
};

struct AccuracyLine {
  std::string model, backend, precision, device, status, error, verdict, verdict_reason;
  std::optional<double> ppl, ppl_rel_delta, kl_mean, top1_agreement;
  std::optional<bool> model_trained;
  std::string reference_backend, reference_precision;
};

struct Inputs {
  Manifest manifest;
  std::vector<bench::Record> records;
  int truncated_tail_lines = 0;
  std::vector<AccuracyLine> accuracy;
  bool accuracy_present = false;
};

Manifest parse_manifest(const nlohmann::json& j, const std::string& where);
AccuracyLine parse_accuracy_line(const nlohmann::json& j, const std::string& where);
Inputs read_inputs(const std::filesystem::path& dir);

}  // namespace sb::report
