// bench/merge — `scalebench merge DIR... --out DIR`: join shard folders into one run folder.
// Contract: every input must come from the same study text (sha256) and the same binary
// (sha256), otherwise sb::Error lists the differences.  Different hosts or GPUs are allowed but
// flagged in the merged manifest ("merge": {"mixed_hosts", "mixed_gpus", "sources"}) so the
// report can refuse comparisons across them.  Cells finished in more than one input are
// duplicates (the first input's records are kept); planned cells finished nowhere, and shards
// of the study that no input covers, are reported as missing.  Records are copied verbatim.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace sb::bench {

struct MergeSummary {
  int inputs = 0;
  int cells = 0;                           // cells in the merged plan
  int study_cells = 0;                     // cells of the whole study
  std::vector<std::string> missing_cells;  // planned in an input but finished nowhere
  std::vector<int> missing_shards;         // shard indices no input covers
  std::vector<std::string> duplicate_cells;
  bool mixed_hosts = false, mixed_gpus = false;
};

MergeSummary merge_runs(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& out);

}  // namespace sb::bench
