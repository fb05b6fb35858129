#pragma once

#include "outputs/queue/output_queue.h"
#include "pipeline/bounded_queue.h"

namespace sluice {

// Batches wait in memory; their bytes are bounded by the pipeline's
// in-flight budget, which they hold until delivered.
class MemoryQueue : public OutputQueue {
 public:
  explicit MemoryQueue(size_t capacity) : queue_(capacity) {}

  bool push(BatchPtr batch) override { return queue_.push(std::move(batch)); }
  std::optional<Taken> take(Clock::time_point deadline) override {
    auto batch = queue_.popUntil(deadline);
    if (!batch) return std::nullopt;
    return Taken{std::move(*batch), 0};
  }
  void delivered(const Taken& taken) override { taken.batch->complete(); }
  void close() override { queue_.close(); }
  void abandon() override {
    queue_.close();
    while (auto rest = queue_.tryPop()) {
      (void)rest;  // unacknowledged: the inputs read these events again
    }
  }
  bool closed() const override { return queue_.closed(); }

 private:
  BoundedQueue<BatchPtr> queue_;
};

}  // namespace sluice
