#include "inputs/kafka/kafka_input.h"

#include <algorithm>

#include "pipeline/logger.h"

namespace sluice {
namespace {

// Polls per backpressure tick: enough to drain what librdkafka fetched
// before the pause took effect, bounded so a tick stays short.
constexpr int kPollsPerTick = 1000;
constexpr auto kLagInterval = std::chrono::seconds(1);

Counter& decodeErrors(const std::string& input_id, std::string_view reason) {
  return metrics().counter(
      "sluice_kafka_decode_errors_total",
      "Kafka messages not in the shape sluice's kafka output writes, by reason",
      {{"input", input_id}, {"reason", std::string(reason)}});
}

Counter& parseCounter(const std::string& input_id, std::string_view result) {
  return metrics().counter("sluice_parse_events_total", "Events by how their line was parsed",
                           {{"input", input_id}, {"result", std::string(result)}});
}

Counter& rebalanceCounter(const std::string& input_id, std::string_view kind) {
  return metrics().counter("sluice_kafka_rebalances_total",
                           "Consumer group rebalances this consumer went through, by kind",
                           {{"input", input_id}, {"kind", std::string(kind)}});
}

std::string describe(const rd_kafka_topic_partition_list_t& partitions) {
  constexpr int kListed = 16;
  std::string out;
  for (int i = 0; i < partitions.cnt && i < kListed; ++i) {
    const rd_kafka_topic_partition_t& p = partitions.elems[i];
    out +=
        (out.empty() ? "" : ",") + std::string(p.topic) + "[" + std::to_string(p.partition) + "]";
  }
  if (partitions.cnt > kListed) out += ",... (" + std::to_string(partitions.cnt) + " in all)";
  return out;
}

std::optional<std::string_view> header(rd_kafka_headers_t* headers, const char* name) {
  const void* value = nullptr;
  size_t size = 0;
  if (headers == nullptr ||
      rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == nullptr) {
    return std::nullopt;
  }
  return std::string_view(static_cast<const char*>(value), size);
}

}  // namespace

KafkaInput::KafkaInput(const InputSettings& settings, const KafkaInputConfig& config,
                       const BuildContext& context)
    : id_(settings.id),
      config_(config),
      limits_(context.batch),
      decoder_(context.route_fields, context.pipeline.schema),
      store_([this](std::span<const PartitionOffsets::Stored> offsets) {
        consumer_->storeOffsets(offsets);
      }),
      // Runs on an output's thread under the tracker's lock: storing an
      // offset is a short, thread-safe librdkafka call.
      tracker_(std::make_shared<AckTracker>(
          [this](uint64_t sequence) { offsets_.acknowledged(sequence, store_); })),
      lag_(settings.id),
      received_(metrics().counter("sluice_events_received_total",
                                  "Events read and normalized by an input", {{"input", id_}})),
      backpressure_micros_(metrics().counter("sluice_backpressure_seconds_total",
                                             "Time an input waited for outputs to take its batches",
                                             {{"input", id_}}, 1e-6)),
      messages_(metrics().counter(
          "sluice_kafka_messages_total",
          "Messages consumed from Kafka (again after a rebalance or restart)", {{"input", id_}})),
      not_objects_(decodeErrors(id_, "not_json_object")),
      invalid_ids_(decodeErrors(id_, "invalid_id")),
      invalid_timestamps_(decodeErrors(id_, "invalid_timestamp")),
      derived_ids_(metrics().counter(
          "sluice_kafka_derived_ids_total",
          "Kafka messages without a sluice-id header: their id comes from topic, partition, offset",
          {{"input", id_}})),
      parsed_json_(parseCounter(id_, "json")),
      json_errors_(parseCounter(id_, "json_error")),
      invalid_utf8_(metrics().counter("sluice_invalid_utf8_total",
                                      "Events whose text had bytes that are not UTF-8 (replaced)",
                                      {{"input", id_}})),
      assigns_(rebalanceCounter(id_, "assign")),
      revokes_(rebalanceCounter(id_, "revoke")),
      revoke_timeouts_(metrics().counter(
          "sluice_kafka_revoke_timeouts_total",
          "Revokes that gave partitions up with batches not acknowledged within revoke_timeout",
          {{"input", id_}})),
      wait_{backpressure_micros_, [this] { whileWaiting(); }} {
  consumer_ = std::make_unique<KafkaConsumer>(id_, config_);
  consumer_->subscribe(config_.topics);
  openBatch();
}

KafkaInput::~KafkaInput() {
  requestStop();
  join();
  // Leaves the group before the members the callbacks use go.
  consumer_.reset();
}

void KafkaInput::start(BatchSink& sink) {
  sink_ = &sink;
  thread_ = std::thread([this] { run(); });
}

void KafkaInput::join() {
  if (thread_.joinable()) thread_.join();
}

void KafkaInput::saveState() {
  consumer_->commitStored("shutdown");
  consumer_->close();
}

void KafkaInput::run() {
  bool sink_open = true;
  while (!stop_.load() && sink_open) {
    RdKafkaMessage message;
    if (!held_.empty()) {
      message = std::move(held_.front());
      held_.pop_front();
    } else {
      const auto due = std::chrono::duration_cast<std::chrono::milliseconds>(
          limits_.linger - (Clock::now() - opened_at_));
      const int timeout =
          batch_->empty() ? 100 : static_cast<int>(std::clamp<int64_t>(due.count(), 0, 100));
      message = consumer_->poll(timeout);
      if (handleRebalances(false)) message.reset();
    }
    if (message && !take(*message)) sink_open = false;
    if (sink_open && !flushIfDue()) sink_open = false;
    refreshLag(false);
  }
  if (sink_open) flush();
  publishStats();
}

bool KafkaInput::take(const rd_kafka_message_t& message) {
  if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    reportMessageError(message);
    return true;
  }
  if (batch_->empty()) opened_at_ = Clock::now();
  KafkaRecord record;
  record.topic = rd_kafka_topic_name(message.rkt);
  record.partition = message.partition;
  record.offset = message.offset;
  if (message.payload != nullptr) {
    record.value = std::string_view(static_cast<const char*>(message.payload), message.len);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    record.id_header = header(headers, "sluice-id");
    record.timestamp_header = header(headers, "sluice-ts");
  }
  rd_kafka_timestamp_type_t timestamp_type;
  record.kafka_timestamp_ms = rd_kafka_message_timestamp(&message, &timestamp_type);
  if (decoder_.decode(record, ingestTimeNow(), *batch_) == MessageDecoder::Result::kWrapped) {
    reportWrapped(record);
  }
  const PartitionOffsets::Slot slot = slotOf(record.topic, record.partition);
  PartitionOffsets::extend(reach_, slot, record.offset);
  if (first_offset_[slot] < 0) first_offset_[slot] = record.offset;
  if (batch_->size() >= limits_.max_events || batch_->bytes() >= limits_.max_bytes) return flush();
  return true;
}

