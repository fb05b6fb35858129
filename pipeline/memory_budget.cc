#include "pipeline/memory_budget.h"

#include <chrono>

namespace sluice {

MemoryBudget::MemoryBudget(uint64_t limit)
    : limit_(limit),
      in_use_gauge_(metrics().gauge("sluice_memory_in_flight_bytes",
                                    "Bytes of events handed to outputs and not yet delivered")) {
  metrics()
      .gauge("sluice_memory_in_flight_limit_bytes",
             "The in-flight budget (pipeline.max_in_flight): inputs pause when it is spent")
      .set(static_cast<int64_t>(limit));
}

bool MemoryBudget::acquire(uint64_t bytes) {
  std::unique_lock lock(mutex_);
  freed_.wait(lock, [&] { return closed_ || in_use_ == 0 || in_use_ + bytes <= limit_; });
  if (closed_) return false;
  in_use_ += bytes;
  in_use_gauge_.set(static_cast<int64_t>(in_use_));
  return true;
}

bool MemoryBudget::acquire(uint64_t bytes, WaitReport& wait) {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mutex_);
  auto fits = [&] { return closed_ || in_use_ == 0 || in_use_ + bytes <= limit_; };
  auto since = Clock::now();
  while (!freed_.wait_for(lock, std::chrono::milliseconds(100), fits)) {
    auto now = Clock::now();
    wait.waited_micros.add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(now - since).count()));
    since = now;
    if (wait.tick) {
      lock.unlock();
      wait.tick();
      lock.lock();
    }
  }
  wait.waited_micros.add(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - since).count()));
  if (closed_) return false;
  in_use_ += bytes;
  in_use_gauge_.set(static_cast<int64_t>(in_use_));
  return true;
}

void MemoryBudget::release(uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    in_use_ -= std::min(bytes, in_use_);
    in_use_gauge_.set(static_cast<int64_t>(in_use_));
  }
  freed_.notify_all();
}

void MemoryBudget::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  freed_.notify_all();
}

uint64_t MemoryBudget::inUse() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

}  // namespace sluice
