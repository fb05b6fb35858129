#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace sluice {

// Orders acknowledgements of one input's batches. Outputs finish batches in
// any order; the input may only checkpoint past a batch once it and every
// batch before it are done, so completion is reported for the contiguous
// prefix only.
class AckTracker {
 public:
  // Called, in sequence order and under the tracker's lock (keep it short,
  // never call back into the tracker), for each batch whose predecessors are
  // all acknowledged.
  using Callback = std::function<void(uint64_t sequence)>;

  explicit AckTracker(Callback on_complete = {});

  uint64_t open();
  void acknowledge(uint64_t sequence);

  uint64_t outstanding() const;
  // Waits until every opened batch is acknowledged; false on timeout.
  bool waitForAll(std::chrono::steady_clock::time_point deadline) const;

 private:
  Callback on_complete_;
  mutable std::mutex mutex_;
  mutable std::condition_variable all_done_;
  uint64_t base_ = 0;      // sequence number of done_.front()
  uint64_t next_ = 0;      // next sequence number to hand out
  std::deque<bool> done_;  // one flag per batch from base_ to next_
};

}  // namespace sluice
