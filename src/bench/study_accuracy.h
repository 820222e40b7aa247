// bench/study_accuracy — the study's [accuracy] section: after the speed cells, `scalebench run`
// measures perplexity/KL/greedy agreement of the study's backends against a reference with the
// accuracy module and appends the rows to OUT/accuracy.jsonl (the report reads them).
// Contract:
//  - Keys (all optional except corpus): corpus (file or folder; relative to the study file),
//    corpus_max_bytes, tokenizer, max_length, stride, max_batch, threads, reference
//    ("backend:precision", default native-cpu:fp32), backends (["backend:precision", ...];
//    default: every study backend x precision, with its first options table and first device),
//    greedy (bool, default true), greedy_prompts, greedy_prompt_tokens, greedy_new_tokens,
//    gates = { <precision> = [max_abs_ppl_rel_delta, max_kl_mean] }.
//  - accuracy_configs() validates the section (sb::Error naming the key, expected vs found) and
//    returns one AccuracyConfig per study model; an empty section gives none.  The runner calls
//    it before any cell runs, so a bad section fails fast.
//  - Only available when the accuracy module is linked (SB_HAVE_ACCURACY); without it a
//    non-empty section is an error saying so.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <ostream>
#include <vector>

#include "bench/study.h"

#if defined(SB_HAVE_ACCURACY)
#include "accuracy/accuracy.h"
#endif

namespace sb::bench {

#if defined(SB_HAVE_ACCURACY)
std::vector<accuracy::AccuracyConfig> accuracy_configs(const Study& study);
#endif

// Validates the section (throws sb::Error); true when the study asks for accuracy rows.
bool study_wants_accuracy(const Study& study);

// Runs every model's accuracy comparison and appends the rows to out_dir/accuracy.jsonl.
// Returns the number of rows written.  A model whose run throws gets a log line and no rows;
// the speed results are never affected.
//  - With `self_executable` (the scalebench binary) each model's comparison runs in a child
//    process (`scalebench study-accuracy`), because in-process backends (ONNX Runtime, the CUDA
//    engine) can die of a signal or abort in a library: a child that dies that way is rerun once
//    per candidate, each in its own child, so only the candidate that crashes loses its numbers
//    and gets a row with status `failed` naming the signal.  Empty: in-process (tests, no binary).
//  - Rows go to accuracy.jsonl.partial first and are renamed to accuracy.jsonl when every model
//    is done, so an interrupted accuracy pass leaves no accuracy.jsonl and a resume redoes it.
int run_study_accuracy(const Study& study, const std::filesystem::path& out_dir, std::ostream& log,
                       const std::string& self_executable = "");

// One child's share (the `study-accuracy` subcommand): model `model_index` of accuracy_configs(),
// all candidates or only `candidate`; with only one candidate the reference's own row is written
// only when `reference_row` is true (the parent asks for it once).  Rows are appended to
// `rows_path`.  Returns the number of rows written; throws sb::Error when the run cannot start.
int run_study_accuracy_part(const Study& study, const std::filesystem::path& out_dir,
                            const std::filesystem::path& rows_path, int model_index,
                            std::optional<int> candidate, bool reference_row, std::ostream& log);

}  // namespace sb::bench
