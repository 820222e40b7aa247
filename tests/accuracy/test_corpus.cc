// Corpus reading: UTF-8 validation with offsets, folders in sorted order, empty input.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "accuracy/corpus.h"
#include "util/error.h"
#include "util/hash.h"

namespace sb::accuracy {
namespace {
namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("sb_accuracy_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
void write(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const sb::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Utf8, ValidAndInvalidSequences) {
  EXPECT_FALSE(first_invalid_utf8("plain ascii"));
  EXPECT_FALSE(first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));   // é € 😀
  EXPECT_EQ(first_invalid_utf8("ab\xFF"), 2u);                 // never valid
  EXPECT_EQ(first_invalid_utf8("a\xC0\x80"), 1u);              // overlong NUL
  EXPECT_EQ(first_invalid_utf8("a\xE0\x80\x80"), 1u);          // overlong 3-byte
  EXPECT_EQ(first_invalid_utf8("xy\xED\xA0\x80"), 2u);         // UTF-16 surrogate
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);       // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("abc\xE2\x82"), 3u);            // truncated at end
  EXPECT_EQ(first_invalid_utf8("\x80"), 0u);                   // lone continuation
  EXPECT_EQ(first_invalid_utf8("\xE2\x28\xA1"), 0u);           // bad continuation
}

TEST(Corpus, InvalidUtf8NamesFileAndOffset) {
  const auto d = temp_dir("bad");
  write(d / "bad.txt", "hello\nw\xC3orld");
  const auto msg = error_of([&] { read_corpus(d / "bad.txt"); });
  EXPECT_NE(msg.find((d / "bad.txt").string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("byte offset 7"), std::string::npos) << msg;
  // Inside a folder: the file that holds it is named, with the offset inside that file.
  write(d / "folder" / "a.txt", "fine\n");
  write(d / "folder" / "b.txt", "ok \xFE");
  const auto msg2 = error_of([&] { read_corpus(d / "folder"); });
  EXPECT_NE(msg2.find("b.txt"), std::string::npos) << msg2;
  EXPECT_NE(msg2.find("byte offset 3"), std::string::npos) << msg2;
  fs::remove_all(d);
}

TEST(Corpus, EmptyAndMissingAreErrors) {
  const auto d = temp_dir("empty");
  write(d / "empty.txt", "");
  EXPECT_NE(error_of([&] { read_corpus(d / "empty.txt"); }).find("is empty"), std::string::npos);
  EXPECT_NE(error_of([&] { read_corpus(d / "missing.txt"); }).find("does not exist"), std::string::npos);
  fs::create_directories(d / "nofiles");
  EXPECT_NE(error_of([&] { read_corpus(d / "nofiles"); }).find("no files"), std::string::npos);
  EXPECT_THROW(corpus_from_text("", "inline"), sb::Error);
  fs::remove_all(d);
}

TEST(Corpus, FileIsReadByteForByte) {
  const auto d = temp_dir("file");
  const std::string text = " = Valkyria Chronicles III = \n\n Senj\xC5\x8D no Valkyria 3 : <unk> Chronicles \n";
  write(d / "wiki.test.raw", text);
  const auto c = read_corpus(d / "wiki.test.raw");
  EXPECT_EQ(c.text, text);
  EXPECT_EQ(c.bytes, text.size());
  EXPECT_EQ(c.sha256, sha256_hex(text));
  fs::remove_all(d);
}

TEST(Corpus, FolderIsSortedDeterministicAndSkipsHidden) {
  const auto d = temp_dir("folder");
  write(d / "b.txt", "B");             // no trailing newline: one is added
  write(d / "a.txt", "A\n");
  write(d / "sub" / "c.txt", "C\n");
  write(d / ".hidden", "H\n");
  write(d / ".git" / "x", "X\n");
  write(d / "Z.txt", "Z\n");           // uppercase sorts before lowercase (byte order)
  const auto c = read_corpus(d);
  EXPECT_EQ(c.text, "Z\nA\nB\nC\n");
  ASSERT_EQ(c.files.size(), 4u);
  EXPECT_EQ(c.files[0], "Z.txt");
  EXPECT_EQ(c.files[3], "sub/c.txt");
  EXPECT_EQ(read_corpus(d).sha256, c.sha256);
  fs::remove_all(d);
}

TEST(Corpus, MaxBytesCutsAtACharacterBoundary) {
  CorpusOptions o;
  o.max_bytes = 4;
  const auto c = corpus_from_text("abc\xE2\x82\xAC" "def", "inline", o);   // cut would split the euro sign
  EXPECT_EQ(c.text, "abc");
  EXPECT_TRUE(c.truncated);
  EXPECT_EQ(c.bytes, 3u);
}

TEST(Corpus, PythonDocsFolderWhenInstalled) {
  const fs::path dir = "/usr/share/doc/python3.11/html/_sources/tutorial";
  if (!fs::exists(dir)) GTEST_SKIP() << "python3.11-doc not installed (" << dir << " missing)";
  const auto c = read_corpus(dir);
  EXPECT_GT(c.bytes, 100000u);
  EXPECT_TRUE(std::is_sorted(c.files.begin(), c.files.end()));
  EXPECT_EQ(c.files.front(), "appendix.rst.txt");
}

}  // namespace
}  // namespace sb::accuracy