PartitionOffsets::Slot KafkaInput::slotOf(std::string_view topic, int32_t partition) {
  if (partition == last_partition_ && topic == last_topic_) return last_slot_;
  last_slot_ = offsets_.slot(topic, partition);
  last_topic_.assign(topic);
  last_partition_ = partition;
  if (first_offset_.size() <= last_slot_) first_offset_.resize(last_slot_ + 1, -1);
  return last_slot_;
}

void KafkaInput::openBatch() {
  batch_ = std::make_shared<Batch>(static_cast<uint32_t>(decoder_.routeFieldCount()));
  // Growing the text by doubling would copy it about twice over.
  batch_->documents.reserve(limits_.max_bytes + 64 * 1024);
  batch_->events.reserve(limits_.max_events);
  reach_.clear();
  opened_at_ = Clock::now();
}

void KafkaInput::discardOpenBatch() {
  // Its messages are read again by whoever owns their partitions next.
  batch_->clear();
  reach_.clear();
}

bool KafkaInput::flush() {
  publishStats();
  if (batch_->empty()) return true;
  received_.add(batch_->size());
  const uint64_t sequence = tracker_->open();
  batch_->setAcknowledgement(tracker_, sequence);
  offsets_.batchSent(sequence, std::move(reach_));
  const bool ok = sink_->send(std::move(batch_), wait_);
  // Paused by whileWaiting() when send() had to wait.
  consumer_->resume();
  openBatch();
  return ok;
}

