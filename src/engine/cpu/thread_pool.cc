#include "engine/cpu/thread_pool.h"

#include <immintrin.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>
#include <vector>

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

BarrierMeasurement ThreadPool::measure_barrier(const BarrierSettling::Limits& limits) {
  BarrierMeasurement m;
  if (threads_ == 1) return m;
  BarrierSettling settling(limits);
  // Barrier i of the run is, modulo kRound: 0, untimed, after every worker wrote its CPU; 1,
  // untimed, after every worker slept briefly if two of them shared a CPU; 2.., the round's
  // timed barriers.  Why the check: threads that share a CPU take turns at every barrier once
  // the waiter's pause phase (50 µs) ends, so the measurement costs 50 µs per extra thread on a
  // CPU (104 µs with both threads on one vCPU of the development VM, measured with
  // sched_getcpu, 2026-11-26), and a spinning thread is not moved to an idle core by the
  // scheduler as readily as one that wakes up (wake-up placement picks an idle core).
  constexpr long kRound = 2 + kBarriersPerRound;
  constexpr auto kReplaceSleep = std::chrono::microseconds(100);
  std::vector<int> cpu(threads_, -1);
  // Worker 0 decides when to stop and says so through `last`: the number of barriers every
  // worker runs.  It only ever sets last to (barriers done) + 2, after one barrier and before
  // the next: a worker that read the old value before that store does the next barrier anyway,
  // and every worker reads the new value after that barrier (which orders it), so all stop
  // after the same barrier.  On a cache line (and its prefetch pair) of its own.
  struct alignas(128) StopAt {
    std::atomic<long> barriers{std::numeric_limits<long>::max()};
  } last;
  const auto start = std::chrono::steady_clock::now();
  run([&](int worker) {
    std::vector<double> round;
    if (worker == 0) round.reserve(kBarriersPerRound);
    barrier();  // every worker has started
    for (long i = 0; i < last.barriers.load(std::memory_order_relaxed); ++i) {
      const long phase = i % kRound;
      if (phase == 0) cpu[worker] = sched_getcpu();
      if (phase == 1) {
        // cpu[] is stable here: no worker writes it again before this round's timed barriers.
        std::vector<int> sorted(cpu);
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
          if (worker == 0) ++m.stacked_rounds;
          std::this_thread::sleep_for(kReplaceSleep);
        }
      }
      const auto t0 = std::chrono::steady_clock::now();
      barrier();
      if (worker != 0 || phase < 2) continue;
      const auto t1 = std::chrono::steady_clock::now();
      round.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      if (static_cast<int>(round.size()) < kBarriersPerRound) continue;
      std::nth_element(round.begin(), round.begin() + kBarriersPerRound / 2, round.end());
      const double elapsed_ms = std::chrono::duration<double, std::milli>(t1 - start).count();
      if (!settling.add_round(round[kBarriersPerRound / 2], elapsed_ms)) {
        last.barriers.store(i + 2, std::memory_order_relaxed);
      }
      round.clear();
    }
  });
  m.elapsed_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  m.barrier_us = settling.result_us();
  m.first_round_us = settling.first_us();
  m.rounds = settling.rounds();
  m.settled = settling.settled();
  return m;
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
