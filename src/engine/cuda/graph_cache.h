// engine/cuda/graph_cache — a bounded least-recently-used map that owns its values through a
// deleter (the engine's cache of instantiated prefill graphs, one per shape).
// Contract:
//  - find() returns the value of a key and makes it the most recently used, or null.
//  - insert() adds a key that is not present as the most recently used; when the cache already
//    holds `capacity` entries it first removes the least recently used one, passing its value to
//    the deleter (counted in evictions()).
//  - clear() and the destructor pass every remaining value to the deleter, exactly once.
// Plain C++ (no CUDA), so its behaviour is checked by the CPU tests (test_cuda_cpu.cc).
#pragma once
#include <cstddef>
#include <functional>
#include <iterator>
#include <list>
#include <map>
#include <utility>

#include "util/error.h"

namespace sb::engine {

template <typename Key, typename Value>
class LruCache {
 public:
  using Deleter = std::function<void(Value&)>;
  LruCache(std::size_t capacity, Deleter deleter) : capacity_(capacity), deleter_(std::move(deleter)) {
    if (capacity_ < 1) sb::fail("LruCache: capacity must be >= 1, got {}", capacity_);
  }
  ~LruCache() { clear(); }
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  Value* find(const Key& k) {
    auto it = index_.find(k);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);  // most recent first
    return &it->second->second;
  }

  Value& insert(const Key& k, Value v) {
    if (index_.count(k) != 0) sb::fail("LruCache: key inserted twice");
    if (order_.size() >= capacity_) {
      auto last = std::prev(order_.end());
      deleter_(last->second);
      index_.erase(last->first);
      order_.erase(last);
      ++evictions_;
    }
    order_.emplace_front(k, std::move(v));
    index_.emplace(k, order_.begin());
    return order_.front().second;
  }

  void clear() {
    for (auto& [k, v] : order_) deleter_(v);
    order_.clear();
    index_.clear();
  }

  std::size_t size() const { return order_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t evictions() const { return evictions_; }

 private:
  std::size_t capacity_;
  Deleter deleter_;
  std::list<std::pair<Key, Value>> order_;  // front = most recently used
  std::map<Key, typename std::list<std::pair<Key, Value>>::iterator> index_;
  std::size_t evictions_ = 0;
};

}  // namespace sb::engine
