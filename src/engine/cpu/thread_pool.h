// engine/cpu/thread_pool — a small fixed pool for the CPU engine's own kernels.
// Contract: parallel_for(n, fn) calls fn(task, worker) once for every task in [0, n), spread
// over `threads` workers (the caller is worker 0), and returns when all are done.  Idle
// workers sleep on a condition variable (no spinning), so they do not steal cycles from
// OpenBLAS's own threads between our parallel regions.  fn must not throw.  Not reentrant:
// one parallel_for at a time per pool.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
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
  void parallel_for(int tasks, const std::function<void(int task, int worker)>& fn);

 private:
  void worker_main(int worker);
  void run_tasks(int worker);

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  std::uint64_t generation_ = 0;
  int active_ = 0;
  bool stop_ = false;
  const std::function<void(int, int)>* job_ = nullptr;
  int tasks_ = 0;
  std::atomic<int> next_{0};
};

// Number of CPUs this process may run on (sched_getaffinity), at least 1.
int available_cpus();

}  // namespace sb::engine
