// `scalebench results DIR --format csv|sqlite|jsonl [--out FILE]`: raw records as a table.
#include <fstream>
#include <iostream>

#include "bench/results.h"
#include "cli/command.h"
#include "util/error.h"

namespace {
sb::cli::CommandRegistration reg{"results", [](CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("csv");
  auto out = std::make_shared<std::string>();
  auto* c = app.add_subcommand("results", "Export a run's raw records (failed cells as rows with empty values)");
  c->add_option("dir", *dir, "Run folder (holds manifest.json and records.jsonl)")->required()->check(CLI::ExistingDirectory);
  c->add_option("--format", *format, "csv, sqlite or jsonl")->check(CLI::IsMember({"csv", "sqlite", "jsonl"}));
  c->add_option("-o,--out", *out, "Output file (default: stdout; sqlite: DIR/results.sqlite)");
  c->callback([dir, format, out] {
    auto rows = sb::bench::result_rows(*dir);
    if (*format == "sqlite") {
      std::filesystem::path db = out->empty() ? std::filesystem::path(*dir) / "results.sqlite" : std::filesystem::path(*out);
      sb::bench::write_results_sqlite(rows, *dir, db);
      std::cout << db.string() << "\n";
      return;
    }
    std::ofstream file;
    std::ostream* os = &std::cout;
    if (!out->empty()) {
      file.open(*out);
      if (!file) sb::fail("{}: cannot write", *out);
      os = &file;
    }
    if (*format == "csv") sb::bench::write_results_csv(rows, *os);
    else sb::bench::write_results_jsonl(rows, *os);
  });
}};
}  // namespace
