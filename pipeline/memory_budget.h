#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "pipeline/component.h"

namespace sluice {

// The one bound on events in flight: bytes of batches handed to the outputs
// and not yet delivered (or written to a disk buffer). Inputs wait here when
// it is spent, so a slow or unreachable Elasticsearch pauses reading instead
// of growing memory; their offsets wait with them and nothing is dropped.
class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit);

  // Blocks until `bytes` fit. A single batch larger than the whole budget
  // goes once nothing else is in flight, so an oversized batch never waits
  // forever. False once the budget is closed (shutdown).
  bool acquire(uint64_t bytes);
  // As acquire(), reporting the wait to `wait` every 100 ms.
  bool acquire(uint64_t bytes, WaitReport& wait);
  void release(uint64_t bytes);
  // Wakes every waiter for good: acquire() then fails.
  void close();

  uint64_t limit() const { return limit_; }
  uint64_t inUse() const;

 private:
  const uint64_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  uint64_t in_use_ = 0;
  bool closed_ = false;
  Gauge& in_use_gauge_;
};

}  // namespace sluice
