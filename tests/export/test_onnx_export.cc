// Export tests that need no ONNX Runtime: graph structure, checker, metadata, external data,
// optimum-folder checks and errors.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include "export/onnx_export.h"
#include "export/optimum_source.h"
#include "export/reference_gpt2.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace fs = std::filesystem;
using sb::exporter::ExportOptions;
using sb::exporter::export_onnx;

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("sb-export-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

onnx::ModelProto load(const fs::path& f) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(sb::read_file(f)));
  return m;
}

std::int64_t param_formula(const sb::model::GptConfig& c) {
  const std::int64_t V = c.vocab_size, E = c.n_embd, P = c.n_positions, L = c.n_layer;
  return V * E + P * E + L * (12 * E * E + 13 * E) + 2 * E;  // REFERENCE.md, tied head
}

void write_config(const fs::path& dir, const sb::model::GptConfig& c) {
  nlohmann::json j = {{"model_type", "gpt2"}, {"n_layer", c.n_layer}, {"n_head", c.n_head},
                      {"n_embd", c.n_embd},   {"vocab_size", c.vocab_size},
                      {"n_positions", c.n_positions}};
  sb::write_file_atomic(dir / "config.json", j.dump());
}

}  // namespace

TEST(OnnxExport, GraphHasOptimumNamesAndDynamicAxes) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 1);
  const auto dir = temp_dir("names");
  ExportOptions o;
  o.last_position_logits = false;
  const auto r = export_onnx(w, o, dir);
  EXPECT_EQ(r.model_file, dir / "model.onnx");
  const auto m = load(r.model_file);
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).version(), 17);
  std::vector<std::string> in, out;
  for (const auto& v : m.graph().input()) in.push_back(v.name());
  for (const auto& v : m.graph().output()) out.push_back(v.name());
  const std::vector<std::string> want_in = {"input_ids", "attention_mask", "position_ids",
                                            "past_key_values.0.key", "past_key_values.0.value",
                                            "past_key_values.1.key", "past_key_values.1.value"};
  const std::vector<std::string> want_out = {"logits", "present.0.key", "present.0.value",
                                             "present.1.key", "present.1.value"};
  EXPECT_EQ(in, want_in);
  EXPECT_EQ(out, want_out);
  const auto& past = m.graph().input(3).type().tensor_type().shape();
  ASSERT_EQ(past.dim_size(), 4);
  EXPECT_EQ(past.dim(0).dim_param(), "batch_size");
  EXPECT_EQ(past.dim(1).dim_value(), 2);
  EXPECT_EQ(past.dim(2).dim_param(), "past_sequence_length");
  EXPECT_EQ(past.dim(3).dim_value(), 8);
  const auto& logits = m.graph().output(0).type().tensor_type().shape();
  EXPECT_EQ(logits.dim(1).dim_param(), "sequence_length");
  EXPECT_EQ(logits.dim(2).dim_value(), 37);
  // gelu_new is composed (no Gelu op at opset 17); LayerNormalization is native.
  std::map<std::string, int> ops;
  for (const auto& n : m.graph().node()) ++ops[n.op_type()];
  EXPECT_EQ(ops["LayerNormalization"], 2 * 2 + 1);
  EXPECT_EQ(ops["Tanh"], 2);
  EXPECT_EQ(ops.count("Gelu"), 0u);
  EXPECT_EQ(sb::exporter::onnx_op_histogram(r.model_file)["LayerNormalization"], 5);
}

TEST(OnnxExport, MetadataCountsComeFromTheTensors) {
  const auto w = sb::testing::random_weights(3, 4, 32, 50, 40, 2);
  const auto dir = temp_dir("meta");
  const auto r = export_onnx(w, {}, dir);
  EXPECT_EQ(r.model_file.filename(), "model_last_logits.onnx");
  EXPECT_EQ(r.opset, 17);
  EXPECT_EQ(r.initializer_count, 12 * 3 + 4);
  EXPECT_EQ(r.element_count, param_formula(w.config));
  EXPECT_EQ(r.bytes, fs::file_size(r.model_file));
  EXPECT_EQ(r.sha256, sb::sha256_file(r.model_file));
  EXPECT_GT(r.export_ms, 0.0);
  EXPECT_TRUE(r.external_data_file.empty());
  const auto j = nlohmann::json::parse(sb::exporter::export_result_json(r));
  EXPECT_EQ(j["sha256"], r.sha256);
  EXPECT_EQ(j["logits"], "last");
  EXPECT_EQ(j["element_count"], r.element_count);
  const auto m = load(r.model_file);
  EXPECT_EQ(m.graph().initializer_size(), r.initializer_count);
  EXPECT_EQ(m.graph().output(0).type().tensor_type().shape().dim(1).dim_value(), 1);
}

