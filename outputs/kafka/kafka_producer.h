#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "outputs/kafka/kafka_conf.h"

namespace sluice {

// Owns a librdkafka producer and the topic handles it was given, so that
// each message is produced without librdkafka looking its topic up by name.
class KafkaProducer {
 public:
  // Creates the producer (its threads start connecting); throws
  // std::runtime_error with librdkafka's reason.
  explicit KafkaProducer(KafkaConf conf);
  // Purges what was not delivered (no flush: the caller decides how long to
  // wait, with rd_kafka_flush) and destroys the producer, which joins its
  // threads: after this no message memory is referenced any more.
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  rd_kafka_t* get() const { return rk_; }
  // The handle of a topic, created on first use; null when librdkafka
  // refuses the name.
  rd_kafka_topic_t* topic(std::string_view name);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void releaseTopics();

  rd_kafka_t* rk_ = nullptr;
  std::unordered_map<std::string, rd_kafka_topic_t*, Hash, std::equal_to<>> topics_;
};

}  // namespace sluice
