#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "pipeline/component.h"
#include "pipeline/memory_budget.h"

namespace sluice {

// Hands every batch to every output; the batch is acknowledged to its input
// once all of them completed it. Each batch first takes its size from the
// in-flight budget, which it gives back once every output is done with it:
// an input whose batch does not fit waits here (backpressure).
class Fanout : public BatchSink {
 public:
  Fanout(std::vector<Output*> outputs, std::shared_ptr<MemoryBudget> budget)
      : outputs_(std::move(outputs)), budget_(std::move(budget)) {}

  bool send(BatchPtr batch, WaitReport& wait) override {
    // Every input's batches pass here, whoever built them.
    batch->releaseSpareRoom();
    const uint64_t bytes = batch->memoryBytes();
    if (!budget_->acquire(bytes, wait)) return false;
    batch->holdBudget(budget_, bytes);
    batch->setConsumers(static_cast<int>(outputs_.size()));
    // Output queues are sized so that the budget, not they, is what fills
    // first; a wait here is rare and counted once it ends.
    auto started = std::chrono::steady_clock::now();
    bool taken = true;
    for (Output* output : outputs_) {
      if (!output->push(batch)) taken = false;
    }
    wait.waited_micros.add(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count()));
    return taken;
  }

 private:
  std::vector<Output*> outputs_;
  std::shared_ptr<MemoryBudget> budget_;
};

}  // namespace sluice