TEST(OnnxExport, Fp16StoresHalfWeightsAndFp32Norms) {
  const auto w = sb::testing::random_weights(1, 2, 16, 20, 16, 3);
  const auto dir = temp_dir("fp16");
  ExportOptions o;
  o.dtype = sb::model::DType::F16;
  const auto r = export_onnx(w, o, dir);
  EXPECT_EQ(r.dtype, "fp16");
  const auto m = load(r.model_file);
  for (const auto& t : m.graph().initializer()) {
    const bool norm = t.name().find("ln_") != std::string::npos;
    EXPECT_EQ(t.data_type(), norm ? onnx::TensorProto::FLOAT : onnx::TensorProto::FLOAT16) << t.name();
  }
  EXPECT_EQ(m.graph().input(3).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT16);
  EXPECT_EQ(m.graph().output(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
}

TEST(OnnxExport, ExternalDataWhenOverThreshold) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 4);
  const auto dir = temp_dir("external");
  ExportOptions o;
  o.external_data_threshold_bytes = 1000;  // forces the > 2 GB path on a tiny model
  const auto r = export_onnx(w, o, dir);
  ASSERT_FALSE(r.external_data_file.empty());
  EXPECT_TRUE(fs::exists(r.external_data_file));
  EXPECT_EQ(r.bytes, fs::file_size(r.model_file) + fs::file_size(r.external_data_file));
  EXPECT_EQ(r.external_data_sha256, sb::sha256_file(r.external_data_file));
  const auto m = load(r.model_file);
  std::int64_t end = 0;
  for (const auto& t : m.graph().initializer()) {
    ASSERT_EQ(t.data_location(), onnx::TensorProto::EXTERNAL) << t.name();
    EXPECT_TRUE(t.raw_data().empty());
    std::int64_t off = -1, len = -1;
    for (const auto& e : t.external_data()) {
      if (e.key() == "offset") off = std::stoll(e.value());
      if (e.key() == "length") len = std::stoll(e.value());
    }
    EXPECT_EQ(off % 4096, 0) << t.name();
    EXPECT_GE(off, end) << t.name();  // tensors do not overlap
    end = off + len;
  }
  EXPECT_EQ(end, static_cast<std::int64_t>(fs::file_size(r.external_data_file)));
  // Re-exporting inline removes the stale data file.
  const auto r2 = export_onnx(w, {}, dir);
  EXPECT_FALSE(fs::exists(dir / "model_last_logits.onnx.data"));
  EXPECT_TRUE(r2.external_data_file.empty());
}

TEST(OnnxExport, BadWeightsAndOptionsAreNamed) {
  auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 5);
  const auto dir = temp_dir("bad");
  w.layers[1].mlp_c_fc_bias.resize(5);
  try {
    export_onnx(w, {}, dir);
    FAIL() << "expected sb::Error";
  } catch (const sb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'h.1.mlp.c_fc.bias' holds 5 elements, expected 64"), std::string::npos) << e.what();
  }
  w = sb::testing::random_weights(1, 2, 16, 37, 32, 5);
  ExportOptions o;
  o.opset = 14;
  EXPECT_THROW(export_onnx(w, o, dir), sb::Error);
  o = {};
  o.dtype = sb::model::DType::BF16;
  EXPECT_THROW(export_onnx(w, o, dir), sb::Error);
}

TEST(OptimumFolder, AcceptsOptimumLayout) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 6);
  const auto dir = temp_dir("optimum-ok");
  ExportOptions o;
  o.last_position_logits = false;
  export_onnx(w, o, dir);
  write_config(dir, w.config);
  EXPECT_TRUE(sb::exporter::is_onnx_folder(dir));
  const auto src = sb::exporter::inspect_onnx_folder(dir);
  EXPECT_EQ(src.model_file, dir / "model.onnx");
  EXPECT_EQ(src.config.n_layer, 2);
  EXPECT_EQ(src.config.vocab_size, 37);
  EXPECT_TRUE(src.has_position_ids);
  EXPECT_FALSE(src.last_position_logits);
  EXPECT_EQ(src.kv_dtype, "fp32");
  EXPECT_EQ(src.opset, 17);
}

