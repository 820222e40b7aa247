// `scalebench build`: builds an engine file of a backend that has a build step (today:
// native-cuda int8 / fp8, engine/cuda/engine_file.h).  Runs on the CPU (calibration forward on the
// CPU), so no GPU is needed to build.
//   --model M              preset, shape:... spec or Hugging Face folder (model/model.h)
//   --backend native-cuda  the only backend with a build step
//   --precision int8|fp8
//   --calib FILE|DIR       calibration text (default: the held-out Python tutorial docs)
//   --calib-samples 512 --calib-seq 128 --calibrator minmax|percentile [--percentile 99.99]
//   --calib-max-macs 2e11  arithmetic bound of the CPU calibration (samples are cut to fit)
//   --out DIR              engine.sbe + engine.json (printed to stdout as JSON too)
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "util/error.h"

#ifdef SB_HAVE_CUDA_ENGINE_FILE
#include "engine/cuda/engine_file.h"
#include "model/model.h"
#endif

namespace sb::cli {
namespace {

struct BuildCliOptions {
  std::string model, backend = "native-cuda", precision, calib, calibrator = "minmax", out;
  int calib_samples = 512, calib_seq = 128;
  double percentile = 99.99, max_macs = 2e11;
  std::uint64_t seed = 0;
};

void run_build(const BuildCliOptions& o) {
  if (o.backend != "native-cuda")
    throw UsageError(fmt::format("--backend {} has no build step (only native-cuda)", o.backend));
  if (o.precision != "int8" && o.precision != "fp8")
    throw UsageError(fmt::format("--precision {} needs no build (native-cuda builds int8 and fp8; "
                                 "fp32/fp16/bf16 weights are converted when the engine starts)",
                                 o.precision));
  if (o.calibrator != "minmax" && o.calibrator != "percentile")
    throw UsageError("--calibrator must be minmax or percentile, got " + o.calibrator);
  if (o.calib_samples < 1 || o.calib_seq < 2)
    throw UsageError("--calib-samples must be >= 1 and --calib-seq >= 2");
#ifdef SB_HAVE_CUDA_ENGINE_FILE
  const auto loaded = model::load_model(o.model, o.seed);
  engine::CalibOptions c;
  c.text = o.calib;
  c.samples = o.calib_samples;
  c.seq = o.calib_seq;
  c.calibrator = o.calibrator;
  c.percentile = o.percentile;
  c.max_macs = o.max_macs;
  const auto a = engine::build_cuda_engine(loaded.weights, loaded.inventory.weights_sha256,
                                           o.precision, c, o.out);
  nlohmann::json j = a.metadata;
  j["path"] = a.path.string();
  j["model"] = o.model;
  std::cout << j.dump(2) << "\n";
#else
  throw sb::Error("this scalebench was built without the native CUDA engine-file library "
                  "(engine/cuda); `build` is unavailable");
#endif
}

CommandRegistration reg{"build", [](CLI::App& app) {
  auto opts = std::make_shared<BuildCliOptions>();
  auto* c = app.add_subcommand("build", "build an engine file (native-cuda int8/fp8: calibrate + quantize)");
  c->add_option("--model", opts->model, "preset, shape:... spec or model folder")->required();
  c->add_option("--backend", opts->backend, "backend (native-cuda)")->capture_default_str();
  c->add_option("--precision", opts->precision, "int8 or fp8")->required();
  c->add_option("--calib", opts->calib, "calibration text file or folder (default: python3.11 tutorial docs)");
  c->add_option("--calib-samples", opts->calib_samples, "calibration windows")->capture_default_str();
  c->add_option("--calib-seq", opts->calib_seq, "tokens per calibration window")->capture_default_str();
  c->add_option("--calibrator", opts->calibrator, "minmax or percentile")->capture_default_str();
  c->add_option("--percentile", opts->percentile, "percentile calibrator's p")->capture_default_str();
  c->add_option("--calib-max-macs", opts->max_macs, "bound on calibration arithmetic")->capture_default_str();
  c->add_option("--seed", opts->seed, "seed of synthetic weights")->capture_default_str();
  c->add_option("--out,-o", opts->out, "output folder")->required();
  c->callback([opts] { run_build(*opts); });
}};

}  // namespace
}  // namespace sb::cli