bool KafkaInput::flushIfDue() {
  if (batch_->empty()) {
    publishStats();
    return true;
  }
  if (Clock::now() - opened_at_ < limits_.linger) return true;
  return flush();
}

void KafkaInput::whileWaiting() {
  // Stop fetching but keep polling: a consumer that does not poll for
  // max.poll.interval.ms is evicted from the group.
  consumer_->pause();
  for (int i = 0; i < kPollsPerTick; ++i) {
    RdKafkaMessage message = consumer_->poll(0);
    const bool revoked = handleRebalances(true);
    if (!message) {
      if (revoked) continue;
      break;
    }
    if (!revoked) held_.push_back(std::move(message));
  }
  refreshLag(false);
}

bool KafkaInput::handleRebalances(bool sending) {
  bool revoked = false;
  while (auto rebalance = consumer_->takeRebalance()) {
    switch (rebalance->kind) {
      case KafkaConsumer::Rebalance::Kind::kAssign:
        onAssigned(*rebalance->partitions, sending);
        break;
      case KafkaConsumer::Rebalance::Kind::kRevoke:
        onRevoked(*rebalance, sending);
        revoked = true;
        break;
      case KafkaConsumer::Rebalance::Kind::kError:
        logWarn("kafka", "consumer group rebalance failed: giving the assignment up",
                {{"input", id_}, {"error", rebalance->error}});
        rebalance->lost = true;
        onRevoked(*rebalance, sending);
        revoked = true;
        break;
    }
  }
  return revoked;
}

void KafkaInput::onAssigned(const rd_kafka_topic_partition_list_t& partitions, bool sending) {
  assigns_.add();
  consumer_->assign(partitions);
  owned_.clear();
  for (int i = 0; i < partitions.cnt; ++i) {
    owned_.push_back(slotOf(partitions.elems[i].topic, partitions.elems[i].partition));
  }
  // Assigned while the pipeline is full: fetch nothing until it has room.
  if (sending) consumer_->pause();
  logInfo("kafka", "partitions assigned",
          {{"input", id_}, {"count", partitions.cnt}, {"partitions", describe(partitions)}});
}

void KafkaInput::onRevoked(const KafkaConsumer::Rebalance& rebalance, bool sending) {
  revokes_.add();
  logInfo("kafka", "partitions revoked",
          {{"input", id_},
           {"count", rebalance.partitions ? rebalance.partitions->cnt : 0},
           {"lost", rebalance.lost ? "true" : "false"}});
  consumer_->pause();
  held_.clear();
  // While sending, the open batch is the one being sent.
  if (!sending) discardOpenBatch();
  // A lost assignment already belongs to someone else: committing fails.
  if (!rebalance.lost) waitForAcknowledgements(sending);
  offsets_.forgetPending();
  if (!rebalance.lost) consumer_->commitStored("revoke");
  consumer_->unassign();
  owned_.clear();
  std::fill(first_offset_.begin(), first_offset_.end(), -1);
  refreshLag(true);
}

