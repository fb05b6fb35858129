#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "inputs/kafka/consumer_lag.h"
#include "inputs/kafka/kafka_consumer.h"
#include "inputs/kafka/kafka_input_config.h"
#include "inputs/kafka/message_decoder.h"
#include "inputs/kafka/partition_offsets.h"
#include "pipeline/acknowledgement.h"
#include "pipeline/batch_builder.h"
#include "pipeline/component.h"
#include "pipeline/registry.h"

namespace sluice {

// Consumes topics as a member of a consumer group and ships the events the
// edge produced into them, on one thread.
//
// At-least-once: each batch remembers how far it reached in each partition,
// and an offset is stored for the periodic commit only once that batch and
// every one before it were acknowledged (PartitionOffsets).
// Backpressure: while the pipeline has no room, the assignment is paused
// and the consumer keeps polling, so the group does not evict it; what a
// poll still returns is held and shipped afterwards.
// Rebalances (eager): on revoke, stop reading, wait up to revoke_timeout
// for what was sent to be acknowledged, commit, give the partitions up.
// What was not acknowledged by then is read again by the next owner and
// overwrites itself in Elasticsearch (same _id).
class KafkaInput : public Input {
 public:
  KafkaInput(const InputSettings& settings, const KafkaInputConfig& config,
             const BuildContext& context);
  ~KafkaInput() override;

  const std::string& id() const override { return id_; }
  void start(BatchSink& sink) override;
  void requestStop() override { stop_.store(true); }
  void join() override;
  uint64_t pendingBatches() const override { return tracker_->outstanding(); }
  // Outputs have stopped: commits what they acknowledged and leaves the group.
  void saveState() override;

 private:
  using Clock = std::chrono::steady_clock;

  void run();
  // False once the pipeline stopped taking batches.
  bool take(const rd_kafka_message_t& message);
  bool flush();
  bool flushIfDue();
  void openBatch();
  void discardOpenBatch();
  // WaitReport::tick, while send() waits for room downstream.
  void whileWaiting();
  // Acts on what the last poll() reported; true when the assignment was
  // revoked (a message that poll returned is then not this consumer's).
  bool handleRebalances(bool sending);
  void onAssigned(const rd_kafka_topic_partition_list_t& partitions, bool sending);
  void onRevoked(const KafkaConsumer::Rebalance& rebalance, bool sending);
  void waitForAcknowledgements(bool sending);
  PartitionOffsets::Slot slotOf(std::string_view topic, int32_t partition);
  void refreshLag(bool now);
  void publishStats();
  void reportMessageError(const rd_kafka_message_t& message);
  void reportWrapped(const KafkaRecord& record);

  std::string id_;
  KafkaInputConfig config_;
  BatchLimits limits_;
  MessageDecoder decoder_;
  PartitionOffsets offsets_;
  PartitionOffsets::StoreFn store_;
  std::shared_ptr<AckTracker> tracker_;
  std::unique_ptr<KafkaConsumer> consumer_;
  ConsumerLag lag_;
  BatchSink* sink_ = nullptr;

  BatchPtr batch_;
  std::vector<PartitionOffsets::Reach> reach_;
  Clock::time_point opened_at_;
  // Returned by poll() while the assignment was paused: shipped first once
  // the pipeline has room again, so each partition stays in order.
  std::deque<RdKafkaMessage> held_;
  // The assignment, by slot, with the first offset read from each partition
  // since it was assigned (where delivery stands before anything is stored).
  std::vector<PartitionOffsets::Slot> owned_;
  std::vector<int64_t> first_offset_;  // by slot; -1 when nothing read yet
  std::string last_topic_;
  int32_t last_partition_ = -1;
  PartitionOffsets::Slot last_slot_ = 0;
  Clock::time_point next_lag_refresh_{};

  KafkaDecodeStats published_;
  Counter& received_;
  Counter& backpressure_micros_;
  Counter& messages_;
  Counter& not_objects_;
  Counter& invalid_ids_;
  Counter& invalid_timestamps_;
  Counter& derived_ids_;
  Counter& parsed_json_;
  Counter& json_errors_;
  Counter& invalid_utf8_;
  Counter& assigns_;
  Counter& revokes_;
  Counter& revoke_timeouts_;
  LogRateLimiter wrapped_log_;
  LogRateLimiter message_error_log_;
  WaitReport wait_;

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sluice
