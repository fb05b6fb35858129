#include "outputs/kafka/kafka_output.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "outputs/dead_letter_file.h"
#include "outputs/kafka/delivery_error.h"
#include "outputs/queue/disk_queue.h"
#include "outputs/queue/memory_queue.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;

constexpr auto kMaxBackoff = 30s;

std::chrono::milliseconds backoff(int attempt) {
  const auto delay = 250ms * (1LL << std::min(attempt, 8));
  return std::min<std::chrono::milliseconds>(delay, kMaxBackoff);
}

Counter& retries(const std::string& output, const std::string& status) {
  return metrics().counter("sluice_output_retries_total", "Events or requests an output sent again",
                           {{"output", output}, {"status", status}});
}

}  // namespace

KafkaOutput::KafkaOutput(const OutputSettings& settings, const KafkaConfig& config,
                         const BuildContext& context)
    : id_(settings.id),
      config_(config),
      encoder_(config.topic, config.key_field),
      sent_(metrics().counter("sluice_events_sent_total", "Events an output delivered",
                              {{"output", settings.id}})),
      queue_full_(retries(settings.id, "queue_full")),
      queue_messages_(metrics().gauge(
          "sluice_kafka_producer_queue_messages",
          "Messages the Kafka producer holds: waiting to be sent or for their acknowledgement",
          {{"output", settings.id}})) {
  encoder_.bind(context.route_fields);
  if (!config_.dead_letter_path.empty()) {
    dead_letter_ = std::make_unique<DeadLetterFile>(config_.dead_letter_path);
  }
  if (config_.buffer.type == BufferConfig::Type::kDisk) {
    queue_ = std::make_unique<DiskQueue>(config_.buffer, id_);
  } else {
    queue_ = std::make_unique<MemoryQueue>(config_.queue_batches);
  }
  producer_ = makeProducer();
}

KafkaOutput::~KafkaOutput() { stop(Clock::now()); }

std::unique_ptr<KafkaProducer> KafkaOutput::makeProducer() {
  KafkaConf conf;
  for (const auto& [name, value] : config_.properties()) {
    std::string error;
    // Validated when the config was loaded.
    if (!conf.set(name, value, error)) throw std::runtime_error("kafka: " + name + ": " + error);
  }
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(),
                              [](rd_kafka_t*, const rd_kafka_message_t* report, void* self) {
                                static_cast<KafkaOutput*>(self)->onDelivery(*report);
                              });
  rd_kafka_conf_set_error_cb(conf.get(),
                             [](rd_kafka_t*, int error, const char* reason, void* self) {
                               static_cast<KafkaOutput*>(self)->onError(error, reason);
                             });
  rd_kafka_conf_set_log_cb(
      conf.get(), [](const rd_kafka_t* rk, int level, const char* facility, const char* message) {
        static_cast<KafkaOutput*>(rd_kafka_opaque(rk))->onLog(level, facility, message);
      });
  return std::make_unique<KafkaProducer>(std::move(conf));
}

void KafkaOutput::start() {
  queue_->start();
  producer_thread_ = std::thread([this] { run(); });
  probe_thread_ = std::thread([this] { probeLoop(); });
}

void KafkaOutput::stop(Deadline deadline) {
  // A disk buffer keeps what the producer has not taken: it is sent after
  // the next start. What librdkafka holds is still flushed until the deadline.
  if (queue_->durable()) queue_->abandon();
  {
    std::lock_guard lock(stop_mutex_);
    if (!stopping_ || deadline < deadline_) deadline_ = deadline;
    stopping_ = true;
    deadline_ticks_.store(deadline_.time_since_epoch().count());
  }
  stop_signal_.notify_all();
  queue_->close();
  if (producer_thread_.joinable()) producer_thread_.join();
  if (probe_thread_.joinable()) probe_thread_.join();
  {
    // Destroying the producer joins its threads: only then may the batches
    // its messages point into be released.
    std::unique_lock lock(producer_mutex_);
    producer_.reset();
  }
  // Not confirmed: unacknowledged, read again after a restart.
  in_flight_.clear();
  queue_->abandon();
}

