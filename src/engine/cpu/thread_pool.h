// engine/cpu/thread_pool — a small fixed pool for the CPU engine's own kernels.
// Contract:
//  - run(fn) calls fn(worker) once on every worker (the caller is worker 0) and returns when
//    all have returned.  Inside fn, barrier() returns once every worker has reached it: one
//    run() can hold a whole decode step, with one barrier per operation instead of one
//    thread wake-up per call.  Every worker must call barrier() the same number of times.
//  - parallel_for(n, fn) calls fn(task, worker) once for every task in [0, n), claimed
//    dynamically by the workers, and returns when all are done.
//  - Waiting (for work, at a barrier, for the end of run) spins briefly with pause, then
//    yields, then sleeps on a futex (std::atomic::wait).  The spin is short so that an idle
//    pool does not keep a core from OpenBLAS's own threads, and the yield lets a competing
//    runnable thread in when the machine is oversubscribed.
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
  void run(const std::function<void(int worker)>& fn);
  void barrier();
  void parallel_for(int tasks, const std::function<void(int task, int worker)>& fn);

 private:
  void worker_main(int worker);

  int threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint32_t> start_gen_{0};    // bumped to hand out a job
  std::atomic<std::uint32_t> done_gen_{0};     // bumped when the last worker finishes it
  std::atomic<int> running_{0};                // workers (other than the caller) still in it
  std::atomic<int> barrier_arrived_{0};
  std::atomic<std::uint32_t> barrier_gen_{0};  // bumped when every worker reached a barrier
  std::atomic<int> sleepers_{0};               // threads inside a futex wait (notify only then)
  std::atomic<int> next_task_{0};

  void wait_change(const std::atomic<std::uint32_t>& word, std::uint32_t old,
                   std::chrono::microseconds spin);
  void bump(std::atomic<std::uint32_t>& word);
};

// Number of CPUs this process may run on (sched_getaffinity), at least 1.
int available_cpus();

}  // namespace sb::engine
