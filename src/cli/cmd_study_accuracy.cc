// `scalebench study-accuracy`: one share of a study's [accuracy] pass, run by `scalebench run` in
// a child process so that a backend dying in a library (a signal, an abort) costs only its own
// accuracy row, never the run (bench/study_accuracy.h).  Not meant to be run by hand.
#include <cstdlib>
#include <iostream>
#include <optional>

#include "bench/study.h"
#include "bench/study_accuracy.h"
#include "cli/command.h"

namespace {
struct Args {
  std::string study, out, rows;
  int model_index = 0;
  int candidate = -1;
  bool reference_row = false;
};

sb::cli::CommandRegistration reg{"study-accuracy", [](CLI::App& app) {
  auto args = std::make_shared<Args>();
  auto* c = app.add_subcommand("study-accuracy",
                               "Internal: one model (or one candidate) of a study's [accuracy] pass, for `scalebench run`");
  c->group("Internal");
  c->add_option("study", args->study, "Study file")->required()->check(CLI::ExistingFile);
  c->add_option("-o,--out", args->out, "The run's output folder (artifacts/ is reused)")->required();
  c->add_option("--rows", args->rows, "File the accuracy rows are appended to")->required();
  c->add_option("--model-index", args->model_index, "Index of the study model")->required();
  c->add_option("--candidate", args->candidate, "Only this candidate (index in the model's candidate list)");
  c->add_flag("--reference-row", args->reference_row, "With --candidate: also write the reference's own row");
  c->callback([args] {
    auto study = sb::bench::load_study(args->study);
    std::optional<int> candidate;
    if (args->candidate >= 0) candidate = args->candidate;
    sb::bench::run_study_accuracy_part(study, args->out, args->rows, args->model_index, candidate,
                                       args->reference_row, std::cerr);
  });
}};
}  // namespace
