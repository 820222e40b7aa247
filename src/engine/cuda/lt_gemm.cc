// engine/cuda/lt_gemm.cc — see lt_gemm.h.
#include "engine/cuda/lt_gemm.h"

#include <cstdint>

#include <fmt/format.h>

#include "util/error.h"

namespace sb::engine::cudak {
namespace {

cudaDataType_t cuda_type(Dt d) {
  switch (d) {
    case Dt::kF32: return CUDA_R_32F;
    case Dt::kF16: return CUDA_R_16F;
    case Dt::kBF16: return CUDA_R_16BF;
  }
  return CUDA_R_32F;
}

const char* epi_name(LtEpilogue e) {
  switch (e) {
    case LtEpilogue::kNone: return "none";
    case LtEpilogue::kBias: return "bias";
    case LtEpilogue::kGeluBias: return "gelu_bias";
  }
  return "?";
}

void lt_check(cublasStatus_t s, const char* what, const LtShape* shape) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  sb::fail("cuBLASLt {} failed with status {}{}{}", what, static_cast<int>(s),
           shape ? " for " : "", shape ? shape->describe() : std::string());
}

}  // namespace

std::string LtShape::describe() const {
  if (quant != WQuant::kNone)
    return fmt::format("{} GEMM M={} N={} K={} ldx={} ldd={}", wquant_name(quant), m, n, k, ldx, ldd);
  return fmt::format("GEMM M={} N={} K={} ldx={} ldd={} in={} out={} epilogue={}{}", m, n, k, ldx,
                     ldd, dt_name(ab), dt_name(cd), epi_name(epilogue),
                     accumulate ? " +=D" : "");
}

struct LtGemm::Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  bool ok = false;
  float waves = 0;                 // heuristic result: wavesCount and workspaceSize
  std::size_t workspace_bytes = 0;
  ~Plan() {
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (c) cublasLtMatrixLayoutDestroy(c);
    if (desc) cublasLtMatmulDescDestroy(desc);
  }
};

LtGemm::LtGemm(bool tf32, std::size_t workspace_bytes)
    : tf32_(tf32), workspace_bytes_(workspace_bytes) {
  lt_check(cublasLtCreate(&handle_), "cublasLtCreate", nullptr);
  if (cudaMalloc(&workspace_, workspace_bytes_) != cudaSuccess) {
    cublasLtDestroy(handle_);
    sb::fail("cudaMalloc of the {} byte cuBLASLt workspace failed", workspace_bytes_);
  }
}

LtGemm::~LtGemm() {
  plans_.clear();
  if (workspace_) cudaFree(workspace_);
  if (handle_) cublasLtDestroy(handle_);
}

std::string LtGemm::version() const {
  return fmt::format("cuBLASLt {}", cublasLtGetVersion());
}

LtGemm::Plan* LtGemm::plan(const LtShape& s) {
  auto it = plans_.find(s);
  if (it != plans_.end()) return it->second->ok ? it->second.get() : nullptr;
  auto p = std::make_unique<Plan>();
  const cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
  if (s.quant != WQuant::kNone) {
    // int8: int32 accumulation and int32 alpha/beta; fp8: fp32 accumulation, fp32 output (the
    // per-channel weight scales are applied by launch_dequant, so no scale pointers are needed).
    const bool i8 = s.quant == WQuant::kInt8;
    const cudaDataType_t in_t = i8 ? CUDA_R_8I : CUDA_R_8F_E4M3;
    const cudaDataType_t out_t = i8 ? CUDA_R_32I : CUDA_R_32F;
    lt_check(cublasLtMatmulDescCreate(&p->desc, i8 ? CUBLAS_COMPUTE_32I : CUBLAS_COMPUTE_32F,
                                      i8 ? CUDA_R_32I : CUDA_R_32F),
             "MatmulDescCreate", &s);
    lt_check(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta),
             "set TRANSA", &s);
    lt_check(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb),
             "set TRANSB", &s);
    lt_check(cublasLtMatrixLayoutCreate(&p->a, in_t, s.k, s.n, s.k), "layout A", &s);
    lt_check(cublasLtMatrixLayoutCreate(&p->b, in_t, s.k, s.m, s.ldx), "layout B", &s);
    lt_check(cublasLtMatrixLayoutCreate(&p->c, out_t, s.n, s.m, s.ldd), "layout C", &s);
  } else {
  const cublasComputeType_t compute =
      (s.ab == Dt::kF32 && tf32_) ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  lt_check(cublasLtMatmulDescCreate(&p->desc, compute, CUDA_R_32F), "MatmulDescCreate", &s);
  lt_check(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta),
           "set TRANSA", &s);
  lt_check(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb),
           "set TRANSB", &s);
  cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_DEFAULT;
  if (s.epilogue == LtEpilogue::kBias) epi = CUBLASLT_EPILOGUE_BIAS;
  if (s.epilogue == LtEpilogue::kGeluBias) epi = CUBLASLT_EPILOGUE_GELU_BIAS;
  lt_check(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi),
           "set EPILOGUE", &s);
  if (s.epilogue != LtEpilogue::kNone) {
    const cudaDataType_t bt = cuda_type(s.cd);
    lt_check(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bt,
                                            sizeof bt),
             "set BIAS_DATA_TYPE", &s);
  }
  // Column-major views: W is K x N (ld K) used transposed, X is K x M (ld ldx), D is N x M.
  lt_check(cublasLtMatrixLayoutCreate(&p->a, cuda_type(s.ab), s.k, s.n, s.k), "layout A", &s);
  lt_check(cublasLtMatrixLayoutCreate(&p->b, cuda_type(s.ab), s.k, s.m, s.ldx), "layout B", &s);
  lt_check(cublasLtMatrixLayoutCreate(&p->c, cuda_type(s.cd), s.n, s.m, s.ldd), "layout C", &s);
  }

  cublasLtMatmulPreference_t pref = nullptr;
  lt_check(cublasLtMatmulPreferenceCreate(&pref), "PreferenceCreate", &s);
  lt_check(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                &workspace_bytes_, sizeof workspace_bytes_),
           "set MAX_WORKSPACE_BYTES", &s);
  cublasLtMatmulHeuristicResult_t result{};
  int count = 0;
  const cublasStatus_t hs = cublasLtMatmulAlgoGetHeuristic(handle_, p->desc, p->a, p->b, p->c,
                                                           p->c, pref, 1, &result, &count);
  cublasLtMatmulPreferenceDestroy(pref);
  if (hs == CUBLAS_STATUS_SUCCESS && count > 0 && result.state == CUBLAS_STATUS_SUCCESS) {
    p->algo = result.algo;
    p->ok = true;
    p->waves = result.wavesCount;
    p->workspace_bytes = result.workspaceSize;
  } else if (hs != CUBLAS_STATUS_SUCCESS && hs != CUBLAS_STATUS_NOT_SUPPORTED) {
    lt_check(hs, "AlgoGetHeuristic", &s);
  }
  Plan* raw = p.get();
  plans_.emplace(s, std::move(p));
  return raw->ok ? raw : nullptr;
}

