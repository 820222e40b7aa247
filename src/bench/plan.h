// bench/plan — a study expanded into cells and groups, in a seeded interleaved order.
// Contract:
//  - A cell is (model, backend, precision, options, device, scenario, phase) (record.h
//    CellKey); a group is the cells sharing (model, backend, precision, options, device) and
//    runs in one worker process.
//  - The order is deterministic for a study and order seed: groups are shuffled (Fisher-Yates
//    over SplitMix64) so backends interleave instead of running one after another, and the
//    cells inside a group are shuffled with a per-group stream.  Prompts use a separate seed.
//  - shard_plan(i, N) keeps the groups whose position in id-sorted order is i mod N: every
//    group lands in exactly one shard, whatever the order seed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/record.h"
#include "bench/study.h"

namespace sb::bench {

// SplitMix64: tiny, fast, and the same sequence on every platform (std:: distributions are not).
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, n) (n > 0), by Lemire's multiply-shift with rejection.
  std::uint64_t below(std::uint64_t n);

 private:
  std::uint64_t state_;
};

struct PlannedCell {
  CellKey key;
  std::string model_spec;
  int warmup = 0;
  int repetitions = 0;
};

struct PlannedGroup {
  std::string id;                 // CellKey::group_id()
  std::string model_id, model_spec, backend, precision, device;
  nlohmann::json options;
  std::vector<int> cells;         // indices into Plan::cells, in run order
};

struct Plan {
  std::vector<PlannedCell> cells;
  std::vector<PlannedGroup> groups;   // in run order
  std::uint64_t order_seed = 0;
  int shard_index = 0, shard_count = 1;
  int total_cells_in_study = 0;       // before sharding
  int total_groups_in_study = 0;

  std::int64_t measured_samples() const;
  std::int64_t warmup_samples() const;
  // The manifest's "plan" object (CONTRACTS.md) plus shard information.
  nlohmann::json to_json() const;
};

Plan make_plan(const Study& study);
Plan shard_plan(const Plan& plan, int index, int count);

// Token ids [batch * seq] for a scenario: seeded by (prompt seed, batch, seq) only, so every
// backend and precision of a model sees the same prompt.  Ids are uniform in [0, min(vocab, 50256))
// (never the end-of-text token).
std::vector<std::int32_t> make_prompt(std::uint64_t prompt_seed, int batch, int seq, int vocab_size);

}  // namespace sb::bench
