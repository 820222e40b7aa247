#include "bench/plan.h"

#include <algorithm>
#include <map>

#include "util/error.h"
#include "util/hash.h"

namespace sb::bench {
using nlohmann::json;

std::uint64_t SplitMix64::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t SplitMix64::below(std::uint64_t n) {
  if (n == 0) fail("SplitMix64::below(0)");
  std::uint64_t x = next();
  unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = next();
      m = static_cast<unsigned __int128>(x) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

namespace {
template <typename T>
void shuffle(std::vector<T>& v, SplitMix64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}
std::uint64_t string_seed(const std::string& s) {
  auto h = sha256_hex(s).substr(0, 16);
  return std::stoull(h, nullptr, 16);
}
}  // namespace

Plan make_plan(const Study& study) {
  Plan plan;
  plan.order_seed = study.order_seed;
  std::map<std::string, PlannedGroup> groups;
  for (const auto& m : study.models)
    for (const auto& b : study.backends)
      for (const auto& precision : b.precisions)
        for (const auto& options : b.options)
          for (const auto& device : b.devices)
            for (const auto& sc : study.scenarios)
              for (const auto& phase : study.phases) {
                PlannedCell c;
                c.key.model = m.id;
                c.key.backend = b.name;
                c.key.precision = precision;
                c.key.options = options;
                c.key.device = device;
                c.key.scenario = sc.name;
                c.key.batch = sc.batch;
                c.key.prompt_len = sc.prompt_len;
                c.key.new_tokens = study.new_tokens;
                c.key.phase = phase;
                c.model_spec = m.spec;
                c.warmup = study.warmup;
                c.repetitions = study.repetitions;
                auto gid = c.key.group_id();
                auto& g = groups[gid];
                if (g.id.empty()) {
                  g.id = gid;
                  g.model_id = m.id;
                  g.model_spec = m.spec;
                  g.backend = b.name;
                  g.precision = precision;
                  g.device = device;
                  g.options = options;
                }
                g.cells.push_back(static_cast<int>(plan.cells.size()));
                plan.cells.push_back(std::move(c));
              }
  // Duplicate cells (the same backend listed twice with the same settings) would collide.
  {
    std::map<std::string, int> seen;
    for (const auto& c : plan.cells)
      if (++seen[c.key.id()] > 1)
        fail("the study lists cell '{}' twice (same backend, precision, options and device "
             "given in two [[backends]] entries)", c.key.id());
  }
  // std::map iterates in id order: the canonical order sharding uses.
  for (auto& [id, g] : groups) {
    std::sort(g.cells.begin(), g.cells.end(),
              [&](int a, int b) { return plan.cells[a].key.id() < plan.cells[b].key.id(); });
    SplitMix64 cell_rng(plan.order_seed ^ string_seed(id));
    shuffle(g.cells, cell_rng);
    plan.groups.push_back(std::move(g));
  }
  SplitMix64 rng(plan.order_seed);
  shuffle(plan.groups, rng);
  plan.total_cells_in_study = static_cast<int>(plan.cells.size());
  plan.total_groups_in_study = static_cast<int>(plan.groups.size());
  return plan;
}

Plan shard_plan(const Plan& plan, int index, int count) {
  if (count < 1 || index < 0 || index >= count)
    throw UsageError(fmt::format("shard {}/{}: expected 0 <= i < N", index, count));
  std::vector<std::string> ids;
  for (const auto& g : plan.groups) ids.push_back(g.id);
  std::sort(ids.begin(), ids.end());
  Plan out;
  out.order_seed = plan.order_seed;
  out.shard_index = index;
  out.shard_count = count;
  out.total_cells_in_study = plan.total_cells_in_study;
  out.total_groups_in_study = plan.total_groups_in_study;
  for (const auto& g : plan.groups) {
    auto pos = std::lower_bound(ids.begin(), ids.end(), g.id) - ids.begin();
    if (pos % count != index) continue;
    PlannedGroup ng = g;
    ng.cells.clear();
    for (int ci : g.cells) {
      ng.cells.push_back(static_cast<int>(out.cells.size()));
      out.cells.push_back(plan.cells[ci]);
    }
    out.groups.push_back(std::move(ng));
  }
  return out;
}

std::int64_t Plan::measured_samples() const {
  std::int64_t n = 0;
  for (const auto& c : cells) n += c.repetitions;
  return n;
}
std::int64_t Plan::warmup_samples() const {
  std::int64_t n = 0;
  for (const auto& c : cells) n += c.warmup;
  return n;
}

json Plan::to_json() const {
  json jc = json::array();
  for (const auto& g : groups)
    for (int ci : g.cells) {
      const auto& c = cells[ci];
      jc.push_back(json{{"cell", cell_key_to_json(c.key)}, {"cell_id", c.key.id()},
                        {"warmup", c.warmup}, {"repetitions", c.repetitions}});
    }
  return json{{"cells", jc},
              {"groups", groups.size()},
              {"order_seed", order_seed},
              {"shard", json{{"index", shard_index}, {"count", shard_count}}},
              {"study_cells", total_cells_in_study},
              {"study_groups", total_groups_in_study}};
}

std::vector<std::int32_t> make_prompt(std::uint64_t prompt_seed, int batch, int seq, int vocab_size) {
  if (batch < 1 || seq < 1) fail("make_prompt: batch {} x seq {} must be positive", batch, seq);
  if (vocab_size < 2) fail("make_prompt: vocabulary of {} tokens is too small", vocab_size);
  std::uint64_t bound = static_cast<std::uint64_t>(std::min(vocab_size, 50256));
  SplitMix64 rng(prompt_seed ^ (static_cast<std::uint64_t>(batch) << 32) ^
                 static_cast<std::uint64_t>(seq) * 0x100000001B3ull);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(batch) * seq);
  for (auto& id : ids) id = static_cast<std::int32_t>(rng.below(bound));
  return ids;
}

}  // namespace sb::bench