bool LtGemm::supported(const LtShape& s) { return plan(s) != nullptr; }

std::string LtGemm::describe_plans() const {
  std::string out;
  for (const auto& [shape, p] : plans_) {
    out += shape.describe();
    if (!p->ok) {
      out += ": no algorithm\n";
      continue;
    }
    auto get = [&](cublasLtMatmulAlgoConfigAttributes_t attr, auto zero) -> long long {
      decltype(zero) v = zero;
      std::size_t written = 0;
      if (cublasLtMatmulAlgoConfigGetAttribute(&p->algo, attr, &v, sizeof v, &written) !=
          CUBLAS_STATUS_SUCCESS)
        return -1;
      return static_cast<long long>(v);
    };
    out += fmt::format(
        ": algo {} tile {} stages {} splitK {} reduction {} swizzle {} custom {} cluster {} "
        "(waves {:.2f}, workspace {} B)\n",
        get(CUBLASLT_ALGO_CONFIG_ID, std::int32_t{0}), get(CUBLASLT_ALGO_CONFIG_TILE_ID, std::uint32_t{0}),
        get(CUBLASLT_ALGO_CONFIG_STAGES_ID, std::uint32_t{0}),
        get(CUBLASLT_ALGO_CONFIG_SPLITK_NUM, std::int32_t{0}),
        get(CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, std::uint32_t{0}),
        get(CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING, std::uint32_t{0}),
        get(CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION, std::uint32_t{0}),
        get(CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID, std::uint16_t{0}), p->waves, p->workspace_bytes);
  }
  return out;
}

void LtGemm::run(const LtShape& s, const void* w, const void* x, const void* bias, void* d,
                 cudaStream_t st) {
  Plan* p = plan(s);
  if (p == nullptr) sb::fail("cuBLASLt offers no algorithm for {}", s.describe());
  if (s.quant == WQuant::kNone && s.epilogue != LtEpilogue::kNone) {
    lt_check(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias,
                                            sizeof bias),
             "set BIAS_POINTER", &s);
  }
  if (s.quant == WQuant::kInt8) {
    const int alpha = 1, beta = 0;
    lt_check(cublasLtMatmul(handle_, p->desc, &alpha, w, p->a, x, p->b, &beta, d, p->c, d, p->c,
                            &p->algo, workspace_, workspace_bytes_, st),
             "Matmul", &s);
    return;
  }
  const float alpha = 1.0f, beta = s.accumulate && s.quant == WQuant::kNone ? 1.0f : 0.0f;
  lt_check(cublasLtMatmul(handle_, p->desc, &alpha, w, p->a, x, p->b, &beta, d, p->c, d, p->c,
                          &p->algo, workspace_, workspace_bytes_, st),
           "Matmul", &s);
}

}  // namespace sb::engine::cudak
