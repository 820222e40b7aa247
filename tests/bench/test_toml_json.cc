// toml_to_json: the one TOML-to-JSON conversion behind study files' options/[accuracy] and
// claims files.
#include "bench/toml_json.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace {

nlohmann::json convert(const char* text) {
  auto t = toml::parse(text);
  return sb::bench::toml_to_json(t, [](const toml::node& bad) {
    throw std::runtime_error("rejected at line " + std::to_string(bad.source().begin.line));
  });
}

TEST(TomlJson, ConvertsEveryValueKindAndKeepsNesting) {
  auto j = convert(R"(
s = "text"
i = -9007199254740993
f = 0.25
b = true
a = [1, "two", [3.5]]
[t]
inner = { k = false }
)");
  EXPECT_EQ(j["s"], "text");
  // Integers stay exact 64-bit integers (no detour through double).
  EXPECT_TRUE(j["i"].is_number_integer());
  EXPECT_EQ(j["i"].get<std::int64_t>(), -9007199254740993LL);
  EXPECT_TRUE(j["f"].is_number_float());
  EXPECT_DOUBLE_EQ(j["f"].get<double>(), 0.25);
  EXPECT_EQ(j["b"], true);
  ASSERT_TRUE(j["a"].is_array());
  EXPECT_EQ(j["a"][1], "two");
  EXPECT_DOUBLE_EQ(j["a"][2][0].get<double>(), 3.5);
  EXPECT_EQ(j["t"]["inner"]["k"], false);
}

TEST(TomlJson, DatesAndTimesGoToTheCallersRejectWithTheirLine) {
  try {
    convert("x = 1\nwhen = [1979-05-27]\n");
    FAIL() << "a date was converted";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "rejected at line 2");
  }
}

TEST(TomlJson, ARejectThatReturnsIsAnInternalErrorNotANull) {
  auto t = toml::parse("t = 07:32:00\n");
  EXPECT_THROW(sb::bench::toml_to_json(t, [](const toml::node&) {}), std::logic_error);
}

}  // namespace
