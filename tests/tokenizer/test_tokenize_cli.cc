// `scalebench tokenize` end to end: output format, exit codes (0 ok, 1 runtime, 2 usage) and
// error messages.  Runs the built binary (SB_BINARY).
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tokenizer/tokenizer_test_util.h"
#include "util/files.h"

namespace sb::tokenizer::testing {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CliResult {
  int exit_code = -1;
  std::string out, err;
};

class TokenizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(SB_BINARY)) GTEST_SKIP() << SB_BINARY << " not built";
    if (!default_tokenizer()) GTEST_SKIP() << "GPT-2 tokenizer files unavailable: " << default_error();
  }
  // `args` is passed to the shell as written (callers quote).
  CliResult run(const std::string& args) {
    fs::path out = dir_.path() / "out.txt", err = dir_.path() / "err.txt";
    std::string cmd = fmt::format("'{}' tokenize {} >'{}' 2>'{}'", SB_BINARY, args, out.string(), err.string());
    int status = std::system(cmd.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }
  ScratchDir dir_;
};

TEST_F(TokenizeCli, EncodesTextToOneLineOfIds) {
  CliResult r = run("--text 'Hello world'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "15496 995\n");
  r = run("--text ''");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "\n");
}

TEST_F(TokenizeCli, EncodesAFile) {
  write_file_atomic(dir_.path() / "in.txt", "Hello world\n");
  CliResult r = run(fmt::format("--file '{}'", (dir_.path() / "in.txt").string()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "15496 995 198\n");
}

TEST_F(TokenizeCli, DecodesIds) {
  CliResult r = run("--decode 15496 995");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Hello world\n");
  r = run("--decode '15496, 995'");
  EXPECT_EQ(r.out, "Hello world\n");
}

TEST_F(TokenizeCli, SpecialTokenOnlyWhenAsked) {
  EXPECT_EQ(run("--text '<|endoftext|>' --allow-special").out, "50256\n");
  EXPECT_THAT(run("--text '<|endoftext|>'").out, ::testing::Not(HasSubstr("50256")));
}

TEST_F(TokenizeCli, IdOutOfRangeIsARuntimeError) {
  CliResult r = run("--decode 15496 50257");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("token id 50257"));
  EXPECT_THAT(r.err, HasSubstr("50257 tokens"));
}

TEST_F(TokenizeCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("--text a --decode 1").exit_code, 2);
  CliResult r = run("--decode abc");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'abc' is not a token id"));
}

TEST_F(TokenizeCli, BadTokenizerFolderNamesTheFile) {
  write_file_atomic(dir_.path() / "tok/vocab.json", "{\"a\": 0}");
  write_file_atomic(dir_.path() / "tok/merges.txt", "#version: 0.2\n");
  CliResult r = run(fmt::format("--tokenizer '{}' --text x", (dir_.path() / "tok").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr((dir_.path() / "tok/vocab.json").string()));
}

TEST_F(TokenizeCli, Help) {
  CliResult r = run("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--decode"));
  EXPECT_THAT(r.out, HasSubstr("--tokenizer"));
}

}  // namespace
}  // namespace sb::tokenizer::testing
