#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "outputs/buffer/disk_buffer.h"
#include "outputs/queue/buffer_config.h"
#include "outputs/queue/output_queue.h"
#include "pipeline/bounded_queue.h"
#include "pipeline/logger.h"
#include "pipeline/metrics.h"

namespace sluice {

// An output's batches go through a crash-safe disk buffer. A writer thread
// takes the batches inputs push, appends them as records and syncs them,
// several at a time (group commit); only then are the batches acknowledged
// to their inputs, whose checkpoints move on even while the destination is
// down. Senders take records back from the buffer (from memory while they
// keep up) and acknowledge each once delivered; the buffer reclaims whole
// segments behind them.
class DiskQueue : public OutputQueue {
 public:
  // Opens and recovers the buffer (damage is quarantined and reported, never
  // fatal); throws std::runtime_error when the directory cannot be used.
  DiskQueue(const BufferConfig& config, const std::string& output_id);
  ~DiskQueue() override;

  void start() override;
  bool push(BatchPtr batch) override;
  std::optional<Taken> take(Clock::time_point deadline) override;
  void delivered(const Taken& taken) override;
  // The writer puts what inputs already handed over into the buffer; then
  // take() ends: what the buffer still holds is sent after the next start.
  // Returns at once.
  void close() override;
  void abandon() override;
  bool closed() const override { return inbound_.closed(); }
  bool durable() const override { return true; }

 private:
  using Written = std::pair<BatchPtr, uint64_t>;  // a batch and its record

  void runWriter();
  // Appends one batch; false when the buffer was stopped first.
  bool write(const BatchPtr& batch, std::vector<Written>& written);
  // Syncs and acknowledges the batches now durable.
  void settle(std::vector<Written>& written, bool force);
  void publishGauges();
  void trouble(const char* message, const std::string& error);

  BufferConfig config_;
  std::string output_id_;
  std::unique_ptr<DiskBuffer> buffer_;
  BoundedQueue<BatchPtr> inbound_;
  std::thread writer_;
  std::mutex join_mutex_;
  std::atomic<bool> abandoned_{false};
  std::string payload_;

  LogRateLimiter trouble_log_;
  Gauge& bytes_;
  Gauge& events_;
  Counter& dropped_;
  Counter& errors_;
  Counter& corrupt_events_;
  Counter& quarantined_bytes_;
  uint64_t published_quarantined_ = 0;
  uint64_t published_lost_ = 0;
};

}  // namespace sluice
