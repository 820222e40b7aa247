// bench/results — `scalebench results DIR --format csv|sqlite|jsonl`: raw records as a table.
// Contract: one row per sample record (warmups included, flagged), one row per failed cell
// (status and error, metric columns empty) and one row per planned cell that has no record at
// all (status "not_run"): a cell never silently disappears.  Values are raw measurements only;
// derived metrics are the report's job (its metric registry).  The three writers share one
// column list and one row builder.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::bench {

struct ResultColumn {
  const char* name;
  const char* sql_type;   // TEXT, INTEGER or REAL
};
const std::vector<ResultColumn>& result_columns();

// Rows as JSON objects holding every column (null = empty value), in plan order.
std::vector<nlohmann::json> result_rows(const std::filesystem::path& run_dir);

void write_results_csv(const std::vector<nlohmann::json>& rows, std::ostream& out);
void write_results_jsonl(const std::vector<nlohmann::json>& rows, std::ostream& out);
// Creates (replaces) an SQLite database with table `results` (and `workers`).
void write_results_sqlite(const std::vector<nlohmann::json>& rows, const std::filesystem::path& run_dir,
                          const std::filesystem::path& db_path);

}  // namespace sb::bench
