#include "engine/cpu/thread_pool.h"

#include <immintrin.h>
#include <sched.h>

#include <algorithm>
#include <chrono>

namespace sb::engine {
namespace {

// How long to spin before yielding, measured in time rather than pause instructions (one
// pause takes ~10 ns on some CPUs and ~80 ns on this Zen 5): at a barrier, a few decode
// operations' worth, so that barriers between operations rarely reach the futex; between jobs,
// short, so that an idle pool gives its core back to OpenBLAS's threads quickly.
constexpr auto kBarrierSpin = std::chrono::microseconds(200);
constexpr auto kIdleSpin = std::chrono::microseconds(20);
constexpr int kYields = 20;

}  // namespace

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(int threads) : threads_(std::max(1, threads)) {
  workers_.reserve(threads_ - 1);
  for (int w = 1; w < threads_; ++w) workers_.emplace_back([this, w] { worker_main(w); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  bump(start_gen_);
  for (auto& t : workers_) t.join();
}

void ThreadPool::wait_change(const std::atomic<std::uint32_t>& word, std::uint32_t old,
                             std::chrono::microseconds spin) {
  const auto deadline = std::chrono::steady_clock::now() + spin;
  for (unsigned i = 1;; ++i) {
    if (word.load(std::memory_order_acquire) != old) return;
    _mm_pause();
    if (i % 16 == 0 && std::chrono::steady_clock::now() > deadline) break;
  }
  for (int i = 0; i < kYields; ++i) {
    if (word.load(std::memory_order_acquire) != old) return;
    sched_yield();
  }
  // seq_cst: either bump() sees sleepers_ > 0 and notifies, or this load sees its new value.
  sleepers_.fetch_add(1);
  while (word.load() == old) word.wait(old);
  sleepers_.fetch_sub(1);
}

void ThreadPool::bump(std::atomic<std::uint32_t>& word) {
  word.fetch_add(1);
  if (sleepers_.load() > 0) word.notify_all();
}

void ThreadPool::worker_main(int worker) {
  std::uint32_t seen = 0;
  for (;;) {
    wait_change(start_gen_, seen, kIdleSpin);
    seen = start_gen_.load(std::memory_order_acquire);
    if (stop_.load()) return;
    (*job_)(worker);
    if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) bump(done_gen_);
  }
}

void ThreadPool::run(const std::function<void(int worker)>& fn) {
  if (threads_ == 1) {
    fn(0);
    return;
  }
  job_ = &fn;
  running_.store(threads_ - 1, std::memory_order_relaxed);
  const std::uint32_t done = done_gen_.load(std::memory_order_acquire);
  bump(start_gen_);  // release: job_ and running_ are visible to the workers
  fn(0);
  wait_change(done_gen_, done, kBarrierSpin);
  job_ = nullptr;
}

void ThreadPool::barrier() {
  if (threads_ == 1) return;
  const std::uint32_t gen = barrier_gen_.load(std::memory_order_acquire);
  if (barrier_arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
    barrier_arrived_.store(0, std::memory_order_relaxed);
    bump(barrier_gen_);
  } else {
    wait_change(barrier_gen_, gen, kBarrierSpin);
  }
}

void ThreadPool::parallel_for(int tasks, const std::function<void(int task, int worker)>& fn) {
  if (tasks <= 0) return;
  if (threads_ == 1 || tasks == 1) {
    for (int t = 0; t < tasks; ++t) fn(t, 0);
    return;
  }
  next_task_.store(0, std::memory_order_relaxed);
  run([&](int worker) {
    for (int t = next_task_.fetch_add(1, std::memory_order_relaxed); t < tasks;
         t = next_task_.fetch_add(1, std::memory_order_relaxed)) {
      fn(t, worker);
    }
  });
}

}  // namespace sb::engine
