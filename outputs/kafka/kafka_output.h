#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "outputs/dead_letter_sink.h"
#include "outputs/kafka/in_flight_batches.h"
#include "outputs/kafka/kafka_config.h"
#include "outputs/kafka/kafka_producer.h"
#include "outputs/kafka/message_encoder.h"
#include "outputs/queue/output_queue.h"
#include "pipeline/component.h"
#include "pipeline/logger.h"
#include "pipeline/metrics.h"

namespace sluice {

// Produces every event as one Kafka message with librdkafka's idempotent
// producer. One thread takes batches from the output's queue, produces
// their events and serves the delivery reports (rd_kafka_poll): the reports
// run on the thread that owns the per-batch state, so that state needs no
// lock. A batch is acknowledged once each of its messages was confirmed by
// Kafka (acks=all) or dead-lettered. A second thread only asks the cluster
// for metadata, for /ready.
class KafkaOutput : public Output {
 public:
  KafkaOutput(const OutputSettings& settings, const KafkaConfig& config,
              const BuildContext& context);
  ~KafkaOutput() override;

  const std::string& id() const override { return id_; }
  void start() override;
  bool push(BatchPtr batch) override { return queue_->push(std::move(batch)); }
  void stop(Deadline deadline) override;
  bool ready() const override { return ready_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  using Message = InFlightBatches::Message;
  // A message Kafka refused for good, waiting to be dead-lettered.
  struct Rejected {
    Message* message;
    rd_kafka_resp_err_t error;
    std::string topic;
  };

  std::unique_ptr<KafkaProducer> makeProducer();
  void run();
  // Every method below returning bool returns false once the shutdown
  // deadline has passed: the caller gives up, leaving what is not confirmed
  // unacknowledged.
  bool produceBatch(OutputQueue::Taken taken);
  bool produce(Message& message);
  bool resendPending();
  // Waits up to `timeout_ms` for delivery reports and acts on them.
  bool serve(int timeout_ms);
  bool settle();
  bool deadLetterRejected();
  bool deadLetter(const Rejected& rejected);
  bool acknowledgeSettled();
  // A fatal error (rd_kafka_fatal_error): a new producer, and every message
  // not confirmed is produced again.
  bool recover();
  void scheduleResend(Message& message, rd_kafka_resp_err_t error);
  // Sleeps (no reports are served: used only without a producer or while
  // a dead-letter file fails).
  bool pause(int attempt);
  bool pastDeadline() const;

  void onDelivery(const rd_kafka_message_t& report);
  void onError(int error, const char* reason);
  void onLog(int level, const char* facility, const char* message);
  void probeLoop();
  void setReady(bool ready, const std::string& detail);
  // Rate limits a kind of log message; `suppressed`: how many were held back.
  bool mayLog(LogRateLimiter& limiter, int64_t& suppressed);

  std::string id_;
  KafkaConfig config_;
  MessageEncoder encoder_;
  MessageParts parts_;
  std::unique_ptr<OutputQueue> queue_;           // in memory, or a disk buffer
  std::unique_ptr<DeadLetterSink> dead_letter_;  // null: refused events are counted, logged

  // Replaced only by the producer thread (after a fatal error); the probe
  // thread reads it under a shared lock.
  std::shared_mutex producer_mutex_;
  std::unique_ptr<KafkaProducer> producer_;
  uint64_t generation_ = 0;  // counts producers: topic handles die with theirs

  // Producer thread only.
  InFlightBatches in_flight_;
  std::vector<Message*> resend_;
  Clock::time_point resend_at_;
  int resend_attempt_ = 0;
  int fatal_attempt_ = 0;
  std::vector<Rejected> rejected_;
  uint64_t confirmed_ = 0;  // not yet added to sent_

  std::thread producer_thread_;
  std::thread probe_thread_;
  std::atomic<bool> ready_{false};

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  Deadline deadline_ = Deadline::max();
  std::atomic<Clock::rep> deadline_ticks_{Deadline::max().time_since_epoch().count()};

  std::mutex log_mutex_;  // librdkafka logs from its own threads
  LogRateLimiter resend_log_;
  LogRateLimiter reject_log_;
  LogRateLimiter dead_letter_log_;
  LogRateLimiter client_log_;
  Counter& sent_;
  Counter& queue_full_;
  Gauge& queue_messages_;
};

}  // namespace sluice
