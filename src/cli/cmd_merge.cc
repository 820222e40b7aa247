// `scalebench merge DIR... --out DIR`: join shard folders of one study into one run folder.
#include <iostream>

#include <fmt/format.h>

#include "bench/merge.h"
#include "cli/command.h"

namespace {
sb::cli::CommandRegistration reg{"merge", [](CLI::App& app) {
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  auto* c = app.add_subcommand("merge", "Merge shard folders of one study (same study and binary) into one folder");
  c->add_option("dirs", *inputs, "Shard output folders")->required()->check(CLI::ExistingDirectory);
  c->add_option("-o,--out", *out, "Output folder (new)")->required();
  c->callback([inputs, out] {
    std::vector<std::filesystem::path> dirs(inputs->begin(), inputs->end());
    auto s = sb::bench::merge_runs(dirs, *out);
    std::cerr << fmt::format("merged {} folders: {} cells planned in them ({} in the whole study)\n", s.inputs,
                             s.cells, s.study_cells);
    if (s.mixed_hosts) std::cerr << "WARNING: the shards ran on different hosts; comparisons across them are refused\n";
    if (s.mixed_gpus) std::cerr << "WARNING: the shards ran on different GPUs; comparisons across them are refused\n";
    for (int i : s.missing_shards) std::cerr << "missing shard: " << i << "\n";
    for (const auto& id : s.missing_cells) std::cerr << "missing cell: " << id << "\n";
    for (const auto& id : s.duplicate_cells) std::cerr << "duplicate cell (first kept): " << id << "\n";
    std::cout << (std::filesystem::path(*out) / "records.jsonl").string() << "\n";
  });
}};
}  // namespace