bool KafkaOutput::pastDeadline() const {
  return Clock::now().time_since_epoch().count() >= deadline_ticks_.load();
}

void KafkaOutput::run() {
  for (;;) {
    if (!serve(0)) break;
    if (!resend_.empty() && Clock::now() >= resend_at_) {
      if (!resendPending()) break;
      continue;
    }
    const bool idle = in_flight_.empty();
    // While messages await their reports the queue is only looked at, and
    // the wait is spent in rd_kafka_poll below, which returns on a report.
    std::optional<OutputQueue::Taken> taken = queue_->take(Clock::now() + (idle ? 200ms : 0ms));
    if (taken) {
      if (!produceBatch(std::move(*taken))) break;
      continue;
    }
    if (idle) {
      if (queue_->closed()) return;  // everything delivered
      continue;
    }
    bool stopping = false;
    {
      std::lock_guard lock(stop_mutex_);
      stopping = stopping_;
    }
    if (stopping && queue_->closed() && rd_kafka_outq_len(producer_->get()) > 0) {
      // Shutdown: only what librdkafka holds is left to deliver.
      rd_kafka_flush(producer_->get(), 100);
    } else {
      int wait_ms = 10;
      if (!resend_.empty()) {
        const auto until =
            std::chrono::duration_cast<std::chrono::milliseconds>(resend_at_ - Clock::now());
        wait_ms = static_cast<int>(std::clamp<int64_t>(until.count(), 0, 10));
      }
      rd_kafka_poll(producer_->get(), wait_ms);
    }
  }
  if (!in_flight_.empty()) {
    logError("kafka", "shutdown deadline reached with events not confirmed by Kafka",
             {{"output", id_},
              {"events", static_cast<int64_t>(in_flight_.unsettledMessages())},
              {"batches", static_cast<int64_t>(in_flight_.batches())}});
  }
}

bool KafkaOutput::produceBatch(OutputQueue::Taken taken) {
  InFlightBatches::Entry& entry = in_flight_.add(std::move(taken));
  const uint64_t generation = generation_;
  for (Message& message : entry.messages) {
    if (!produce(message)) return false;
    // A new producer: recover() queued the rest of the batch for resending.
    if (generation_ != generation) break;
  }
  return true;
}

bool KafkaOutput::produce(Message& message) {
  const Batch& batch = *message.entry->taken.batch;
  const EventRecord& event = batch.events[message.event];
  encoder_.encode(batch, message.event, parts_);
  const uint64_t generation = generation_;
  rd_kafka_topic_t* topic = producer_->topic(parts_.topic);
  if (topic == nullptr) {
    rejected_.push_back({&message, RD_KAFKA_RESP_ERR__INVALID_ARG, parts_.topic});
    return true;
  }
  std::array<rd_kafka_vu_t, 6> vu{};
  size_t n = 0;
  vu[n].vtype = RD_KAFKA_VTYPE_RKT;
  vu[n++].u.rkt = topic;
  // No RD_KAFKA_MSG_F_COPY: librdkafka reads the document where the batch
  // holds it, and the batch is kept until the message's delivery report.
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n++].u.mem = {const_cast<char*>(batch.documents.data() + event.doc_offset), event.doc_length};
  if (parts_.key) {
    vu[n].vtype = RD_KAFKA_VTYPE_KEY;
    vu[n++].u.mem = {const_cast<char*>(parts_.key->data()), parts_.key->size()};
  }
  vu[n].vtype = RD_KAFKA_VTYPE_HEADER;
  vu[n++].u.header = {kIdHeader.data(), parts_.id.data(), static_cast<ssize_t>(parts_.id.size())};
  vu[n].vtype = RD_KAFKA_VTYPE_HEADER;
  vu[n++].u.header = {kTimestampHeader.data(), parts_.timestamp.data(),
                      static_cast<ssize_t>(parts_.timestamp.size())};
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = &message;
  bool counted = false;
  for (;;) {
    rd_kafka_error_t* error = rd_kafka_produceva(producer_->get(), vu.data(), n);
    if (error == nullptr) {
      message.state = InFlightBatches::State::kInKafka;
      return true;
    }
    const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    if (code == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      // Backpressure: librdkafka holds as much as it may. Reports free room.
      if (!counted) queue_full_.add();
      counted = true;
      if (!serve(100)) return false;
      if (generation_ != generation) return true;  // recovered: it is queued for resending
      continue;
    }
    if (code == RD_KAFKA_RESP_ERR__FATAL) return recover();
    if (classifyDeliveryError(code) == DeliveryAction::kReject) {
      rejected_.push_back({&message, code, parts_.topic});
    } else {
      scheduleResend(message, code);
    }
    return true;
  }
}

