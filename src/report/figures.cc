#include "report/figures.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "report/text.h"
#include "util/files.h"

namespace sb::report {
namespace {

using ScenKey = std::tuple<int, int, int, std::string>;  // batch, prompt, N, name
ScenKey scen_of(const CellOutcome& c) {
  return {c.plan.key.batch, c.plan.key.prompt_len, c.plan.key.new_tokens, c.plan.key.scenario};
}

std::string header(const std::string& name) {
  return "set terminal svg size 800,480 font 'Helvetica,11' noenhanced\n"
         "set encoding utf8\n"
         "set output " + gnuplot_quote(name + ".svg") + "\n"
         "set key below left\nset grid\n";
}

// 9 significant digits: enough to reproduce the plot, identical on every platform.
std::string g(double x) { return fmt::format("{:.9g}", x); }

struct Series {
  std::string title;
  std::string rows;  // data block lines
};

std::string plot_blocks(const std::vector<Series>& series, const std::string& using_style) {
  std::string s;
  for (std::size_t i = 0; i < series.size(); ++i)
    s += fmt::format("$d{} << EOD\n{}EOD\n", i, series[i].rows);
  s += "plot ";
  for (std::size_t i = 0; i < series.size(); ++i)
    s += fmt::format("{}$d{} {} title {}", i ? ", \\\n     " : "", i, using_style,
                     gnuplot_quote(series[i].title));
  return s + "\n";
}

std::string not_plotted_text(const std::vector<std::string>& missing) {
  if (missing.empty()) return " All cells in scope are plotted.";
  std::string s = " Not plotted (no numbers): ";
  for (std::size_t i = 0; i < missing.size(); ++i) s += (i ? "; " : "") + missing[i];
  return s + ".";
}

}  // namespace

std::vector<Figure> build_figures(const Analysis& a) {
  std::vector<Figure> figs;
  // A folder merged from several hosts: one series per configuration AND host (a curve never
  // joins points of two machines), and the host is named in the legend and the caption.
  const bool mixed = a.inputs->manifest.mixed_sources();
  auto series_key = [&](const CellOutcome& c) { return mixed ? c.config_id + "|" + c.host_key : c.config_id; };
  auto series_title = [&](const CellOutcome& c) {
    return mixed ? c.config_label + " [" + c.host_label + "]" : c.config_label;
  };
  std::set<ScenKey> scen_set;
  for (const auto& c : a.cells) scen_set.insert(scen_of(c));
  std::vector<ScenKey> scens(scen_set.begin(), scen_set.end());
  std::map<ScenKey, int> scen_index;
  for (std::size_t i = 0; i < scens.size(); ++i) scen_index[scens[i]] = static_cast<int>(i);
  auto scen_name = [](const ScenKey& k) {
    return fmt::format("{} ({}x{})", std::get<3>(k), std::get<0>(k), std::get<1>(k));
  };

  for (std::size_t mi = 0; mi < a.models_in_order.size(); ++mi) {
    const std::string& model = a.models_in_order[mi];
    for (const char* phase : {"prefill", "decode"}) {
      const MetricDef& pm = primary_metric(phase);
      // Cells of this model and phase, per config.
      std::map<std::string, std::vector<const CellOutcome*>> by_cfg;
      std::set<int> used_scen;
      for (const auto& c : a.cells)
        if (c.plan.key.model == model && c.plan.key.phase == phase) {
          by_cfg[series_key(c)].push_back(&c);
          used_scen.insert(scen_index[scen_of(c)]);
        }
      if (by_cfg.empty()) continue;
      std::string xtics = "set xtics (";
      bool first = true;
      for (int si : used_scen) {
        xtics += fmt::format("{}{} {}", first ? "" : ", ", gnuplot_quote(scen_name(scens[si])), si);
        first = false;
      }
      xtics += ") rotate by -20\n";
      xtics += fmt::format("set xrange [{}:{}]\n", *used_scen.begin() - 0.5, *used_scen.rbegin() + 0.5);

      for (const std::string metric_name : {pm.name, std::string(phase) + "_roofline_ratio"}) {
        bool roofline = metric_name != pm.name;
        const MetricDef& md = metric(metric_name);
        std::vector<Series> series;
        std::vector<std::string> missing;
        std::size_t ncfg = by_cfg.size(), k = 0;
        for (const auto& [cfg, cells] : by_cfg) {
          Series s;
          s.title = series_title(*cells.front());
          double offset = (double(k) - (double(ncfg) - 1) / 2.0) * 0.06;
          for (const auto* c : cells) {
            const MetricSummary* ms = c->stats ? c->stats->metric(metric_name) : nullptr;
            if (!c->stats) {
              missing.push_back(c->config_label + ", " + c->scenario_label + ": " + c->status_text);
              continue;
            }
            if (!ms || !ms->summary().mean_ci95) continue;
            const auto& su = ms->summary();
            s.rows += fmt::format("{} {} {} {}\n", g(scen_index[scen_of(*c)] + offset), g(su.mean),
                                  g(su.mean_ci95->low), g(su.mean_ci95->high));
          }
          ++k;
          if (!s.rows.empty()) series.push_back(std::move(s));
        }
        if (series.empty()) continue;
        Figure f;
        f.name = fmt::format("{}_m{}_{}", roofline ? "roofline" : "latency", mi, phase);
        f.script = header(f.name) + xtics;
        if (roofline) {
          f.script += "set logscale y\nset arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2\n";
          f.script += "set ylabel " + gnuplot_quote("measured / roofline floor (x), mean with 95% CI") + "\n";
          f.script += "set title " + gnuplot_quote(model + ": " + phase + ", " + md.name + " (1 = floor)") + "\n";
          f.caption = fmt::format("Model {}, phase {}: {}, mean with 95% CI per backend and "
                                  "scenario (1 = at the roofline floor).",
                                  model, phase, md.formula);
        } else {
          f.script += "set ylabel " + gnuplot_quote(md.title + " (" + md.unit + "), mean with 95% CI") + "\n";
          f.script += "set title " + gnuplot_quote(model + ": " + phase + ", " + md.name) + "\n";
          f.caption = fmt::format("Model {}, phase {}: {} ({}) by scenario per backend, mean with "
                                  "95% CI (Student's t).",
                                  model, phase, md.name, md.unit);
        }
        f.caption += not_plotted_text(missing);
        f.script += plot_blocks(series, "using 1:2:3:4 with yerrorlines");
        figs.push_back(std::move(f));
      }

      // Decode step latency vs KV position, per scenario.
      if (std::string(phase) == "decode") {
        for (int si : used_scen) {
          std::vector<Series> series;
          std::vector<std::string> missing;
          for (const auto& [cfg, cells] : by_cfg)
            for (const auto* c : cells) {
              if (scen_index[scen_of(*c)] != si) continue;
              if (!c->stats) {
                missing.push_back(c->config_label + ": " + c->status_text);
                continue;
              }
              const auto& steps = c->stats->step_means_ms();
              if (steps.empty()) continue;
              Series s;
              s.title = series_title(*c);
              for (std::size_t st = 0; st < steps.size(); ++st)
                s.rows += fmt::format("{} {}\n", c->plan.key.prompt_len + int(st) + 1, g(steps[st]));
              series.push_back(std::move(s));
            }
          if (series.empty()) continue;
          Figure f;
          f.name = fmt::format("decode_steps_m{}_s{}", mi, si);
          f.script = header(f.name);
          f.script += "set xlabel " + gnuplot_quote("KV length attended (S + k + 1 for decode step k)") + "\n";
          f.script += "set ylabel " + gnuplot_quote("decode step latency (ms), mean over samples") + "\n";
          f.script += "set title " + gnuplot_quote(model + ": decode steps, " + scen_name(scens[si])) + "\n";
          f.script += plot_blocks(series, "using 1:2 with linespoints");
          f.caption = fmt::format("Model {}, scenario {}: latency of decode step k (mean over the "
                                  "cell's samples) against the KV length it attends.",
                                  model, scen_name(scens[si]));
          f.caption += not_plotted_text(missing);
          figs.push_back(std::move(f));
        }
      }
    }
  }

  // Throughput vs parameter count (log-log), per phase and scenario, when >= 2 sizes exist.
  for (const char* phase : {"prefill", "decode"}) {
    std::string tm = std::string(phase) + "_tokens_per_s";
    for (std::size_t si = 0; si < scens.size(); ++si) {
      std::map<std::string, std::vector<const CellOutcome*>> by_cfg;
      for (const auto& model : a.models_in_order)
        for (const auto& c : a.cells)
          if (c.plan.key.model == model && c.plan.key.phase == phase && scen_of(c) == scens[si])
            by_cfg[series_key(c)].push_back(&c);
      std::vector<Series> series;
      std::vector<std::string> missing;
      for (const auto& [cfg, cells] : by_cfg) {
        Series s;
        s.title = series_title(*cells.front());
        int points = 0;
        for (const auto* c : cells) {
          const MetricSummary* ms = c->stats ? c->stats->metric(tm) : nullptr;
          if (!ms) {
            if (!c->stats) missing.push_back(c->config_label + ", " + c->plan.key.model + ": " + c->status_text);
            continue;
          }
          auto pit = a.inputs->manifest.models.find(c->plan.key.model);
          if (pit == a.inputs->manifest.models.end()) continue;
          s.rows += fmt::format("{} {}\n", pit->second.params, g(ms->summary().mean));
          ++points;
        }
        if (points >= 2) series.push_back(std::move(s));
      }
      if (series.empty()) continue;
      Figure f;
      f.name = fmt::format("throughput_params_{}_s{}", phase, si);
      f.script = header(f.name) + "set logscale xy\n";
      f.script += "set xlabel " + gnuplot_quote("parameters (from the manifest's tensors)") + "\n";
      f.script += "set ylabel " + gnuplot_quote(tm + " (tokens/s), mean") + "\n";
      f.script += "set title " + gnuplot_quote(std::string(phase) + " throughput vs size, " + scen_name(scens[si])) + "\n";
      f.script += plot_blocks(series, "using 1:2 with linespoints");
      f.caption = fmt::format("Phase {}, scenario {}: mean {} against parameter count, log-log, "
                              "per backend (points are measured sizes; lines only join them).",
                              phase, scen_name(scens[si]), tm);
      f.caption += not_plotted_text(missing);
      figs.push_back(std::move(f));
    }
  }
  if (mixed)
    for (auto& f : figs)
      f.caption += " Series come from different hosts (see 'Sources of this merged folder'); they are "
                   "shown side by side, not compared.";
  return figs;
}

namespace {
// Runs `exe script` with cwd = dir; returns "" on success, else a reason.
std::string run_gnuplot(const std::string& exe, const std::filesystem::path& dir,
                        const std::string& script_name) {
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(126);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    execlp(exe.c_str(), exe.c_str(), script_name.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return "waitpid failed";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) return "gnuplot not found (" + exe + ")";
  if (WIFEXITED(status)) return fmt::format("gnuplot exited with status {}", WEXITSTATUS(status));
  return fmt::format("gnuplot killed by signal {}", WTERMSIG(status));
}
}  // namespace

std::string render_figures(std::vector<Figure>& figs, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".svg" || ext == ".gp")) std::filesystem::remove(e.path());
  }
  const char* env = std::getenv("SB_GNUPLOT");
  std::string exe = env && *env ? env : "gnuplot";
  std::string note;
  for (auto& f : figs) {
    write_file_atomic(dir / (f.name + ".gp"), f.script);
    if (!note.empty() && note.find("not found") != std::string::npos) continue;  // don't retry
    std::string why = run_gnuplot(exe, dir, f.name + ".gp");
    auto svg_path = dir / (f.name + ".svg");
    if (why.empty() && std::filesystem::exists(svg_path)) {
      f.svg = read_file(svg_path);
    } else {
      if (why.empty()) why = "gnuplot wrote no " + f.name + ".svg";
      if (note.empty()) note = why;
      std::error_code ec;
      std::filesystem::remove(svg_path, ec);
    }
  }
  if (!note.empty())
    note = "Figures omitted: " + note + ". Their gnuplot scripts (data inline) are in figures/*.gp.";
  return note;
}

}  // namespace sb::report
