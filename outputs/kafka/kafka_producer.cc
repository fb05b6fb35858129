#include "outputs/kafka/kafka_producer.h"

#include <array>
#include <stdexcept>

namespace sluice {
namespace {

// A topic per value of a field with many values would grow the cache
// without end; past this many, the handles are released and looked up again
// (librdkafka keeps its own references while messages need them).
constexpr size_t kMaxCachedTopics = 4096;

}  // namespace

KafkaProducer::KafkaProducer(KafkaConf conf) {
  std::array<char, 512> error{};
  rd_kafka_conf_t* raw = conf.get();
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, raw, error.data(), error.size());
  if (rk_ == nullptr) throw std::runtime_error(std::string("kafka: ") + error.data());
  conf.release();  // rd_kafka_new took it
}

KafkaProducer::~KafkaProducer() {
  releaseTopics();
  if (rk_ == nullptr) return;
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_destroy(rk_);
}

rd_kafka_topic_t* KafkaProducer::topic(std::string_view name) {
  if (auto it = topics_.find(name); it != topics_.end()) return it->second;
  if (topics_.size() >= kMaxCachedTopics) releaseTopics();
  std::string key(name);
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk_, key.c_str(), nullptr);
  if (handle != nullptr) topics_.emplace(std::move(key), handle);
  return handle;
}

void KafkaProducer::releaseTopics() {
  for (auto& [name, handle] : topics_) rd_kafka_topic_destroy(handle);
  topics_.clear();
}

}  // namespace sluice
