// Every bad model input of the foundation issue: each must give one sb::Error naming the file
// and the problem (never a crash).  Files are made valid first, then broken in one way.
#include <gtest/gtest.h>

#include "model/layout.h"
#include "model/model.h"
#include "model/presets.h"
#include "model_test_util.h"

namespace sb::model {
namespace {
using nlohmann::json;
using testing::expect_error;
using testing::ScratchDir;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    weights_ = load_model("shape:L=1,H=2,E=4,V=8,P=6", 1).weights;
    write_model_folder(weights_, DType::F32, dir_.path());
    file_ = (dir_ / "model.safetensors").string();
  }
  std::string load() { return load_model(dir_.path().string()).inventory.weights_sha256; }
  // Rewrites model.safetensors with the header changed by `edit` and `extra` data bytes.
  void edit_header(const std::function<void(json&)>& edit, const std::string& extra = "") {
    auto [header, data] = testing::split_safetensors(file_);
    edit(header);
    testing::write_raw_safetensors(file_, header.dump(), data + extra);
  }
  json entry(const std::string& name) { return testing::split_safetensors(file_).first[name]; }

  ScratchDir dir_;
  GptWeights weights_;
  std::string file_;
};

TEST_F(BadInput, ValidFolderLoads) { EXPECT_EQ(load().size(), 64u); }

TEST_F(BadInput, TruncatedBeforeHeaderLength) {
  testing::write_bytes(file_, "abc");
  expect_error([&] { load(); }, {file_, "truncated", "3 bytes"});
}

TEST_F(BadInput, TruncatedInsideData) {
  const std::string bytes = read_file(file_);
  testing::write_bytes(file_, bytes.substr(0, bytes.size() - 10));
  expect_error([&] { load(); }, {file_, "leave the data buffer"});
}

TEST_F(BadInput, HeaderLengthPastEndOfFile) {
  std::string bytes = read_file(file_);
  bytes.replace(0, 8, testing::le64(1'000'000));
  testing::write_bytes(file_, bytes);
  expect_error([&] { load(); }, {file_, "header length 1000000 runs past the end of the file"});
}

TEST_F(BadInput, MalformedJsonHeader) {
  testing::write_raw_safetensors(file_, R"({"wte.weight": {"dtype": "F32", "shape": [8, 4)", "");
  expect_error([&] { load(); }, {file_, "malformed JSON header"});
  testing::write_raw_safetensors(file_, R"(["not", "an", "object"])", "");
  expect_error([&] { load(); }, {file_, "malformed JSON header", "expected an object"});
}

TEST_F(BadInput, UnknownDtype) {
  edit_header([](json& h) { h["wpe.weight"]["dtype"] = "F33"; });
  expect_error([&] { load(); }, {file_, "wpe.weight", "unknown dtype \"F33\""});
}

TEST_F(BadInput, KnownDtypeThatCannotHoldWeights) {
  edit_header([](json& h) { h["wpe.weight"]["dtype"] = "I32"; });
  expect_error([&] { load(); }, {file_, "wpe.weight", "I32", "expected F32, F16 or BF16"});
}

TEST_F(BadInput, ShapeContradictsConfig) {
  // Same byte span, transposed shape: only config.json can tell it is wrong.
  edit_header([](json& h) { h["wte.weight"]["shape"] = {4, 8}; });
  expect_error([&] { load(); },
               {file_, "wte.weight", "shape [4, 8] contradicts config.json", "expected [8, 4]"});
}

TEST_F(BadInput, ShapeContradictsByteSpan) {
  edit_header([](json& h) { h["wte.weight"]["shape"] = {8, 5}; });
  expect_error([&] { load(); }, {file_, "wte.weight", "needs 160 bytes", "span 128"});
}

TEST_F(BadInput, ConfigContradictsFile) {
  GptConfig c = weights_.config;
  c.n_layer = 2;   // the file holds one layer
  write_file_atomic(dir_ / "config.json", config_to_json(c));
  expect_error([&] { load(); }, {file_, "missing tensor 'h.1.", "n_layer 2"});
  c.n_layer = 1;
  c.vocab_size = 9;
  write_file_atomic(dir_ / "config.json", config_to_json(c));
  expect_error([&] { load(); }, {file_, "wte.weight", "expected [9, 4]", "vocab_size 9"});
}

TEST_F(BadInput, MissingTensor) {
  std::vector<TensorToWrite> ts;
  for (const auto& t : gpt2_tensor_layout(weights_.config))
    if (t.name != "h.0.mlp.c_fc.bias") ts.push_back({t.name, t.shape, t.in(weights_).data()});
  write_safetensors(file_, ts, WriteOptions{});
  expect_error([&] { load(); }, {file_, "missing tensor 'h.0.mlp.c_fc.bias'", "[16]"});
}

TEST_F(BadInput, UnexpectedTensor) {
  std::vector<TensorToWrite> ts;
  for (const auto& t : gpt2_tensor_layout(weights_.config))
    ts.push_back({t.name, t.shape, t.in(weights_).data()});
  ts.push_back({"h.1.ln_1.weight", {4}, weights_.ln_f_weight.data()});
  write_safetensors(file_, ts, WriteOptions{});
  expect_error([&] { load(); }, {file_, "'h.1.ln_1.weight'", "not a weight of a GPT-2"});
}

TEST_F(BadInput, DuplicateTensorName) {
  // JSON objects with a repeated key are legal JSON; the header must still refuse them.
  auto [header, data] = testing::split_safetensors(file_);
  std::string text = header.dump();
  const std::string dup = "\"wpe.weight\":" + header["wpe.weight"].dump();
  text.insert(1, dup + ",");
  testing::write_raw_safetensors(file_, text, data);
  expect_error([&] { load(); }, {file_, "wpe.weight", "duplicate"});
}

