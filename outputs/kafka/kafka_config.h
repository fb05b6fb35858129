#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_reader.h"
#include "outputs/kafka/topic_template.h"
#include "outputs/queue/buffer_config.h"
#include "pipeline/registry.h"

namespace sluice {

// A librdkafka configuration property, as rd_kafka_conf_set() takes it.
using KafkaProperty = std::pair<std::string, std::string>;

// `type: kafka` output: an idempotent producer (acks=all) writing each event
// as one message.
struct KafkaConfig : ComponentConfig {
  std::vector<std::string> brokers;  // host:port, the bootstrap servers
  TopicTemplate topic;
  // The field whose value is the message key; nullopt with `key: none`.
  // log.file.path by default: a file's events go to one partition, in order.
  std::optional<std::string> key_field = "log.file.path";
  std::string compression = "zstd";
  std::chrono::milliseconds linger{50};
  uint64_t batch_bytes = 1'000'000;
  int64_t batch_events = 10'000;
  uint64_t message_max_bytes = 1'000'000;
  // `librdkafka:` as given, for security.protocol, sasl.*, ssl.* and the like.
  std::vector<KafkaProperty> passthrough;
  // Events Kafka refuses for good go here; empty: counted and logged.
  std::string dead_letter_path;
  BufferConfig buffer;
  // Batches waiting for the producer in the memory queue; bytes are bounded
  // by the pipeline's in-flight budget.
  size_t queue_batches = 1024;

  // Every property the producer is created with: the ones this output sets,
  // then the passthrough ones.
  std::vector<KafkaProperty> properties() const;

  std::vector<std::string> routeFields() const override {
    std::vector<std::string> fields = topic.fields();
    if (key_field) fields.push_back(*key_field);
    return fields;
  }
  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);
};

}  // namespace sluice
