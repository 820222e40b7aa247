#include "export/graph_builder.h"

#include <cstring>

#include "model/dtype.h"
#include "util/error.h"

namespace sb::exporter {

std::string GraphBuilder::unique(const std::string& base) {
  return base + "_" + std::to_string(counter_++);
}

static void add_attrs(onnx::NodeProto* n, const std::vector<Attr>& attrs) {
  for (const auto& a : attrs) {
    auto* p = n->add_attribute();
    p->set_name(a.name);
    switch (a.kind) {
      case Attr::kInt:
        p->set_type(onnx::AttributeProto::INT);
        p->set_i(a.i);
        break;
      case Attr::kFloat:
        p->set_type(onnx::AttributeProto::FLOAT);
        p->set_f(a.f);
        break;
      case Attr::kInts:
        p->set_type(onnx::AttributeProto::INTS);
        for (auto v : a.ints) p->add_ints(v);
        break;
      case Attr::kString:
        p->set_type(onnx::AttributeProto::STRING);
        p->set_s(a.s);
        break;
    }
  }
}

std::string GraphBuilder::op(const std::string& op_type, std::vector<std::string> inputs,
                             std::vector<Attr> attrs, const std::string& output) {
  auto* n = graph_->add_node();
  const std::string name = unique(op_type);
  n->set_name(name);
  n->set_op_type(op_type);
  for (auto& in : inputs) n->add_input(in);
  const std::string out = output.empty() ? name + "_out" : output;
  n->add_output(out);
  add_attrs(n, attrs);
  return out;
}

std::vector<std::string> GraphBuilder::op_n(const std::string& op_type,
                                            std::vector<std::string> inputs, int n_outputs,
                                            std::vector<Attr> attrs) {
  auto* n = graph_->add_node();
  const std::string name = unique(op_type);
  n->set_name(name);
  n->set_op_type(op_type);
  for (auto& in : inputs) n->add_input(in);
  std::vector<std::string> outs;
  for (int i = 0; i < n_outputs; ++i) {
    outs.push_back(name + "_out" + std::to_string(i));
    n->add_output(outs.back());
  }
  add_attrs(n, attrs);
  return outs;
}

std::string GraphBuilder::const_i64(std::vector<std::int64_t> values, bool scalar) {
  auto* n = graph_->add_node();
  const std::string name = unique("Constant");
  n->set_name(name);
  n->set_op_type("Constant");
  n->add_output(name + "_out");
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  auto* t = a->mutable_t();
  t->set_data_type(onnx::TensorProto::INT64);
  if (!scalar) t->add_dims(static_cast<std::int64_t>(values.size()));
  for (auto v : values) t->add_int64_data(v);
  return name + "_out";
}

std::string GraphBuilder::const_scalar(float value, int elem_type) {
  auto* n = graph_->add_node();
  const std::string name = unique("Constant");
  n->set_name(name);
  n->set_op_type("Constant");
  n->add_output(name + "_out");
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  auto* t = a->mutable_t();
  t->set_data_type(elem_type);
  if (elem_type == onnx::TensorProto::FLOAT) {
    t->add_float_data(value);
  } else if (elem_type == onnx::TensorProto::FLOAT16) {
    t->add_int32_data(model::float_to_fp16(value));  // fp16 lives in int32_data, one per element
  } else {
    fail("GraphBuilder::const_scalar: element type {} is not FLOAT or FLOAT16", elem_type);
  }
  return name + "_out";
}

void GraphBuilder::initializer(const std::string& name, int elem_type,
                               std::vector<std::int64_t> dims, const float* data,
                               std::int64_t count, std::ofstream* ext,
                               const std::string& ext_location) {
  std::int64_t expect = 1;
  for (auto d : dims) expect *= d;
  if (expect != count) {
    fail("initializer {}: dims give {} elements, data has {}", name, expect, count);
  }
  auto* t = graph_->add_initializer();
  t->set_name(name);
  t->set_data_type(elem_type);
  for (auto d : dims) t->add_dims(d);
  std::string bytes;
  if (elem_type == onnx::TensorProto::FLOAT) {
    bytes.assign(reinterpret_cast<const char*>(data), static_cast<std::size_t>(count) * 4);
  } else if (elem_type == onnx::TensorProto::FLOAT16) {
    bytes.resize(static_cast<std::size_t>(count) * 2);
    for (std::int64_t i = 0; i < count; ++i) {
      const std::uint16_t h = model::float_to_fp16(data[i]);
      std::memcpy(bytes.data() + 2 * i, &h, 2);  // ONNX raw_data is little-endian, as is x86
    }
  } else {
    fail("initializer {}: element type {} is not FLOAT or FLOAT16", name, elem_type);
  }
  if (ext != nullptr) {
    // Align each tensor to 4 KiB so ONNX Runtime can memory-map it.
    std::int64_t offset = static_cast<std::int64_t>(ext->tellp());
    const std::int64_t aligned = (offset + 4095) / 4096 * 4096;
    if (aligned != offset) {
      const std::string pad(static_cast<std::size_t>(aligned - offset), '\0');
      ext->write(pad.data(), static_cast<std::streamsize>(pad.size()));
      offset = aligned;
    }
    ext->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!*ext) fail("initializer {}: writing external data {} failed", name, ext_location);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto add = [&](const char* k, const std::string& v) {
      auto* e = t->add_external_data();
      e->set_key(k);
      e->set_value(v);
    };
    add("location", ext_location);
    add("offset", std::to_string(offset));
    add("length", std::to_string(bytes.size()));
  } else {
    t->set_raw_data(std::move(bytes));
  }
  ++initializer_count_;
  element_count_ += count;
}

void set_value_info(onnx::ValueInfoProto* vi, const std::string& name, int elem_type,
                    std::initializer_list<Dim> dims) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (d.value >= 0) {
      dim->set_dim_value(d.value);
    } else {
      dim->set_dim_param(d.param);
    }
  }
}

}  // namespace sb::exporter
