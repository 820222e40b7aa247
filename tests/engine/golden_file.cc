#include "engine/golden_file.h"

#include <cstring>

#include "util/error.h"
#include "util/files.h"

namespace sb::testing {

std::int64_t GoldenTensor::elements() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

const GoldenTensor& GoldenFile::tensor(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) fail("{}: no tensor named \"{}\"", path_.string(), name);
  return it->second;
}

GoldenFile GoldenFile::load(const std::filesystem::path& path) {
  GoldenFile g;
  g.path_ = path;
  const std::string where = path.string();
  const std::string data = read_file(path);
  if (data.size() < 24 || std::memcmp(data.data(), kMagic, 8) != 0) {
    fail("{}: not a golden fixture (magic \"SBGOLDEN\" missing)", where);
  }
  std::uint32_t version, reserved;
  std::uint64_t header_len;
  std::memcpy(&version, data.data() + 8, 4);
  std::memcpy(&reserved, data.data() + 12, 4);
  std::memcpy(&header_len, data.data() + 16, 8);
  if (version != kVersion) fail("{}: format version {}, this reader knows {}", where, version, kVersion);
  if (header_len > data.size() - 24) fail("{}: header length {} runs past the end of the file", where, header_len);
  try {
    g.header_ = nlohmann::json::parse(data.substr(24, header_len));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: header is not valid JSON: {}", where, e.what());
  }
  if (g.header_.value("schema", "") != "scalebench.golden/1") {
    fail("{}: schema \"{}\", expected scalebench.golden/1", where, g.header_.value("schema", ""));
  }
  const std::size_t base = 24 + header_len;
  for (auto& [name, t] : g.header_.at("tensors").items()) {
    GoldenTensor gt;
    gt.dtype = t.at("dtype");
    gt.shape = t.at("shape").get<std::vector<std::int64_t>>();
    const std::uint64_t offset = t.at("offset"), nbytes = t.at("nbytes");
    if (gt.dtype != "F32" && gt.dtype != "I32") fail("{}: tensor {} has dtype {}", where, name, gt.dtype);
    if (nbytes != static_cast<std::uint64_t>(gt.elements()) * 4) {
      fail("{}: tensor {} has {} bytes, its shape needs {}", where, name, nbytes, gt.elements() * 4);
    }
    if (offset > data.size() - base || nbytes > data.size() - base - offset) {
      fail("{}: tensor {} at offset {} + {} bytes leaves the file", where, name, offset, nbytes);
    }
    const char* src = data.data() + base + offset;
    if (gt.dtype == "F32") {
      gt.f32.resize(gt.elements());
      std::memcpy(gt.f32.data(), src, nbytes);
    } else {
      gt.i32.resize(gt.elements());
      std::memcpy(gt.i32.data(), src, nbytes);
    }
    g.tensors_.emplace(name, std::move(gt));
  }
  for (const auto& c : g.header_.at("cases")) {
    GoldenCase gc;
    gc.name = c.at("name");
    gc.batch = c.at("batch");
    gc.prompt_len = c.at("prompt_len");
    gc.decode_steps = c.at("decode_steps");
    gc.prefill_all_positions = c.at("prefill_positions") == "all";
    gc.column_subset = c.at("columns") == "subset";
    const auto& t = c.at("tensors");
    auto get = [&](const char* key) -> const GoldenTensor* {
      if (!t.contains(key)) return nullptr;
      return &g.tensor(t.at(key).get<std::string>());
    };
    gc.prompt_tokens = get("prompt_tokens");
    gc.prefill_logits = get("prefill_logits");
    gc.prefill_logit_columns = get("prefill_logit_columns");
    gc.prefill_next = get("prefill_next");
    gc.decode_tokens = get("decode_tokens");
    gc.decode_logits = get("decode_logits");
    gc.decode_logit_columns = get("decode_logit_columns");
    gc.decode_next = get("decode_next");
    if (!gc.prompt_tokens || !gc.prefill_logits || !gc.prefill_next || !gc.decode_tokens ||
        !gc.decode_logits || !gc.decode_next ||
        (gc.column_subset && (!gc.prefill_logit_columns || !gc.decode_logit_columns))) {
      fail("{}: case {} lacks a tensor", where, gc.name);
    }
    if (gc.prompt_tokens->shape != std::vector<std::int64_t>{gc.batch, gc.prompt_len}) {
      fail("{}: case {}: prompt_tokens shape does not match batch x prompt_len", where, gc.name);
    }
    g.cases_.push_back(gc);
  }
  return g;
}

}  // namespace sb::testing
