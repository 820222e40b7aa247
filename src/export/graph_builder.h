// export/graph_builder — a thin helper over onnx::GraphProto for writing graphs by hand.
// Contract: every node gets a unique name and unique output names; constants are Constant nodes
// (so the graph's initializers are exactly the model weights); initializers are either stored
// inline (raw_data) or appended to an external data file, decided by the caller per tensor.
#pragma once
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace sb::exporter {

struct Attr {
  std::string name;
  enum Kind { kInt, kFloat, kInts, kString } kind;
  std::int64_t i = 0;
  float f = 0;
  std::vector<std::int64_t> ints;
  std::string s;
  static Attr Int(std::string n, std::int64_t v) { return {std::move(n), kInt, v, 0, {}, {}}; }
  static Attr Float(std::string n, float v) { return {std::move(n), kFloat, 0, v, {}, {}}; }
  static Attr Ints(std::string n, std::vector<std::int64_t> v) {
    return {std::move(n), kInts, 0, 0, std::move(v), {}};
  }
};

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  // Adds a node with one output (named after the node unless `output` is given) and returns
  // the output name.
  std::string op(const std::string& op_type, std::vector<std::string> inputs,
                 std::vector<Attr> attrs = {}, const std::string& output = {});
  // Adds a node with several outputs, returning their names.
  std::vector<std::string> op_n(const std::string& op_type, std::vector<std::string> inputs,
                                int n_outputs, std::vector<Attr> attrs = {});

  std::string const_i64(std::vector<std::int64_t> values, bool scalar = false);
  // A scalar constant of the given element type (FLOAT or FLOAT16).
  std::string const_scalar(float value, int elem_type);

  // Adds an initializer holding `data` converted to elem_type (FLOAT or FLOAT16).  When `ext`
  // is non-null the bytes are appended to that stream (aligned to 4 KiB) and referenced as
  // external data at `ext_location`.
  void initializer(const std::string& name, int elem_type, std::vector<std::int64_t> dims,
                   const float* data, std::int64_t count, std::ofstream* ext,
                   const std::string& ext_location);

  std::int64_t initializer_count() const { return initializer_count_; }
  std::int64_t element_count() const { return element_count_; }

 private:
  std::string unique(const std::string& base);
  onnx::GraphProto* graph_;
  std::int64_t counter_ = 0;
  std::int64_t initializer_count_ = 0, element_count_ = 0;
};

// A value_info (graph input/output) with dims given as numbers (>= 0) or names (dim_param).
struct Dim {
  std::int64_t value = -1;
  std::string param;
  Dim(std::int64_t v) : value(v) {}            // NOLINT: implicit on purpose
  Dim(const char* p) : param(p) {}             // NOLINT
  Dim(std::string p) : param(std::move(p)) {}  // NOLINT
};
void set_value_info(onnx::ValueInfoProto* vi, const std::string& name, int elem_type,
                    std::initializer_list<Dim> dims);

}  // namespace sb::exporter
