// report/figures — the report's SVG figures, drawn by gnuplot run as a subprocess.
// Contract:
//  * Data come only from CellStats (cells with all samples ok and n >= 2); every cell that is
//    not plotted is named in the figure's caption with its status text.
//  * Each figure is a self-contained gnuplot script (data inline) written to
//    figures/<name>.gp beside figures/<name>.svg, so a reader can re-plot or audit the data.
//  * Fixed terminal, size and font (svg 800x480 "Helvetica,11", noenhanced) and no dates, so
//    the same data give byte-identical SVG with the same gnuplot.
//  * gnuplot missing (or failing) never crashes the report: the figure's svg stays empty and
//    `note` says why; the caption remains.  The executable is `gnuplot` from PATH, or
//    $SB_GNUPLOT when set (tests point it at a missing file to exercise that path).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "report/analysis.h"

namespace sb::report {

struct Figure {
  std::string name;        // file stem under figures/
  std::string caption;     // plain text, includes what was not plotted and why
  std::string script;      // the gnuplot script (data inline)
  std::string svg;         // empty when gnuplot is unavailable or failed
};

// Builds every figure's script from the analysis (no I/O).  Scripts write to <name>.svg in
// the current directory of the gnuplot process.
std::vector<Figure> build_figures(const Analysis& a);

// Runs gnuplot on each figure inside `figures_dir` (created), writing <name>.gp and
// <name>.svg and filling Figure::svg.  Returns a note when gnuplot was absent or failed
// ("" when all went well).  Removes stale *.svg / *.gp files of earlier renders.
std::string render_figures(std::vector<Figure>& figs, const std::filesystem::path& figures_dir);

}  // namespace sb::report
