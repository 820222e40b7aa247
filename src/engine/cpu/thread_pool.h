// engine/cpu/thread_pool — a small fixed pool for the CPU engine's own kernels.
// Contract:
//  - run(fn, workers) calls fn(worker) once on each of the first `workers` workers (0 or more
//    than threads() = all; the caller is worker 0) and returns when all have returned.  Inside
//    fn, barrier() returns once every worker of that run has reached it: one run() can hold a
//    whole decode step, with one barrier per operation instead of one thread wake-up per call.
//    Every worker of the run must call barrier() the same number of times.  A run of one
//    worker is a plain call on the caller's thread (no other thread is touched).
//  - parallel_for(n, fn, workers) calls fn(task, worker) once for every task in [0, n), claimed
//    dynamically by at most `workers` workers (0 = all), and returns when all are done.
//  - Waiting (for work, at a barrier, for the end of run) spins with pause for a short while,
//    then keeps polling with sched_yield between polls, and only then sleeps on a futex
//    (std::atomic::wait).  A worker that fell asleep costs a futex wake-up (tens of µs to
//    ms on an idle host whose cores went into deep sleep states), so the polling phases are long
//    (a barrier inside a step: 2 ms; between runs: 1 ms); the yields give a core to any other
//    runnable thread (OpenBLAS's, another process's) whenever one wants it, so polling costs
//    nothing but power on an oversubscribed machine.
//  - fn must not throw.  Not reentrant: one run/parallel_for at a time per pool.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace sb::engine {

// When a barrier measurement is done, and what it found (pure: fed round medians and the time
// spent, so its rule is testable without a clock).  Why rounds and a minimum: a fresh process
// measures transients, not the barrier its steps will see.  On the GPU machine's quiet 16-core
// host fresh processes measured medians of 53-207 µs (pool threads sharing CPUs with each other
// and with OpenBLAS's busy-waiting workers; cpu_engine.cc parks those first) against 2.5-3.3 µs
// in a process without them; on the development VM two threads on one vCPU cost 104 µs per
// barrier.  So: the minimum of the round medians (a median per round: robust to one wake-up),
// and another round while the result keeps falling, is still above what a settled barrier costs
// (woken_max_us: every host measured so far settles at 0.05-4 µs) or fewer than min_rounds were
// taken, up to the time budget.  A host where barriers stay slow spends the budget and keeps
// the slow result; competition from other processes is judged separately from the load average
// (work_threads.h).
struct BarrierLimits {
  int min_rounds = 3;         // at least this many round medians
  int stable_rounds = 2;      // settled: this many rounds in a row that did not fall ...
  double fall_ratio = 0.8;    // ... below fall_ratio x the best before them
  double woken_max_us = 16;   // and the best is at most this (a woken barrier)
  double budget_ms = 25;      // never start a round after this much time
};

class BarrierSettling {
 public:
  using Limits = BarrierLimits;
  explicit BarrierSettling(Limits limits = {}) : limits_(limits) {}

  // One round's median and the time spent since the measurement began; true: measure another.
  bool add_round(double median_us, double elapsed_ms) {
    ++rounds_;
    if (rounds_ == 1) first_us_ = median_us;
    if (rounds_ == 1 || median_us < limits_.fall_ratio * best_us_) {
      still_ = 0;
    } else {
      ++still_;
    }
    best_us_ = rounds_ == 1 ? median_us : std::min(best_us_, median_us);
    return !settled() && elapsed_ms < limits_.budget_ms;
  }
  double result_us() const { return best_us_; }  // minimum of the round medians
  double first_us() const { return first_us_; }  // the first round's median
  int rounds() const { return rounds_; }
  bool settled() const {
    return rounds_ >= limits_.min_rounds && still_ >= limits_.stable_rounds &&
           best_us_ <= limits_.woken_max_us;
  }

 private:
  Limits limits_;
  int rounds_ = 0, still_ = 0;
  double best_us_ = 0, first_us_ = 0;
};

struct BarrierMeasurement {
  double barrier_us = 0;      // BarrierSettling::result_us
  double first_round_us = 0;  // the first round's median (how far from settled it started)
  int rounds = 0;
  bool settled = false;       // false: stopped by the time budget
  int stacked_rounds = 0;     // rounds that began with two threads on one CPU (see .cc)
  double elapsed_ms = 0;      // what the measurement cost
};

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  static constexpr int kBarriersPerRound = 16;

  int threads() const { return threads_; }
  void run(const std::function<void(int worker)>& fn, int workers = 0);
  void barrier();
  void parallel_for(int tasks, const std::function<void(int task, int worker)>& fn,
                    int workers = 0);
  // The cost of one barrier among all threads of the pool, in rounds of kBarriersPerRound timed
  // barriers (one run; worker 0's view), until BarrierSettling says the result settled or the
  // time budget is spent (then at most one more round).  Before each round, if two threads
  // share a CPU, all of them sleep 100 µs so that the wake-up places them on idle cores.  No
  // rounds (all zero) with one thread.
  BarrierMeasurement measure_barrier(const BarrierSettling::Limits& limits = {});

 private:
  void worker_main(int worker);

  int threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  int active_ = 1;  // workers in the current run (read by the caller and the run's workers)
  std::atomic<bool> stop_{false};
  // Hands out a job: (generation << 16) | number of workers in the run, in one word so that a
  // worker left out of one run never reads the worker count of a later one.
  std::atomic<std::uint64_t> start_word_{0};
  std::atomic<std::uint64_t> done_gen_{0};     // bumped when the last worker finishes it
  std::atomic<int> running_{0};                // workers (other than the caller) still in it
  std::atomic<int> barrier_arrived_{0};
  std::atomic<std::uint64_t> barrier_gen_{0};  // bumped when every worker reached a barrier
  std::atomic<int> sleepers_{0};               // threads inside a futex wait (notify only then)
  std::atomic<int> next_task_{0};

  void wait_change(const std::atomic<std::uint64_t>& word, std::uint64_t old,
                   std::chrono::microseconds poll);
  void publish(std::atomic<std::uint64_t>& word, std::uint64_t value);
};

// Number of CPUs this process may run on (sched_getaffinity), at least 1.
int available_cpus();

}  // namespace sb::engine
