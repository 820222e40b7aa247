// `scalebench worker`: runs one group's backend for a parent `scalebench run`, speaking the
// worker protocol on stdin/stdout (docs/formats.md).  Not meant to be run by hand.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "bench/worker.h"
#include "cli/command.h"
#include "util/process_exit.h"

namespace {
sb::cli::CommandRegistration reg{"worker", [](CLI::App& app) {
  auto* c = app.add_subcommand("worker", "Internal: run one worker of `scalebench run` (JSON lines on stdin/stdout)");
  c->group("Internal");
  c->callback([] {
    // The protocol owns the real stdout; anything a library prints goes to stderr (the log).
    int protocol_fd = ::dup(1);
    ::dup2(2, 1);
    int rc = sb::bench::run_worker(std::cin, protocol_fd);
    // Its results are sent: end without static destructors (ONNX Runtime's threads outlive
    // main and race its teardown; util/process_exit.h).
    sb::exit_without_teardown(rc);
  });
}};
}  // namespace
