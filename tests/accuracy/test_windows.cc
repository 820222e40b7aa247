// Window/stride token counting against hand-computed plans (HF fixed-length method).
#include <set>

#include <gtest/gtest.h>

#include "accuracy/windows.h"
#include "util/error.h"

namespace sb::accuracy {
namespace {

struct W { std::int64_t begin, end, first_label; };

void expect_plan(std::int64_t n, int L, int S, const std::vector<W>& want, std::int64_t counted) {
  const auto got = plan_windows(n, L, S);
  ASSERT_EQ(got.size(), want.size()) << "n=" << n << " L=" << L << " S=" << S;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].begin, want[i].begin) << "window " << i;
    EXPECT_EQ(got[i].end, want[i].end) << "window " << i;
    EXPECT_EQ(got[i].first_label, want[i].first_label) << "window " << i;
  }
  EXPECT_EQ(counted_tokens(got), counted);
}

TEST(Windows, TextShorterThanOneWindow) {
  // 5 tokens, window 8: one window [0,5); token 0 has no context -> 4 counted.
  expect_plan(5, 8, 8, {{0, 5, 1}}, 4);
  expect_plan(5, 8, 3, {{0, 5, 1}}, 4);   // the loop stops at the window that reaches the end
}

TEST(Windows, TextExactlyOneWindow) { expect_plan(4, 4, 2, {{0, 4, 1}}, 3); }

TEST(Windows, TwoTokensIsTheMinimum) { expect_plan(2, 4, 4, {{0, 2, 1}}, 1); }

TEST(Windows, StrideEqualsMaxLength) {
  // Disjoint windows [0,4) [4,8) [8,10): each window's first token has no context.
  // Counted: 3 + 3 + 1 = 7 = n - #windows.
  expect_plan(10, 4, 4, {{0, 4, 1}, {4, 8, 5}, {8, 10, 9}}, 7);
}

TEST(Windows, StrideEqualsMaxLengthWithOneTokenTail) {
  // The tail window [4,5) holds one token and can score nothing.
  expect_plan(5, 4, 4, {{0, 4, 1}, {4, 5, 5}}, 3);
}

TEST(Windows, OverlappingStrideWithLastPartialWindow) {
  // L=4, S=2 over 10 tokens: [0,4) counts 1..3; [2,6) counts 4,5; [4,8) 6,7; [6,10) 8,9.
  expect_plan(10, 4, 2, {{0, 4, 1}, {2, 6, 4}, {4, 8, 6}, {6, 10, 8}}, 9);
  // L=4, S=3 over 9 tokens: [0,4) 1..3; [3,7) 4..6; [6,9) partial, 7..8.
  expect_plan(9, 4, 3, {{0, 4, 1}, {3, 7, 4}, {6, 9, 7}}, 8);
}

TEST(Windows, StrideOne) {
  expect_plan(6, 3, 1, {{0, 3, 1}, {1, 4, 3}, {2, 5, 4}, {3, 6, 5}}, 5);
}

TEST(Windows, EveryTokenCountedAtMostOnceAndWithContext) {
  for (std::int64_t n = 2; n < 40; ++n)
    for (int L = 2; L <= 9; ++L)
      for (int S = 1; S <= L; ++S) {
        std::set<std::int64_t> seen;
        for (const auto& w : plan_windows(n, L, S)) {
          ASSERT_LE(w.length(), L);
          for (auto t = w.first_label; t < w.end; ++t) {
            ASSERT_GT(t, w.begin) << "a counted token needs context inside its window";
            ASSERT_TRUE(seen.insert(t).second) << "token " << t << " counted twice";
          }
        }
        // With overlap every token but the first is scored.
        if (S < L) {
          EXPECT_EQ(static_cast<std::int64_t>(seen.size()), n - 1) << n << " " << L << " " << S;
        }
      }
}

TEST(Windows, BadArguments) {
  EXPECT_THROW(plan_windows(1, 4, 4), sb::Error);
  EXPECT_THROW(plan_windows(0, 4, 4), sb::Error);
  EXPECT_THROW(plan_windows(10, 4, 0), sb::Error);
  EXPECT_THROW(plan_windows(10, 4, 5), sb::Error);
  EXPECT_THROW(plan_windows(10, 1, 1), sb::Error);
  try {
    plan_windows(10, 4, 5);
  } catch (const sb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("stride 5"), std::string::npos) << e.what();
  }
  try {
    plan_windows(1, 4, 4);
  } catch (const sb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("at least 2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sb::accuracy