void KafkaInput::waitForAcknowledgements(bool sending) {
  // The batch being sent cannot be acknowledged before send() returns.
  const uint64_t allowed = sending ? 1 : 0;
  const auto deadline = Clock::now() + config_.revoke_timeout;
  while (tracker_->outstanding() > allowed && Clock::now() < deadline && !stop_.load()) {
    // Keeps the membership alive. What still arrives is of the revoked
    // partitions: their next owner reads it again.
    while (RdKafkaMessage ignored = consumer_->poll(0)) {
    }
    tracker_->waitForAll(std::min(deadline, Clock::now() + std::chrono::milliseconds(50)));
  }
  const uint64_t left = tracker_->outstanding() - std::min(tracker_->outstanding(), allowed);
  if (left == 0) return;
  revoke_timeouts_.add();
  logWarn("kafka",
          "partitions given up with batches not yet acknowledged: their next owner reads them "
          "again (same ids: overwritten in Elasticsearch, not duplicated)",
          {{"input", id_},
           {"batches", left},
           {"revoke_timeout_ms", static_cast<int64_t>(config_.revoke_timeout.count())}});
}

void KafkaInput::refreshLag(bool now) {
  const auto clock = Clock::now();
  if (!now && clock < next_lag_refresh_) return;
  next_lag_refresh_ = clock + kLagInterval;
  RdKafkaPartitionList positions = owned_.empty() ? nullptr : consumer_->positions();
  std::vector<ConsumerLag::Sample> samples;
  for (PartitionOffsets::Slot slot : owned_) {
    const PartitionOffsets::TopicPartition& tp = offsets_.partition(slot);
    const int64_t high = consumer_->highWatermark(tp.topic, tp.partition);
    if (high < 0) continue;
    // Delivered up to: the offset stored for commit; before anything was,
    // the first offset read; before anything was read, where fetching starts.
    int64_t delivered = offsets_.stored(slot);
    if (delivered < 0) delivered = first_offset_[slot];
    if (delivered < 0 && positions) {
      if (const rd_kafka_topic_partition_t* p =
              rd_kafka_topic_partition_list_find(positions.get(), tp.topic.c_str(), tp.partition)) {
        delivered = p->offset;
      }
    }
    if (delivered < 0) continue;
    samples.push_back({&tp.topic, tp.partition, std::max<int64_t>(0, high - delivered)});
  }
  lag_.update(samples);
}

void KafkaInput::publishStats() {
  const KafkaDecodeStats& now = decoder_.stats();
  messages_.add((now.documents + now.not_objects) -
                (published_.documents + published_.not_objects));
  parsed_json_.add(now.documents - published_.documents);
  json_errors_.add(now.not_objects - published_.not_objects);
  not_objects_.add(now.not_objects - published_.not_objects);
  invalid_ids_.add(now.invalid_ids - published_.invalid_ids);
  invalid_timestamps_.add(now.invalid_timestamps - published_.invalid_timestamps);
  derived_ids_.add(now.derived_ids - published_.derived_ids);
  invalid_utf8_.add(now.invalid_utf8 - published_.invalid_utf8);
  published_ = now;
}

void KafkaInput::reportMessageError(const rd_kafka_message_t& message) {
  uint64_t suppressed = 0;
  if (!message_error_log_.allow(suppressed)) return;
  logWarn("kafka", "kafka consumer error",
          {{"input", id_},
           {"error", rd_kafka_err2str(message.err)},
           {"reason", rd_kafka_message_errstr(&message)},
           {"topic", message.rkt != nullptr ? rd_kafka_topic_name(message.rkt) : ""},
           {"partition", message.partition},
           {"suppressed", suppressed}});
}

void KafkaInput::reportWrapped(const KafkaRecord& record) {
  uint64_t suppressed = 0;
  if (!wrapped_log_.allow(suppressed)) return;
  logWarn(
      "kafka",
      "kafka message is not a JSON object: shipped as the message of an event tagged json_error",
      {{"input", id_},
       {"topic", record.topic},
       {"partition", record.partition},
       {"offset", record.offset},
       {"suppressed", suppressed}});
}

}  // namespace sluice
