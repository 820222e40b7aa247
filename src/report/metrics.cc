#include "report/metrics.h"

#include <algorithm>
#include <numeric>

#include "report/claims.h"
#include "report/text.h"
#include "util/error.h"

namespace sb::report {
namespace {

double sum_steps(const SampleInput& s) {
  return std::accumulate(s.decode_step_ms->begin(), s.decode_step_ms->end(), 0.0);
}
bool has_steps(const SampleInput& s) {
  return s.decode_step_ms != nullptr && !s.decode_step_ms->empty();
}

std::vector<MetricDef> build_registry() {
  using stats::Better;
  std::vector<MetricDef> r;
  auto add = [&](MetricDef d) { r.push_back(std::move(d)); };

  // ---- prefill phase --------------------------------------------------------------------
  add({"prefill_latency_ms", "Prefill latency (TTFT)", "ms", "prefill", MetricKind::kSample,
       "prefill_latency_ms = prefill_ms: time from submitting the B x S prompt token ids until "
       "the first generated token of every sequence is on the host (KV cache filled)",
       "record.prefill_ms", Better::kLower, true,
       [](const SampleInput& s) { return s.prefill_ms; }});
  add({"prefill_tokens_per_s", "Prefill throughput", "tokens/s", "prefill", MetricKind::kSample,
       "prefill_tokens_per_s = B * S / (prefill_latency_ms / 1000)",
       "record.prefill_ms, cell.batch, cell.prompt_len", Better::kHigher, false,
       [](const SampleInput& s) -> std::optional<double> {
         if (!s.prefill_ms || *s.prefill_ms <= 0) return std::nullopt;
         return double(s.batch) * s.prompt_len / (*s.prefill_ms / 1000.0);
       }});
  add({"prefill_roofline_ratio", "Prefill latency / roofline floor", "x", "prefill",
       MetricKind::kSample, "prefill_roofline_ratio = prefill_latency_ms / prefill_floor_ms",
       "record.prefill_ms, prefill_floor_ms", Better::kLower, false,
       [](const SampleInput& s) -> std::optional<double> {
         if (!s.prefill_ms || !s.prefill_floor_ms || *s.prefill_floor_ms <= 0) return std::nullopt;
         return *s.prefill_ms / *s.prefill_floor_ms;
       }});

  // ---- decode phase ---------------------------------------------------------------------
  add({"tpot_ms", "Time per output token (TPOT)", "ms", "decode", MetricKind::kSample,
       "tpot_ms = (sum of the N - 1 decode step latencies of the sample) / (N - 1); a decode "
       "step is the time from submitting the previous tokens until the next token of every "
       "sequence is on the host",
       "record.decode_step_ms", Better::kLower, true,
       [](const SampleInput& s) -> std::optional<double> {
         if (!has_steps(s)) return std::nullopt;
         return sum_steps(s) / double(s.decode_step_ms->size());
       }});
  add({"decode_tokens_per_s", "Decode throughput", "tokens/s", "decode", MetricKind::kSample,
       "decode_tokens_per_s = B * (N - 1) / (sum of decode step latencies in ms / 1000)",
       "record.decode_step_ms, cell.batch", Better::kHigher, false,
       [](const SampleInput& s) -> std::optional<double> {
         if (!has_steps(s)) return std::nullopt;
         double total = sum_steps(s);
         if (total <= 0) return std::nullopt;
         return double(s.batch) * double(s.decode_step_ms->size()) / (total / 1000.0);
       }});
  add({"e2e_latency_ms", "End-to-end latency", "ms", "decode", MetricKind::kSample,
       "e2e_latency_ms = prefill_ms + sum of the N - 1 decode step latencies (the decode "
       "sample's own prefill)",
       "record.prefill_ms, record.decode_step_ms", Better::kLower, false,
       [](const SampleInput& s) -> std::optional<double> {
         if (!has_steps(s) || !s.prefill_ms) return std::nullopt;
         return *s.prefill_ms + sum_steps(s);
       }});
  add({"decode_roofline_ratio", "TPOT / roofline floor", "x", "decode", MetricKind::kSample,
       "decode_roofline_ratio = tpot_ms / decode_step_floor_ms",
       "record.decode_step_ms, decode_step_floor_ms", Better::kLower, false,
       [](const SampleInput& s) -> std::optional<double> {
         if (!has_steps(s) || !s.decode_step_floor_ms || *s.decode_step_floor_ms <= 0)
           return std::nullopt;
         return sum_steps(s) / double(s.decode_step_ms->size()) / *s.decode_step_floor_ms;
       }});

  // ---- per group (worker start) ---------------------------------------------------------
  add({"load_ms", "Load time", "ms", "load", MetricKind::kGroup,
       "load_ms = worker_start.load_ms: time to load the model into the backend (never inside "
       "any latency); one value per worker start",
       "worker_start record load_ms", Better::kLower, false, nullptr});
  add({"build_ms", "Build/export time", "ms", "load", MetricKind::kGroup,
       "build_ms = worker_start.build_ms: export or engine build time of the group's artifact, "
       "or artifacts[group].build_ms from the manifest",
       "worker_start record build_ms", Better::kLower, false, nullptr});
  add({"peak_rss_mib", "Peak host RSS", "MiB", "load", MetricKind::kGroup,
       "peak_rss_mib = max over the group's records of peak_rss_bytes / 2^20",
       "record.peak_rss_bytes", Better::kLower, false, nullptr});
  add({"peak_device_mib", "Peak device memory", "MiB", "load", MetricKind::kGroup,
       "peak_device_mib = max over the group's records of peak_device_bytes / 2^20",
       "record.peak_device_bytes", Better::kLower, false, nullptr});

  // ---- derived once from stated inputs --------------------------------------------------
  add({"prefill_floor_ms", "Prefill roofline floor", "ms", "prefill", MetricKind::kDerived,
       "prefill_floor_ms = 1000 * max(weight_bytes / (bandwidth_GBps * 1e9), "
       "2 * params * B * S / (peak_GFLOPs * 1e9)); weight_bytes = (params - n_positions * n_embd) "
       "* bytes_per_element(precision) (every weight except the position table is read at "
       "least once); the FLOP term is used only when the manifest has a peak for the device "
       "and precision",
       "manifest.models[m].params/n_positions/n_embd, manifest.ceilings[device]",
       Better::kLower, false, nullptr});
  add({"decode_step_floor_ms", "Decode step roofline floor", "ms", "decode",
       MetricKind::kDerived,
       "decode_step_floor_ms = 1000 * max((weight_bytes + kv_bytes) / (bandwidth_GBps * 1e9), "
       "2 * params * B / (peak_GFLOPs * 1e9)); kv_bytes = 2 * n_layer * B * (S + N / 2) * "
       "n_embd * bytes_per_element(precision) (K and V read at the mean KV length of the N - 1 "
       "steps)",
       "manifest.models[m], manifest.ceilings[device], cell B, S, N", Better::kLower, false,
       nullptr});
  add({"cost_per_million_tokens_usd", "Cost per million tokens", "USD", "decode",
       MetricKind::kDerived,
       "cost_per_million_tokens_usd = price_per_hour_usd / (3600 * tokens_per_s) * 1e6, with "
       "tokens_per_s the cell's mean prefill or decode throughput; shown only when "
       "manifest.options.price_per_hour_usd is set",
       "manifest.options.price_per_hour_usd, mean throughput", Better::kLower, false, nullptr});
  return r;
}

}  // namespace

const std::vector<MetricDef>& metric_registry() {
  static const std::vector<MetricDef> registry = build_registry();
  return registry;
}

const MetricDef& metric(std::string_view name) {
  for (const auto& m : metric_registry())
    if (m.name == name) return m;
  fail("unknown metric '{}'", name);
}

std::vector<const MetricDef*> sample_metrics(std::string_view phase) {
  std::vector<const MetricDef*> out;
  for (const auto& m : metric_registry())
    if (m.kind == MetricKind::kSample && m.phase == phase) out.push_back(&m);
  return out;
}

const MetricDef& primary_metric(std::string_view phase) {
  for (const auto& m : metric_registry())
    if (m.primary && m.phase == phase) return m;
  fail("no primary metric for phase '{}' (expected prefill or decode)", phase);
}

int bytes_per_element(std::string_view precision) {
  if (precision == "fp32") return 4;
  if (precision == "fp16" || precision == "bf16") return 2;
  if (precision == "int8" || precision == "fp8") return 1;
  fail("unknown precision '{}' (expected fp32, fp16, bf16, int8 or fp8)", precision);
}

std::optional<Floors> roofline_floors(const ModelShape& m, std::string_view precision,
                                      std::string_view device, int batch, int prompt_len,
                                      int new_tokens, const nlohmann::json& ceilings) {
  if (!ceilings.is_object()) return std::nullopt;
  auto it = ceilings.find(std::string(device));
  if (it == ceilings.end() || !it->is_object()) return std::nullopt;
  const auto& c = *it;
  double bw_gbps = 0;
  std::string bw_key;
  for (const char* k : {"mem_bandwidth_gbps", "d2d_bandwidth_gbps"})
    if (c.contains(k) && c.at(k).is_number()) {
      bw_gbps = c.at(k).get<double>();
      bw_key = k;
      break;
    }
  if (!(bw_gbps > 0) || m.params <= 0) return std::nullopt;
  std::optional<double> peak_gflops;
  std::string peak_key;
  if (c.contains("sgemm_gflops") && c.at("sgemm_gflops").is_number()) {
    peak_gflops = c.at("sgemm_gflops").get<double>();
    peak_key = "sgemm_gflops";
  } else if (c.contains("gemm_tflops") && c.at("gemm_tflops").is_object()) {
    const auto& t = c.at("gemm_tflops");
    auto p = t.find(std::string(precision));
    if (p != t.end() && p->is_number()) {
      peak_gflops = p->get<double>() * 1000.0;
      peak_key = "gemm_tflops." + std::string(precision);
    }
  }
  double bpe = bytes_per_element(precision);
  double weight_bytes =
      double(m.params - std::int64_t(m.n_positions) * m.n_embd) * bpe;
  double kv_bytes = 2.0 * m.n_layer * batch * (prompt_len + new_tokens / 2.0) * m.n_embd * bpe;
  double bw = bw_gbps * 1e9;
  Floors f;
  f.prefill_floor_ms = 1000.0 * weight_bytes / bw;
  f.decode_step_floor_ms = 1000.0 * (weight_bytes + kv_bytes) / bw;
  if (peak_gflops && *peak_gflops > 0) {
    double peak = *peak_gflops * 1e9;
    f.prefill_floor_ms = std::max(f.prefill_floor_ms,
                                  1000.0 * 2.0 * double(m.params) * batch * prompt_len / peak);
    f.decode_step_floor_ms =
        std::max(f.decode_step_floor_ms, 1000.0 * 2.0 * double(m.params) * batch / peak);
  }
  f.basis = std::string(device) + ": " + bw_key + " = " + format_number(bw_gbps) +
            (peak_gflops ? ", " + peak_key + " = " + format_number(*peak_gflops / (peak_key ==
                                                        "sgemm_gflops" ? 1.0 : 1000.0))
                         : std::string(", no FLOP ceiling for ") + std::string(precision));
  return f;
}

double cost_per_million_tokens_usd(double price_per_hour_usd, double tokens_per_s) {
  if (!(tokens_per_s > 0)) fail("cost per token needs a positive throughput, got {}", tokens_per_s);
  return price_per_hour_usd / (3600.0 * tokens_per_s) * 1e6;
}

std::string metrics_doc_markdown() {
  std::string out;
  out += "# scalebench metrics\n\n";
  out += "Generated from the metric registry (src/report/metrics.cc) by "
         "`scalebench report --metrics-doc docs/metrics.md`; do not edit by hand.\n\n";
  out += "Records (records.jsonl) hold raw measurements only; every metric below is computed "
         "by the report from them. Scenario: batch B, prompt length S, N new tokens per "
         "sequence (greedy, fixed N >= 2), so a decode sample has N - 1 step latencies.\n\n";
  out += "Comparisons: ";
  out += stats::delta_convention_text();
  out += "\n\n";
  for (const char* phase : {"prefill", "decode", "load"}) {
    out += std::string("## Phase: ") + phase + "\n\n";
    for (const auto& m : metric_registry()) {
      if (m.phase != phase) continue;
      out += "### " + escape_markdown(m.name) + "\n\n";
      out += "- Title: " + escape_markdown(m.title) + "\n";
      out += "- Unit: " + escape_markdown(m.unit) + "\n";
      const char* kind = m.kind == MetricKind::kSample  ? "per measured sample, summarized per cell"
                         : m.kind == MetricKind::kGroup ? "per group (worker start)"
                                                        : "derived once from stated inputs";
      out += std::string("- Computed: ") + kind + "\n";
      out += std::string("- Better: ") + (m.better == stats::Better::kLower ? "lower" : "higher") +
             (m.primary ? " (the phase's primary metric: comparisons, outliers, crossovers)" : "") +
             "\n";
      out += "- Formula: " + escape_markdown(m.formula) + "\n";
      out += "- Inputs: " + escape_markdown(m.inputs) + "\n\n";
    }
  }
  out += "## Claims of another report vs this measurement\n\n";
  out += claims_statistics_doc();
  return out;
}

}  // namespace sb::report
