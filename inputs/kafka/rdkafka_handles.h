#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>

namespace sluice {

// librdkafka's C handles, each owned by one RAII wrapper.
struct RdKafkaConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct RdKafkaMessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
struct RdKafkaPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct RdKafkaErrorDeleter {
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};
struct RdKafkaQueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct RdKafkaEventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

using RdKafkaConf = std::unique_ptr<rd_kafka_conf_t, RdKafkaConfDeleter>;
using RdKafkaMessage = std::unique_ptr<rd_kafka_message_t, RdKafkaMessageDeleter>;
using RdKafkaPartitionList =
    std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaPartitionListDeleter>;
using RdKafkaError = std::unique_ptr<rd_kafka_error_t, RdKafkaErrorDeleter>;
using RdKafkaQueue = std::unique_ptr<rd_kafka_queue_t, RdKafkaQueueDeleter>;
using RdKafkaEvent = std::unique_ptr<rd_kafka_event_t, RdKafkaEventDeleter>;

}  // namespace sluice
