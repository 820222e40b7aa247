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
int run_study_accuracy(const Study& study, const std::filesystem::path& out_dir, std::ostream& log);

}  // namespace sb::bench
