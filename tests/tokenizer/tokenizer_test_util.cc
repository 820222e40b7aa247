#include "tokenizer/tokenizer_test_util.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/files.h"

namespace sb::tokenizer::testing {
namespace fs = std::filesystem;

namespace {
struct Loaded {
  std::optional<Tokenizer> tokenizer;
  std::string error;
};
const Loaded& loaded() {
  static const Loaded l = [] {
    Loaded r;
    try {
      r.tokenizer.emplace(Tokenizer::load_default());
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  }();
  return l;
}

bool node_on_path() { return std::system("command -v node >/dev/null 2>&1") == 0; }

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

const Tokenizer* default_tokenizer() { return loaded().tokenizer ? &*loaded().tokenizer : nullptr; }
const std::string& default_error() { return loaded().error; }

std::optional<NodeResult> run_encoder_js(const std::vector<std::string>& cases, std::string* why,
                                         bool* missing) {
  *missing = false;
  if (!node_on_path()) {
    *missing = true;
    *why = "node is not on PATH: the comparison with npm gpt-3-encoder's Encoder.js needs it "
           "(scripts/setup.sh installs nodejs)";
    return std::nullopt;
  }
  fs::path encoder_dir = Tokenizer::default_dir();
  if (!fs::exists(encoder_dir / "Encoder.js")) {
    *missing = true;
    *why = fmt::format("{} has no Encoder.js: run scripts/setup.sh to fetch npm gpt-3-encoder",
                       encoder_dir.string());
    return std::nullopt;
  }
  ScratchDir dir;
  nlohmann::json in = cases;
  write_file_atomic(dir.path() / "cases.json", in.dump());
  fs::path script = fs::path(SB_SOURCE_DIR) / "tests/tokenizer/encoder_ref.js";
  std::string cmd = fmt::format("node {} {} {} {} 2>{}", shell_quote(script.string()),
                                shell_quote(encoder_dir.string()),
                                shell_quote((dir.path() / "cases.json").string()),
                                shell_quote((dir.path() / "out.json").string()),
                                shell_quote((dir.path() / "err.txt").string()));
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::string err;
    try {
      err = read_file(dir.path() / "err.txt");
    } catch (const std::exception&) {
    }
    *why = fmt::format("node {} failed (status {}): {}", script.string(), rc, err);
    return std::nullopt;
  }
  nlohmann::json out = nlohmann::json::parse(read_file(dir.path() / "out.json"));
  NodeResult r;
  for (const auto& row : out) {
    std::vector<std::int64_t> ids;
    for (const auto& v : row.at("ids")) ids.push_back(v.is_null() ? -1 : v.get<std::int64_t>());
    r.ids.push_back(std::move(ids));
    r.pieces.push_back(row.at("pieces").get<std::vector<std::string>>());
  }
  if (r.ids.size() != cases.size()) {
    *why = fmt::format("node returned {} results for {} cases", r.ids.size(), cases.size());
    return std::nullopt;
  }
  return r;
}

ScratchDir::ScratchDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = fs::temp_directory_path() /
          fmt::format("sb-tokenizer-test-{}-{}-{:08x}", ::getpid(), counter++, rd());
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string hex_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\')
      out += char(c);
    else
      out += fmt::format("\\x{:02X}", c);
  }
  return out;
}

}  // namespace sb::tokenizer::testing