void KafkaOutput::scheduleResend(Message& message, rd_kafka_resp_err_t error) {
  message.state = InFlightBatches::State::kUnsent;
  if (resend_.empty()) resend_at_ = Clock::now() + backoff(resend_attempt_++);
  resend_.push_back(&message);
  const std::string reason = deliveryErrorReason(error);
  retries(id_, reason).add();
  const bool operator_needed = error == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                               error == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED ||
                               error == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
                               error == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED;
  int64_t suppressed = 0;
  if (mayLog(resend_log_, suppressed)) {
    logMessage(operator_needed ? LogLevel::kError : LogLevel::kWarn, "kafka",
               "Kafka did not take a message: producing it again",
               {{"output", id_},
                {"reason", reason},
                {"error", rd_kafka_err2str(error)},
                {"suppressed", suppressed}});
  }
}

bool KafkaOutput::resendPending() {
  std::vector<Message*> pending = std::move(resend_);
  resend_.clear();
  const uint64_t generation = generation_;
  for (Message* message : pending) {
    // Settled since (a report of an earlier attempt), or queued again.
    if (message->state != InFlightBatches::State::kUnsent) continue;
    if (!produce(*message)) return false;
    if (generation_ != generation) return true;  // recover() queued all of them again
  }
  return true;
}

bool KafkaOutput::serve(int timeout_ms) {
  rd_kafka_poll(producer_->get(), timeout_ms);
  return settle();
}

