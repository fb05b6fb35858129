#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "pipeline/batch.h"

namespace sluice {

// Where an output's batches wait between the inputs (push) and its senders
// (take, then delivered). The two kinds differ in when the inputs are
// acknowledged: in memory, once the output delivered the batch; on disk,
// once the batch is durably written there.
class OutputQueue {
 public:
  using Clock = std::chrono::steady_clock;

  struct Taken {
    BatchPtr batch;
    uint64_t record = 0;  // the disk buffer's record, when there is one
  };

  virtual ~OutputQueue() = default;
  virtual void start() {}
  // From input threads; blocks while full. False once closed.
  virtual bool push(BatchPtr batch) = 0;
  // The next batch; nullopt at `deadline`, or once closed and nothing is
  // left to take.
  virtual std::optional<Taken> take(Clock::time_point deadline) = 0;
  // Every event of a taken batch is settled (indexed or dead-lettered).
  virtual void delivered(const Taken& taken) = 0;
  // No more pushes; take() hands out what is left, then nullopt.
  virtual void close() = 0;
  // Shutdown deadline passed: wake every take() now. Batches not delivered
  // are read again after a restart (from the input, or from disk).
  virtual void abandon() = 0;
  virtual bool closed() const = 0;
  // Are batches safe on disk once pushed (the inputs already acknowledged)?
  virtual bool durable() const { return false; }
};

}  // namespace sluice
