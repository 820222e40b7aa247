// report/report — `scalebench report DIR`, also callable as a library (scalebench run ends by
// calling write_report on its output folder).
// Contract: reads DIR/manifest.json, DIR/records.jsonl and (when present) DIR/accuracy.jsonl and
// DIR/claims.toml (the claims of another report, see report/claims.h);
// writes DIR/stats.json, DIR/report.md, DIR/report.html (self-contained: inline CSS and inline
// SVG) and DIR/figures/*.svg (+ the *.gp scripts that drew them).  Same inputs give
// byte-identical outputs: no clock is read, keys are sorted, numbers have one fixed format.
// Throws RunCountError (an sb::Error) without writing anything when the records disagree with
// the manifest's plan.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::report {

struct ReportOptions {
  std::string baseline_backend;  // overrides manifest.options.baseline_backend when set
  bool figures = true;           // false: skip gnuplot entirely (figures noted as not drawn)
  // A claims file to compare against.  It is validated, then copied to DIR/claims.toml so the
  // folder alone re-renders the same report.  Empty: DIR/claims.toml if present, else the file
  // the study's [report] claims names (manifest options.claims, resolved against the study
  // file's folder), also copied to DIR/claims.toml; else no claims section.
  std::filesystem::path claims_file;
};

// Which claims file write_report would use for DIR ("" = none), and why (for messages).
// Throws sb::Error when the manifest names a claims file that cannot be found.
std::filesystem::path resolve_claims_file(const std::filesystem::path& dir, const nlohmann::json& manifest,
                                          const std::filesystem::path& explicit_file);

struct ReportResult {
  std::filesystem::path stats_json, report_md, report_html;
  std::vector<std::filesystem::path> figures;  // SVGs written
  std::string figures_note;                    // why figures are missing, if they are
};

ReportResult write_report(const std::filesystem::path& dir, const ReportOptions& options);

// The summary keeps at most this many crossover lines (one per pair of configurations that
// involves the baseline backend); the totals line says how many more the crossover section has.
inline constexpr std::size_t kMaxCrossoverLines = 6;

// The generated summary: sentences built from stats.json alone, each stating its scope.
std::vector<std::string> summary_sentences(const nlohmann::json& stats);

}  // namespace sb::report
