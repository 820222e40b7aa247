#include "engine/cpu/thread_pool.h"

#include <immintrin.h>
#include <sched.h>

#include <algorithm>

namespace sb::engine {
namespace {

// Pause iterations before yielding: a few tens of microseconds, about the length of one
// decode operation, so that barriers between operations rarely reach the futex.
constexpr int kBarrierSpins = 4000;
// Between jobs: shorter, so that an idle pool gives the core back to OpenBLAS quickly.
constexpr int kIdleSpins = 1000;
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
                             int spins) {
  for (int i = 0; i < spins; ++i) {
    if (word.load(std::memory_order_acquire) != old) return;
    _mm_pause();
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
    wait_change(start_gen_, seen, kIdleSpins);
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
  wait_change(done_gen_, done, kBarrierSpins);
  job_ = nullptr;
}

void ThreadPool::barrier() {
  if (threads_ == 1) return;
  const std::uint32_t gen = barrier_gen_.load(std::memory_order_acquire);
  if (barrier_arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
    barrier_arrived_.store(0, std::memory_order_relaxed);
    bump(barrier_gen_);
  } else {
    wait_change(barrier_gen_, gen, kBarrierSpins);
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