TEST(OptimumFolder, ClearErrors) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 7);
  auto expect_error = [](const fs::path& dir, const std::string& needle) {
    try {
      sb::exporter::inspect_onnx_folder(dir);
      ADD_FAILURE() << "expected sb::Error containing: " << needle;
    } catch (const sb::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("/nonexistent/sb-onnx", "not a folder");
  const auto dir = temp_dir("optimum-bad");
  ExportOptions o;
  o.last_position_logits = false;
  export_onnx(w, o, dir);
  expect_error(dir, "config.json is missing");
  write_config(dir, w.config);
  // Wrong input name: rename past_key_values.1.value.
  auto m = load(dir / "model.onnx");
  for (auto& in : *m.mutable_graph()->mutable_input()) {
    if (in.name() == "past_key_values.1.value") in.set_name("past.1.value");
  }
  std::string bytes;
  m.SerializeToString(&bytes);
  sb::write_file_atomic(dir / "model.onnx", bytes);
  expect_error(dir, "'past_key_values.1.value' is missing");
  // A config that disagrees with the graph (n_head).
  auto c = w.config;
  c.n_head = 4;
  write_config(dir, c);
  export_onnx(w, o, dir);
  expect_error(dir, "dim 1 is 2, expected n_head 4");
  // Merged decoders are refused with the reason.
  const auto merged = temp_dir("optimum-merged");
  write_config(merged, w.config);
  sb::write_file_atomic(merged / "decoder_model_merged.onnx", "x");
  expect_error(merged, "decoder_model_merged.onnx");
  // Not a protobuf at all.
  const auto junk = temp_dir("optimum-junk");
  write_config(junk, w.config);
  sb::write_file_atomic(junk / "model.onnx", "not a model");
  expect_error(junk, "not an ONNX model");
}

// The static_kv variant (CUDA graphs): fixed K-slot past/present, no attention_mask, the cache
// written by ScatterElements and the mask from positions; its last-position graph has no node
// that computes a shape at run time (what a captured graph cannot replay differently).
TEST(OnnxExport, StaticKvGraphHasFixedCacheAndNoShapeNodes) {
  const auto w = sb::testing::random_weights(2, 2, 16, 37, 32, 3);
  const auto dir = temp_dir("static-kv");
  for (const bool last : {true, false}) {
    for (const auto dtype : {sb::model::DType::F32, sb::model::DType::F16}) {
      ExportOptions o;
      o.last_position_logits = last;
      o.dtype = dtype;
      o.static_kv_positions = 24;
      const auto r = export_onnx(w, o, dir);  // passes onnx::checker (export_onnx checks)
      EXPECT_EQ(r.model_file.filename(), last ? "model_static_kv24_last_logits.onnx" : "model_static_kv24.onnx");
      EXPECT_EQ(r.static_kv_positions, 24);
      EXPECT_EQ(nlohmann::json::parse(sb::exporter::export_result_json(r)).at("static_kv_positions"), 24);
      EXPECT_EQ(r.element_count, param_formula(w.config));  // the same weights, once
      const auto m = load(r.model_file);
      std::vector<std::string> in, out;
      for (const auto& v : m.graph().input()) in.push_back(v.name());
      for (const auto& v : m.graph().output()) out.push_back(v.name());
      EXPECT_EQ(in, (std::vector<std::string>{"input_ids", "position_ids", "past_key_values.0.key",
                                              "past_key_values.0.value", "past_key_values.1.key",
                                              "past_key_values.1.value"}));
      EXPECT_EQ(out, (std::vector<std::string>{"logits", "present.0.key", "present.0.value", "present.1.key",
                                               "present.1.value"}));
      for (const auto* vi : {&m.graph().input(2), &m.graph().output(1)}) {
        const auto& s = vi->type().tensor_type().shape();
        ASSERT_EQ(s.dim_size(), 4) << vi->name();
        EXPECT_EQ(s.dim(0).dim_param(), "batch_size") << vi->name();
        EXPECT_EQ(s.dim(1).dim_value(), 2) << vi->name();
        EXPECT_EQ(s.dim(2).dim_value(), 24) << vi->name();  // fixed: the same shape every step
        EXPECT_EQ(s.dim(3).dim_value(), 8) << vi->name();
      }
      std::map<std::string, int> ops;
      for (const auto& n : m.graph().node()) ++ops[n.op_type()];
      EXPECT_EQ(ops["ScatterElements"], 4);  // 2 layers x (key, value)
      EXPECT_EQ(ops["Concat"], last ? 0 : 1);  // the all-position variant's logits shape only
      EXPECT_EQ(ops["LessOrEqual"], 1);
      EXPECT_EQ(ops["Range"], 0);
      EXPECT_EQ(ops["Shape"], last ? 0 : 1);
      EXPECT_EQ(ops["And"], 0);  // no attention_mask to combine
      bool found = false;
      for (const auto& p : m.metadata_props()) {
        if (p.key() == "scalebench.static_kv_positions") {
          EXPECT_EQ(p.value(), "24");
          found = true;
        }
      }
      EXPECT_TRUE(found);
    }
  }
  // The dynamic export says 0 and keeps its name.
  const auto d = export_onnx(w, {}, dir);
  EXPECT_EQ(d.model_file.filename(), "model_last_logits.onnx");
  EXPECT_EQ(d.static_kv_positions, 0);
  // K must fit the position table.
  for (int bad : {-1, 33}) {
    ExportOptions o;
    o.static_kv_positions = bad;
    try {
      export_onnx(w, o, dir);
      ADD_FAILURE() << "static_kv_positions " << bad << " accepted";
    } catch (const sb::Error& e) {
      EXPECT_NE(std::string(e.what()).find("static_kv_positions"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("n_positions 32"), std::string::npos) << e.what();
    }
  }
}

TEST(OnnxExport, StaticKvSlotsFollowTheWorkersLongestSequence) {
  EXPECT_EQ(sb::exporter::static_kv_positions_for(160, 1024), 160);   // 128 prompt + 32 new tokens
  EXPECT_EQ(sb::exporter::static_kv_positions_for(0, 1024), 1024);    // unknown: the position table
  EXPECT_EQ(sb::exporter::static_kv_positions_for(2048, 1024), 1024); // never past it
}
