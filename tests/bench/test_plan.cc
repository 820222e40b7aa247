// Planner: counts, deterministic interleaved order, shards that partition the groups, prompts.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "bench/plan.h"
#include "bench/study.h"
#include "util/error.h"

namespace sb::bench {
namespace {

Study study_with_seed(int seed) {
  std::string text = "seed = " + std::to_string(seed) + R"(
models = ["tiny-gpt2", "shape:L=2,H=2,E=8,V=300,P=256"]
new_tokens = 4
warmup = 2
repetitions = 3
[[backends]]
name = "null"
precisions = ["fp32", "fp16"]
options = [{ step_us = 0 }, { step_us = 1 }]
[[backends]]
name = "native-cpu"
)";
  return parse_study(text, "t.toml", ".");
}

TEST(Plan, CountsAreTheProductOfTheStudyAxes) {
  Plan p = make_plan(study_with_seed(1));
  // groups: models 2 x (null: 2 precisions x 2 option sets + native-cpu: 1) = 10
  EXPECT_EQ(p.groups.size(), 10u);
  // cells: groups x 6 scenarios x 2 phases
  EXPECT_EQ(p.cells.size(), 10u * 6 * 2);
  EXPECT_EQ(p.measured_samples(), static_cast<std::int64_t>(p.cells.size()) * 3);
  EXPECT_EQ(p.warmup_samples(), static_cast<std::int64_t>(p.cells.size()) * 2);
  std::set<std::string> ids;
  for (const auto& c : p.cells) ids.insert(c.key.id());
  EXPECT_EQ(ids.size(), p.cells.size()) << "cell ids must be unique (options are part of the key)";
  for (const auto& g : p.groups) {
    EXPECT_EQ(g.cells.size(), 12u);
    for (int ci : g.cells) EXPECT_EQ(p.cells[ci].key.group_id(), g.id);
  }
}

std::vector<std::string> order_of(const Plan& p) {
  std::vector<std::string> ids;
  for (const auto& g : p.groups)
    for (int ci : g.cells) ids.push_back(p.cells[ci].key.id());
  return ids;
}

TEST(Plan, OrderIsDeterministicForASeedAndChangesWithIt) {
  auto a = order_of(make_plan(study_with_seed(1)));
  auto b = order_of(make_plan(study_with_seed(1)));
  auto c = order_of(make_plan(study_with_seed(2)));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto sorted_a = a, sorted_c = c;
  std::sort(sorted_a.begin(), sorted_a.end());
  std::sort(sorted_c.begin(), sorted_c.end());
  EXPECT_EQ(sorted_a, sorted_c) << "same cells, different order";
}

TEST(Plan, BackendsAreInterleavedNotRunOneAfterAnother) {
  // Over several seeds, the group order must not be sorted by backend every time.
  int interleaved = 0;
  for (int seed = 1; seed <= 10; ++seed) {
    Plan p = make_plan(study_with_seed(seed));
    int switches = 0;
    for (std::size_t i = 1; i < p.groups.size(); ++i) switches += p.groups[i].backend != p.groups[i - 1].backend;
    if (switches > 1) ++interleaved;  // sorted order has exactly one switch
  }
  EXPECT_GE(interleaved, 8);
}

TEST(Plan, ShardsPartitionTheGroups) {
  Plan full = make_plan(study_with_seed(3));
  for (int n : {1, 2, 3, 7, 20}) {
    std::multiset<std::string> cells;
    for (int i = 0; i < n; ++i) {
      Plan s = shard_plan(full, i, n);
      EXPECT_EQ(s.total_cells_in_study, static_cast<int>(full.cells.size()));
      for (const auto& c : s.cells) cells.insert(c.key.id());
      // A shard holds whole groups.
      for (const auto& g : s.groups) EXPECT_EQ(g.cells.size(), 12u);
    }
    EXPECT_EQ(cells.size(), full.cells.size()) << n << " shards";
    std::set<std::string> unique(cells.begin(), cells.end());
    EXPECT_EQ(unique.size(), full.cells.size()) << "no cell in two shards";
  }
  EXPECT_THROW(shard_plan(full, 2, 2), sb::Error);
}

TEST(Plan, ShardMembershipDoesNotDependOnTheOrderSeed) {
  auto members = [](int seed) {
    std::set<std::string> g;
    for (const auto& x : shard_plan(make_plan(study_with_seed(seed)), 1, 3).groups) g.insert(x.id);
    return g;
  };
  EXPECT_EQ(members(1), members(99));
}

TEST(Prompts, ExactLengthSeededAndInRange) {
  auto a = make_prompt(42, 4, 64, 50257);
  EXPECT_EQ(a.size(), 4u * 64);
  EXPECT_EQ(a, make_prompt(42, 4, 64, 50257));
  EXPECT_NE(a, make_prompt(43, 4, 64, 50257));
  for (auto id : a) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 50256);  // never end-of-text
  }
  auto small = make_prompt(42, 1, 1000, 300);
  std::set<int> distinct(small.begin(), small.end());
  for (auto id : small) EXPECT_LT(id, 300);
  EXPECT_GT(distinct.size(), 250u) << "ids should cover the vocabulary";
  // Rows of a batch differ (not one row repeated).
  EXPECT_FALSE(std::equal(a.begin(), a.begin() + 64, a.begin() + 64));
}

TEST(SplitMix64, KnownSequence) {
  // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
  SplitMix64 r(0);
  EXPECT_EQ(r.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(r.next(), 0x6E789E6AA1B965F4ull);
}

}  // namespace
}  // namespace sb::bench
