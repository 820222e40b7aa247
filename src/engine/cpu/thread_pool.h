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
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace sb::engine {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  void run(const std::function<void(int worker)>& fn, int workers = 0);
  void barrier();
  void parallel_for(int tasks, const std::function<void(int task, int worker)>& fn,
                    int workers = 0);
  // The cost of one barrier among all threads of the pool, in µs: the median over `rounds`
  // barriers of one run, as the caller (worker 0) sees them, after 2 ms of spinning that wakes
  // the cores.  The median: a fresh 16-core VM showed means of 100-400 µs from a few
  // wake-ups in short-lived processes (2 µs once busy).  Competition from other processes is
  // judged separately (work_threads.h).  0 with one thread.
  double measure_barrier_us(int rounds = 256);

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
