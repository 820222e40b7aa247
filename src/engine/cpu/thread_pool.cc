#include "engine/cpu/thread_pool.h"

#include <immintrin.h>
#include <sched.h>

#include <algorithm>
#include <chrono>

namespace sb::engine {
namespace {

// Waiting has three phases (see thread_pool.h).  Times rather than counts of pause
// instructions (one pause takes ~10 ns on some CPUs and ~80 ns on this Zen 5).
//  - kPauseSpin: pure spinning, the lowest latency while the other workers are a few µs away.
//  - then polling with sched_yield until the phase's limit: a yield returns at once when
//    nothing else wants the core, and hands the core over when something does (OpenBLAS's
//    threads during a prefill, another process).
//  - then a futex sleep.  Before session 4 the pool slept after 20 µs between runs and 200 µs
//    at barriers: on a quiet 16-core host tiny-gpt2 decode steps then took 1.7-1.9 ms instead of
//    0.04 ms, almost all of it wake-ups (docs/perf.md).  A barrier inside a step (kBarrierPoll)
//    must never sleep unless a worker was descheduled; between runs (kIdlePoll) covers the
//    caller's serial work between decode steps and between the layer and LM-head runs.
constexpr auto kPauseSpin = std::chrono::microseconds(50);
constexpr auto kBarrierPoll = std::chrono::microseconds(2000);
constexpr auto kIdlePoll = std::chrono::microseconds(1000);

}  // namespace

int available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

constexpr std::uint64_t kCountBits = 16;
constexpr std::uint64_t kCountMask = (std::uint64_t{1} << kCountBits) - 1;

ThreadPool::ThreadPool(int threads) : threads_(std::clamp(threads, 1, static_cast<int>(kCountMask))) {
  workers_.reserve(threads_ - 1);
  for (int w = 1; w < threads_; ++w) workers_.emplace_back([this, w] { worker_main(w); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  publish(start_word_, start_word_.load() + (std::uint64_t{1} << kCountBits));
  for (auto& t : workers_) t.join();
}

void ThreadPool::wait_change(const std::atomic<std::uint64_t>& word, std::uint64_t old,
                             std::chrono::microseconds poll) {
  const auto start = std::chrono::steady_clock::now();
  const auto spin_until = start + std::min(poll, std::chrono::microseconds(kPauseSpin));
  for (unsigned i = 1;; ++i) {
    if (word.load(std::memory_order_acquire) != old) return;
    _mm_pause();
    if (i % 16 == 0 && std::chrono::steady_clock::now() > spin_until) break;
  }
  const auto poll_until = start + poll;
  for (unsigned i = 1;; ++i) {
    if (word.load(std::memory_order_acquire) != old) return;
    sched_yield();
    if (i % 4 == 0 && std::chrono::steady_clock::now() > poll_until) break;
  }
  // seq_cst: either publish() sees sleepers_ > 0 and notifies, or this load sees the new value.
  sleepers_.fetch_add(1);
  while (word.load() == old) word.wait(old);
  sleepers_.fetch_sub(1);
}

void ThreadPool::publish(std::atomic<std::uint64_t>& word, std::uint64_t value) {
  word.store(value);  // seq_cst: pairs with sleepers_ in wait_change
  if (sleepers_.load() > 0) word.notify_all();
}

void ThreadPool::worker_main(int worker) {
  std::uint64_t seen = 0;
  for (;;) {
    wait_change(start_word_, seen, kIdlePoll);
    seen = start_word_.load(std::memory_order_acquire);
    if (stop_.load()) return;
    if (static_cast<std::uint64_t>(worker) >= (seen & kCountMask)) continue;  // not in this run
    (*job_)(worker);
    if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      publish(done_gen_, done_gen_.load() + 1);
    }
  }
}

void ThreadPool::run(const std::function<void(int worker)>& fn, int workers) {
  const int n = workers <= 0 ? threads_ : std::min(workers, threads_);
  if (n == 1) {
    active_ = 1;  // barrier() is then a no-op
    fn(0);
    return;
  }
  job_ = &fn;
  active_ = n;
  running_.store(n - 1, std::memory_order_relaxed);
  const std::uint64_t done = done_gen_.load(std::memory_order_acquire);
  // Release: job_ and running_ are visible to the workers that see the new word.
  const std::uint64_t gen = (start_word_.load(std::memory_order_relaxed) >> kCountBits) + 1;
  publish(start_word_, (gen << kCountBits) | static_cast<std::uint64_t>(n));
  fn(0);
  wait_change(done_gen_, done, kBarrierPoll);
  job_ = nullptr;
}

double ThreadPool::measure_barrier_us(int rounds) {
  if (threads_ == 1 || rounds < 1) return 0.0;
  std::vector<double> us(rounds);
  run([&](int worker) {
    // Every worker has started and spins for 2 ms first: on an idle host the cores sleep in deep
    // C-states and run at low clock, and the first barriers measured that (150-210 µs on the
    // GPU machine's fresh 16-core host vs 3.7 µs a few seconds later; session 5).
    barrier();
    const auto spin_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
    while (std::chrono::steady_clock::now() < spin_until) _mm_pause();
    barrier();
    for (int i = 0; i < rounds; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      barrier();
      if (worker == 0) {
        us[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      }
    }
  });
  std::sort(us.begin(), us.end());
  return us[static_cast<std::size_t>(rounds) / 2];
}

void ThreadPool::barrier() {
  const int n = active_;
  if (n == 1) return;
  const std::uint64_t gen = barrier_gen_.load(std::memory_order_acquire);
  if (barrier_arrived_.fetch_add(1, std::memory_order_acq_rel) == n - 1) {
    barrier_arrived_.store(0, std::memory_order_relaxed);
    publish(barrier_gen_, gen + 1);
  } else {
    wait_change(barrier_gen_, gen, kBarrierPoll);
  }
}

void ThreadPool::parallel_for(int tasks, const std::function<void(int task, int worker)>& fn,
                              int workers) {
  if (tasks <= 0) return;
  const int n = std::min(tasks, workers <= 0 ? threads_ : std::min(workers, threads_));
  if (n == 1) {
    for (int t = 0; t < tasks; ++t) fn(t, 0);
    return;
  }
  next_task_.store(0, std::memory_order_relaxed);
  run([&](int worker) {
    for (int t = next_task_.fetch_add(1, std::memory_order_relaxed); t < tasks;
         t = next_task_.fetch_add(1, std::memory_order_relaxed)) {
      fn(t, worker);
    }
  }, n);
}

}  // namespace sb::engine
