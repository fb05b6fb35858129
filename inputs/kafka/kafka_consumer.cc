#include "inputs/kafka/kafka_consumer.h"

#include <cstring>
#include <stdexcept>

namespace sluice {
namespace {

std::string errorText(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

}  // namespace

KafkaConsumer::KafkaConsumer(const std::string& input_id, const KafkaInputConfig& config)
    : input_id_(input_id),
      client_errors_(metrics().counter(
          "sluice_kafka_client_errors_total",
          "Errors librdkafka reported (unreachable brokers, unknown topics, fetch failures)",
          {{"input", input_id}})),
      commit_errors_(metrics().counter("sluice_kafka_commit_errors_total",
                                       "Synchronous offset commits that failed",
                                       {{"input", input_id}})) {
  RdKafkaConf conf(rd_kafka_conf_new());
  char errstr[512] = {};
  for (const auto& [key, value] : config.consumerProperties()) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      throw std::runtime_error("librdkafka property " + key + ": " + errstr);
    }
  }
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &KafkaConsumer::onRebalance);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaConsumer::onError);
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaConsumer::onLog);
  // On success rd_kafka_new owns the configuration.
  handle_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr);
  if (handle_ == nullptr) throw std::runtime_error(std::string("kafka consumer: ") + errstr);
  conf.release();
  // One queue for messages, rebalances and errors: rd_kafka_consumer_poll
  // serves them all.
  if (rd_kafka_resp_err_t err = rd_kafka_poll_set_consumer(handle_)) {
    rd_kafka_destroy(handle_);
    throw std::runtime_error("kafka consumer: " + errorText(err));
  }
}

KafkaConsumer::~KafkaConsumer() {
  close();
  rd_kafka_destroy_flags(handle_, left_group_ ? 0 : RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

void KafkaConsumer::subscribe(const std::vector<std::string>& topics) {
  RdKafkaPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(handle_, list.get())) {
    throw std::runtime_error("kafka subscribe: " + errorText(err));
  }
}

RdKafkaMessage KafkaConsumer::poll(int timeout_ms) {
  RdKafkaMessage message(rd_kafka_consumer_poll(handle_, timeout_ms));
  if (message && message->err != RD_KAFKA_RESP_ERR_NO_ERROR) client_errors_.add();
  return message;
}

std::optional<KafkaConsumer::Rebalance> KafkaConsumer::takeRebalance() {
  if (rebalances_.empty()) return std::nullopt;
  Rebalance next = std::move(rebalances_.front());
  rebalances_.pop_front();
  return next;
}

void KafkaConsumer::onRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  if (self->closing_) {
    // Leaving the group: there is nothing left to wait for.
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, partitions);
    } else {
      rd_kafka_assign(rk, nullptr);
    }
    return;
  }
  Rebalance r;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    r.kind = Rebalance::Kind::kAssign;
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    r.kind = Rebalance::Kind::kRevoke;
    r.lost = rd_kafka_assignment_lost(rk) != 0;
  } else {
    r.kind = Rebalance::Kind::kError;
    r.error = errorText(err);
  }
  // The list is librdkafka's and only valid during this call.
  if (partitions != nullptr) r.partitions.reset(rd_kafka_topic_partition_list_copy(partitions));
  self->rebalances_.push_back(std::move(r));
}

void KafkaConsumer::onError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaConsumer*>(opaque);
  self->client_errors_.add();
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char fatal[512] = {};
    rd_kafka_resp_err_t code = rd_kafka_fatal_error(rk, fatal, sizeof fatal);
    logError("kafka", "kafka consumer failed for good: restart needed",
             {{"input", self->input_id_}, {"error", errorText(code)}, {"reason", fatal}});
    return;
  }
  uint64_t suppressed = 0;
  {
    std::lock_guard lock(self->log_mutex_);
    if (!self->error_log_.allow(suppressed)) return;
  }
  logWarn("kafka", "kafka consumer error",
          {{"input", self->input_id_},
           {"error", errorText(static_cast<rd_kafka_resp_err_t>(err))},
           {"reason", reason},
           {"suppressed", suppressed}});
}

void KafkaConsumer::onLog(const rd_kafka_t* rk, int level, const char* facility,
                          const char* message) {
  // librdkafka's own log lines, from its threads. Errors it can recover
  // from are degraded service, not data loss: at most WARN.
  const LogLevel ours = level <= 4   ? LogLevel::kWarn
                        : level <= 6 ? LogLevel::kInfo
                                     : LogLevel::kDebug;
  if (!logEnabled(ours)) return;
  auto* self = static_cast<KafkaConsumer*>(rd_kafka_opaque(rk));
  const std::string input = self != nullptr ? self->input_id_ : std::string();
  logMessage(ours, "kafka", message,
             {{"input", input}, {"facility", facility}, {"client", rd_kafka_name(rk)}});
}

void KafkaConsumer::assign(const rd_kafka_topic_partition_list_t& partitions) {
  RdKafkaPartitionList copy(rd_kafka_topic_partition_list_copy(&partitions));
  if (rd_kafka_resp_err_t err = rd_kafka_assign(handle_, copy.get())) {
    logError("kafka", "could not take the assigned partitions",
             {{"input", input_id_}, {"error", errorText(err)}});
    return;
  }
  // librdkafka keeps a partition's pause across unassign and assign: one
  // paused before a revoke would stay paused when it comes back.
  if (rd_kafka_resp_err_t err = rd_kafka_resume_partitions(handle_, copy.get())) {
    logWarn("kafka", "could not resume fetching",
            {{"input", input_id_}, {"error", errorText(err)}});
  }
  assignment_ = std::move(copy);
  paused_ = false;
}

