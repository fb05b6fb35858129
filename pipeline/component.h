#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "pipeline/batch.h"
#include "pipeline/metrics.h"

namespace sluice {

using Deadline = std::chrono::steady_clock::time_point;

// How an input learns about its wait while it waits: the time goes into
// `waited_micros` as it passes (not only once the wait ends), and `tick`
// runs about every 100 ms on the waiting thread, so that a stalled input can
// keep its own gauges (lag) current on /metrics while it is stalled.
struct WaitReport {
  Counter& waited_micros;
  std::function<void()> tick;
};

// Where inputs hand their batches. send() blocks while the outputs are full:
// that is the backpressure that keeps memory bounded. Returns false once the
// pipeline is shutting down and the batch was not taken by every output.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  virtual bool send(BatchPtr batch, WaitReport& wait) = 0;
};

class Input {
 public:
  virtual ~Input() = default;
  virtual const std::string& id() const = 0;
  virtual void start(BatchSink& sink) = 0;
  // Stop reading; what is already batched is still sent.
  virtual void requestStop() = 0;
  virtual void join() = 0;
  // True once the input has read all it ever will (stdin at end of input)
  // and every batch it sent was acknowledged.
  virtual bool finished() const { return false; }
  // Batches sent but not yet acknowledged by every output.
  virtual uint64_t pendingBatches() const = 0;
  // Persists where reading resumes; called once outputs have stopped.
  virtual void saveState() {}
};

class Output {
 public:
  virtual ~Output() = default;
  virtual const std::string& id() const = 0;
  virtual void start() = 0;
  // Queues a batch, blocking while the queue is full. The output calls
  // batch->complete() once it has delivered every event of the batch (or
  // dead-lettered it with a counted reason). False when stopped.
  virtual bool push(BatchPtr batch) = 0;
  // Delivers what is queued until `deadline`, then abandons the rest
  // unacknowledged, so that it is read again on the next start.
  virtual void stop(Deadline deadline) = 0;
  // Has the destination accepted a request since start (for /ready)?
  virtual bool ready() const { return true; }
};

}  // namespace sluice