TEST_F(BadInput, DuplicateTensorThroughPrefix) {
  std::vector<TensorToWrite> ts;
  for (const auto& t : gpt2_tensor_layout(weights_.config))
    ts.push_back({t.name, t.shape, t.in(weights_).data()});
  ts.push_back({"transformer.ln_f.bias", {4}, weights_.ln_f_bias.data()});
  write_safetensors(file_, ts, WriteOptions{});
  expect_error([&] { load(); }, {file_, "ln_f.bias", "duplicate tensor"});
}

TEST_F(BadInput, OverlappingOffsets) {
  // h.0.ln_1.bias and h.0.ln_1.weight are both [4] and adjacent: point weight at bias's bytes.
  const json bias = entry("h.0.ln_1.bias");
  edit_header([&](json& h) { h["h.0.ln_1.weight"]["data_offsets"] = bias["data_offsets"]; });
  expect_error([&] { load(); }, {file_, "h.0.ln_1.weight", "overlap tensor 'h.0.ln_1.bias'"});
}

TEST_F(BadInput, OffsetsLeaveTheBuffer) {
  const json last = entry("wte.weight");   // sorted last
  const std::uint64_t b = last["data_offsets"][0], e = last["data_offsets"][1];
  edit_header([&](json& h) { h["wte.weight"]["data_offsets"] = {b + 8, e + 8}; });
  expect_error([&] { load(); }, {file_, "wte.weight", "leave the data buffer"});
}

TEST_F(BadInput, OffsetsLeaveAHole) {
  const json last = entry("wte.weight");
  const std::uint64_t b = last["data_offsets"][0], e = last["data_offsets"][1];
  edit_header([&](json& h) { h["wte.weight"]["data_offsets"] = {b + 8, e + 8}; },
              std::string(8, '\0'));
  expect_error([&] { load(); }, {file_, "wte.weight", "hole of 8 bytes"});
}

TEST_F(BadInput, TrailingBytesAfterLastTensor) {
  edit_header([](json&) {}, std::string(4, '\0'));
  expect_error([&] { load(); }, {file_, "4 trailing bytes"});
}

TEST_F(BadInput, NegativeOffsetsAndDims) {
  edit_header([](json& h) { h["wpe.weight"]["shape"] = {-6, 4}; });
  expect_error([&] { load(); }, {file_, "wpe.weight", "non-negative"});
}

TEST_F(BadInput, EmptyFolder) {
  ScratchDir empty;
  expect_error([&] { load_model(empty.path().string()); }, {empty.path().string(), "empty folder"});
}

TEST_F(BadInput, MissingWeightsFile) {
  std::filesystem::remove(file_);
  expect_error([&] { load(); }, {file_, "missing weights file"});
}

TEST_F(BadInput, NeitherPresetNorFolder) {
  expect_error([] { load_model("gpt3-huge"); }, {"gpt3-huge", "not a preset", "tiny-gpt2"});
}

TEST_F(BadInput, ConfigNotJson) {
  testing::write_bytes(dir_ / "config.json", "n_embd = 4\n");
  const std::string cfg = (dir_ / "config.json").string();
  expect_error([&] { load(); }, {cfg, "not valid JSON"});
}

TEST_F(BadInput, HeadsDoNotDivideWidth) {
  auto j = json::parse(read_file(dir_ / "config.json"));
  j["n_head"] = 3;
  write_file_atomic(dir_ / "config.json", j.dump());
  expect_error([&] { load(); }, {(dir_ / "config.json").string(), "n_head", "do not divide n_embd 4"});
}

TEST_F(BadInput, NegativeSizes) {
  const std::string original = read_file(dir_ / "config.json");
  for (const char* field : {"n_embd", "n_layer", "n_head", "n_positions", "vocab_size"}) {
    auto j = json::parse(original);
    j[field] = -4;
    write_file_atomic(dir_ / "config.json", j.dump());
    expect_error([&] { load(); },
                 {(dir_ / "config.json").string(), std::string("\"") + field + "\"", "-4"});
  }
}

TEST_F(BadInput, NonGpt2ModelType) {
  auto j = json::parse(read_file(dir_ / "config.json"));
  j["model_type"] = "llama";
  write_file_atomic(dir_ / "config.json", j.dump());
  expect_error([&] { load(); }, {(dir_ / "config.json").string(), "model_type", "llama"});
}

TEST_F(BadInput, UnknownActivation) {
  auto j = json::parse(read_file(dir_ / "config.json"));
  j["activation_function"] = "swish";
  write_file_atomic(dir_ / "config.json", j.dump());
  expect_error([&] { load(); }, {(dir_ / "config.json").string(), "activation_function", "swish"});
}

TEST(BadHeader, DeepNestingAndHugeNumbersAreRefused) {
  const std::string where = "mem.safetensors";
  auto parse = [&](const std::string& header, const std::string& data = "") {
    const std::string bytes = testing::le64(header.size()) + header + data;
    parse_safetensors(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), where);
  };
  expect_error([&] { parse(std::string(100000, '[') + std::string(100000, ']')); },
               {where, "nested deeper"});
  expect_error([&] { parse(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})"); },
               {where, "'a'", "overflow"});
  expect_error([&] { parse(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})"); },
               {where, "end before they begin"});
  expect_error([&] { parse(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})"); },
               {where, "[begin, end]"});
  expect_error([&] { parse(R"({"__metadata__":{"format":3}})"); }, {where, "__metadata__"});
  // A header with only metadata and no data is a valid (empty) file.
  EXPECT_NO_THROW(parse(R"({"__metadata__":{"format":"pt"}})"));
}

}  // namespace
}  // namespace sb::model
