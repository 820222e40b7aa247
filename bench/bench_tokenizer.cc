// GPT-2 tokenizer encoding speed on English technical text (the Python 3.11 documentation
// sources from python3.11-doc), one thread.  The goal in issue 2 is >= 5 MB/s; bytes/s below is
// input bytes of text per second.
//   BM_EncodeWarm: the piece cache already holds the corpus's words (steady state).
//   BM_EncodeCold: the cache is cleared before every pass (first sight of a document).
// Corpus: env SCALEBENCH_BENCH_CORPUS (a file), else the first ~4 MB of .rst.txt files under
// /usr/share/doc/python3.11/html/_sources in sorted path order.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "tokenizer/tokenizer.h"
#include "util/files.h"

namespace {
namespace fs = std::filesystem;
using sb::tokenizer::Tokenizer;

constexpr std::size_t kCorpusBytes = 4u << 20;

const std::string& corpus() {
  static const std::string text = [] {
    if (const char* f = std::getenv("SCALEBENCH_BENCH_CORPUS"); f && *f) return sb::read_file(f);
    const fs::path root = "/usr/share/doc/python3.11/html/_sources";
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(root, ec))
      for (const auto& e : fs::recursive_directory_iterator(root))
        if (e.is_regular_file() && e.path().string().ends_with(".rst.txt")) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::string all;
    for (const auto& f : files) {
      if (all.size() >= kCorpusBytes) break;
      all += sb::read_file(f);
    }
    return all;
  }();
  return text;
}

const Tokenizer* tokenizer(benchmark::State& state) {
  static std::string error;
  static const Tokenizer* tok = []() -> const Tokenizer* {
    try {
      return new Tokenizer(Tokenizer::load_default());
    } catch (const std::exception& e) {
      error = e.what();
      return nullptr;
    }
  }();
  if (!tok) state.SkipWithError(error.c_str());
  return tok;
}

void BM_EncodeWarm(benchmark::State& state) {
  const Tokenizer* tok = tokenizer(state);
  const std::string& text = corpus();
  if (!tok) return;
  if (text.empty()) return state.SkipWithError("no corpus: install python3.11-doc or set SCALEBENCH_BENCH_CORPUS");
  std::size_t tokens = tok->encode(text).size();  // warms the cache
  for (auto _ : state) benchmark::DoNotOptimize(tok->encode(text));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
  state.counters["corpus_bytes"] = double(text.size());
  state.counters["tokens"] = double(tokens);
  state.counters["tokens_per_s"] = benchmark::Counter(double(tokens), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_EncodeCold(benchmark::State& state) {
  const Tokenizer* tok = tokenizer(state);
  const std::string& text = corpus();
  if (!tok) return;
  if (text.empty()) return state.SkipWithError("no corpus: install python3.11-doc or set SCALEBENCH_BENCH_CORPUS");
  for (auto _ : state) {
    state.PauseTiming();
    tok->clear_cache();
    state.ResumeTiming();
    benchmark::DoNotOptimize(tok->encode(text));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_Decode(benchmark::State& state) {
  const Tokenizer* tok = tokenizer(state);
  const std::string& text = corpus();
  if (!tok) return;
  if (text.empty()) return state.SkipWithError("no corpus");
  std::vector<std::int32_t> ids = tok->encode(text);
  for (auto _ : state) benchmark::DoNotOptimize(tok->decode(ids));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

BENCHMARK(BM_EncodeWarm)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_EncodeCold)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Decode)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