bool KafkaOutput::settle() {
  if (confirmed_ > 0) {
    sent_.add(confirmed_);
    confirmed_ = 0;
  }
  if (!deadLetterRejected() || !acknowledgeSettled()) return false;
  if (rd_kafka_fatal_error(producer_->get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR &&
      !recover()) {
    return false;
  }
  queue_messages_.set(rd_kafka_outq_len(producer_->get()));
  return !pastDeadline();
}

void KafkaOutput::onDelivery(const rd_kafka_message_t& report) {
  auto* message = static_cast<Message*>(report._private);
  if (message == nullptr || message->state != InFlightBatches::State::kInKafka) return;
  switch (classifyDeliveryError(report.err)) {
    case DeliveryAction::kDelivered:
      in_flight_.settle(*message);
      ++confirmed_;
      resend_attempt_ = 0;
      fatal_attempt_ = 0;
      if (!ready_.load(std::memory_order_relaxed)) setReady(true, {});
      break;
    case DeliveryAction::kReject:
      rejected_.push_back(
          {message, report.err, report.rkt != nullptr ? rd_kafka_topic_name(report.rkt) : ""});
      break;
    case DeliveryAction::kResend:
      if (report.err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
          report.err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT ||
          rd_kafka_fatal_error(producer_->get(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        // The producer is being replaced: recover() produces it again with
        // everything else not confirmed, and reports it once.
        message->state = InFlightBatches::State::kUnsent;
      } else {
        scheduleResend(*message, report.err);
      }
      break;
  }
}

bool KafkaOutput::deadLetterRejected() {
  if (rejected_.empty()) return true;
  std::vector<Rejected> rejected = std::move(rejected_);
  rejected_.clear();
  for (const Rejected& r : rejected) {
    if (!deadLetter(r)) return false;
    in_flight_.settle(*r.message);
  }
  return true;
}

bool KafkaOutput::deadLetter(const Rejected& r) {
  const std::string reason = deliveryErrorReason(r.error);
  metrics()
      .counter("sluice_events_failed_total", "Events an output could not deliver, by reason",
               {{"output", id_}, {"reason", reason}})
      .add();
  const Batch& batch = *r.message->entry->taken.batch;
  const EventRecord& event = batch.events[r.message->event];
  std::string event_id;
  event.id.appendTo(event_id);
  const std::string detail = rd_kafka_err2str(r.error);
  int64_t suppressed = 0;
  if (mayLog(reject_log_, suppressed)) {
    logError("kafka",
             dead_letter_ ? "event refused by Kafka: sent to " + dead_letter_->describe()
                          : std::string("event refused by Kafka"),
             {{"output", id_},
              {"reason", reason},
              {"detail", detail},
              {"topic", r.topic},
              {"bytes", static_cast<uint64_t>(event.doc_length)},
              {"event_id", event_id},
              {"suppressed", suppressed}});
  }
  if (!dead_letter_) return true;
  const DeadLetterSink::Record record{id_,    r.topic,  static_cast<int>(r.error), reason,
                                      detail, event_id, batch.document(event),     {}};
  std::string error;
  for (int attempt = 0; !dead_letter_->write(record, error); ++attempt) {
    if (mayLog(dead_letter_log_, suppressed)) {
      logError("kafka", "cannot write the dead-letter file: holding the batch",
               {{"output", id_}, {"error", error}, {"suppressed", suppressed}});
    }
    if (!pause(attempt)) return false;
  }
  r.message->entry->dead_lettered = true;
  return true;
}

bool KafkaOutput::acknowledgeSettled() {
  std::vector<InFlightBatches::Entry*>& settled = in_flight_.settled();
  if (settled.empty()) return true;
  const bool sync = std::any_of(settled.begin(), settled.end(),
                                [](const InFlightBatches::Entry* e) { return e->dead_lettered; });
  std::string error;
  // Dead letters are durable before their batch is acknowledged: a crash
  // cannot lose an event between the two.
  for (int attempt = 0; sync && !dead_letter_->sync(error); ++attempt) {
    int64_t suppressed = 0;
    if (mayLog(dead_letter_log_, suppressed)) {
      logError("kafka", "cannot sync the dead-letter file: holding the batch",
               {{"output", id_}, {"error", error}, {"suppressed", suppressed}});
    }
    if (!pause(attempt)) return false;
  }
  for (InFlightBatches::Entry* entry : settled) {
    queue_->delivered(entry->taken);
    in_flight_.remove(*entry);
  }
  settled.clear();
  return true;
}

bool KafkaOutput::recover() {
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t fatal =
      rd_kafka_fatal_error(producer_->get(), reason.data(), reason.size());
  logError("kafka",
           "fatal producer error: starting a new producer, producing again what "
           "Kafka has not confirmed (the aggregator drops duplicates by sluice-id)",
           {{"output", id_},
            {"reason", deliveryErrorReason(fatal)},
            {"error", reason.data()},
            {"unconfirmed", static_cast<int64_t>(in_flight_.unsettledMessages())}});
  // Reports already on their way tell which messages Kafka has: fewer are
  // produced twice. Purged ones come back as kResend.
  rd_kafka_purge(producer_->get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  const auto drain_until = Clock::now() + 1s;
  do {
    rd_kafka_poll(producer_->get(), 50);
  } while (rd_kafka_outq_len(producer_->get()) > 0 && Clock::now() < drain_until);
  if (!deadLetterRejected() || !acknowledgeSettled()) return false;
  {
    std::unique_lock lock(producer_mutex_);
    producer_.reset();
  }
  ++generation_;
  for (int attempt = fatal_attempt_++;; ++attempt) {
    // Fatal errors in a row (an InitProducerId the cluster keeps refusing)
    // are not retried in a tight loop.
    if (attempt > 0 && !pause(attempt - 1)) return false;
    try {
      std::unique_ptr<KafkaProducer> fresh = makeProducer();
      std::unique_lock lock(producer_mutex_);
      producer_ = std::move(fresh);
      break;
    } catch (const std::exception& e) {
      logError("kafka", "cannot create a new producer", {{"output", id_}, {"error", e.what()}});
    }
  }
  resend_ = in_flight_.unsettled();
  for (Message* message : resend_) message->state = InFlightBatches::State::kUnsent;
  resend_at_ = Clock::now();
  retries(id_, "fatal_error").add(resend_.size());
  return true;
}

bool KafkaOutput::pause(int attempt) {
  std::unique_lock lock(stop_mutex_);
  const auto wake = Clock::now() + backoff(attempt);
  stop_signal_.wait_until(lock, std::min(wake, deadline_),
                          [&] { return Clock::now() >= deadline_; });
  return Clock::now() < deadline_;
}

void KafkaOutput::onError(int error, const char* reason) {
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    setReady(false, reason);
  } else if (code != RD_KAFKA_RESP_ERR__FATAL) {  // recover() reports fatal errors
    // Connection failures and the like: librdkafka logs them too, and retries.
    logDebug("kafka", "producer error",
             {{"output", id_}, {"reason", deliveryErrorReason(code)}, {"error", reason}});
  }
}

void KafkaOutput::onLog(int level, const char* facility, const char* message) {
  // Syslog levels. librdkafka's errors (a refused connection) are retried
  // by it: degraded service, not data loss.
  const LogLevel ours = level <= 4   ? LogLevel::kWarn
                        : level == 5 ? LogLevel::kInfo
                                     : LogLevel::kDebug;
  int64_t suppressed = 0;
  if (!logEnabled(ours) || !mayLog(client_log_, suppressed)) return;
  logMessage(ours, "kafka", message,
             {{"output", id_}, {"facility", facility}, {"suppressed", suppressed}});
}

bool KafkaOutput::mayLog(LogRateLimiter& limiter, int64_t& suppressed) {
  std::lock_guard lock(log_mutex_);
  uint64_t held_back = 0;
  const bool allowed = limiter.allow(held_back);
  suppressed = static_cast<int64_t>(held_back);
  return allowed;
}

void KafkaOutput::setReady(bool ready, const std::string& detail) {
  if (ready_.exchange(ready) == ready) return;
  std::string brokers;
  for (const std::string& b : config_.brokers) brokers += (brokers.empty() ? "" : ",") + b;
  if (ready) {
    logInfo("kafka", "connected", {{"output", id_}, {"brokers", brokers}});
  } else {
    logWarn("kafka", "no Kafka broker reachable: events wait",
            {{"output", id_}, {"brokers", brokers}, {"error", detail}});
  }
}

void KafkaOutput::probeLoop() {
  std::unique_lock stop_lock(stop_mutex_);
  while (!stopping_) {
    stop_lock.unlock();
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR__STATE;
    {
      std::shared_lock lock(producer_mutex_);
      if (producer_) {
        const rd_kafka_metadata_t* metadata = nullptr;
        // Brokers only (no topics): a cheap request, answered by any broker.
        error = rd_kafka_metadata(producer_->get(), 0, nullptr, &metadata, 1000);
        if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
      }
    }
    const bool ok = error == RD_KAFKA_RESP_ERR_NO_ERROR;
    setReady(ok, ok ? std::string() : rd_kafka_err2str(error));
    stop_lock.lock();
    stop_signal_.wait_for(stop_lock, ok ? 5s : 1s, [this] { return stopping_; });
  }
}

}  // namespace sluice