void KafkaConsumer::unassign() {
  if (rd_kafka_resp_err_t err = rd_kafka_assign(handle_, nullptr)) {
    logWarn("kafka", "could not give up the assignment",
            {{"input", input_id_}, {"error", errorText(err)}});
  }
  assignment_.reset();
  paused_ = false;
}

void KafkaConsumer::pause() {
  if (paused_ || !assignment_ || assignment_->cnt == 0) return;
  RdKafkaPartitionList list(rd_kafka_topic_partition_list_copy(assignment_.get()));
  if (rd_kafka_resp_err_t err = rd_kafka_pause_partitions(handle_, list.get())) {
    logWarn("kafka", "could not pause fetching", {{"input", input_id_}, {"error", errorText(err)}});
    return;
  }
  paused_ = true;
}

void KafkaConsumer::resume() {
  if (!paused_ || !assignment_) return;
  RdKafkaPartitionList list(rd_kafka_topic_partition_list_copy(assignment_.get()));
  if (rd_kafka_resp_err_t err = rd_kafka_resume_partitions(handle_, list.get())) {
    logWarn("kafka", "could not resume fetching",
            {{"input", input_id_}, {"error", errorText(err)}});
    return;
  }
  paused_ = false;
}

void KafkaConsumer::storeOffsets(std::span<const PartitionOffsets::Stored> offsets) {
  RdKafkaPartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const PartitionOffsets::Stored& s : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), s.partition->topic.c_str(),
                                      s.partition->partition)
        ->offset = s.next_offset;
  }
  std::lock_guard lock(store_mutex_);
  if (closed_) return;
  // Errors are per partition: one revoked meanwhile (RD_KAFKA_RESP_ERR__STATE)
  // is read again by its next owner, which is what at-least-once asks.
  rd_kafka_offsets_store(handle_, list.get());
}

bool KafkaConsumer::commitStored(const char* why) {
  if (!assignment_ || assignment_->cnt == 0) return true;
  // rd_kafka_commit would wait for a coordinator without bound: the
  // answer comes on a queue of our own instead.
  RdKafkaQueue queue(rd_kafka_queue_new(handle_));
  rd_kafka_resp_err_t err = rd_kafka_commit_queue(handle_, nullptr, queue.get(), nullptr, nullptr);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    RdKafkaEvent result(rd_kafka_queue_poll(queue.get(), static_cast<int>(kWaitForGroup.count())));
    err = result ? rd_kafka_event_error(result.get()) : RD_KAFKA_RESP_ERR__TIMED_OUT;
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return true;
  commit_errors_.add();
  logWarn("kafka",
          "committing offsets failed: the next owner of the partitions reads again from the last "
          "commit (events are overwritten, not duplicated)",
          {{"input", input_id_}, {"when", why}, {"error", errorText(err)}});
  return false;
}

int64_t KafkaConsumer::highWatermark(const std::string& topic, int32_t partition) const {
  int64_t low = -1, high = -1;
  if (rd_kafka_get_watermark_offsets(handle_, topic.c_str(), partition, &low, &high) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return -1;
  }
  return high;
}

RdKafkaPartitionList KafkaConsumer::positions() const {
  if (!assignment_ || assignment_->cnt == 0) return nullptr;
  RdKafkaPartitionList list(rd_kafka_topic_partition_list_copy(assignment_.get()));
  if (rd_kafka_position(handle_, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return nullptr;
  return list;
}

bool KafkaConsumer::groupReachable() {
  const int timeout = static_cast<int>(kProbeTimeout.count());
  if (assignment_ && assignment_->cnt > 0) {
    // Committed offsets come from the coordinator, which leaving needs.
    RdKafkaPartitionList probe(rd_kafka_topic_partition_list_copy(assignment_.get()));
    return rd_kafka_committed(handle_, probe.get(), timeout) == RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(handle_, 0, nullptr, &metadata, timeout) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return false;
  }
  rd_kafka_metadata_destroy(metadata);
  return true;
}

void KafkaConsumer::close() {
  {
    std::lock_guard lock(store_mutex_);
    if (closed_) return;
    closed_ = true;
  }
  closing_ = true;
  if (!groupReachable()) {
    logWarn("kafka",
            "the consumer group is out of reach: not leaving it; it reassigns the partitions "
            "after session.timeout.ms",
            {{"input", input_id_}});
    assignment_.reset();
    return;
  }
  RdKafkaQueue queue(rd_kafka_queue_new(handle_));
  if (RdKafkaError error{rd_kafka_consumer_close_queue(handle_, queue.get())}) {
    logWarn("kafka", "leaving the consumer group failed",
            {{"input", input_id_}, {"error", rd_kafka_error_string(error.get())}});
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + kWaitForGroup;
  while (!rd_kafka_consumer_closed(handle_) && std::chrono::steady_clock::now() < deadline) {
    RdKafkaEvent event(rd_kafka_queue_poll(queue.get(), 100));
    // Leaving the group revokes the assignment: give it up at once.
    if (event && rd_kafka_event_type(event.get()) == RD_KAFKA_EVENT_REBALANCE) {
      rd_kafka_assign(handle_, nullptr);
    }
  }
  assignment_.reset();
  left_group_ = rd_kafka_consumer_closed(handle_) != 0;
  if (left_group_) {
    logInfo("kafka", "left the consumer group", {{"input", input_id_}});
  } else {
    logWarn("kafka",
            "could not leave the consumer group in time: the group reassigns the partitions "
            "after session.timeout.ms",
            {{"input", input_id_}});
  }
}

}  // namespace sluice
