#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/metrics.h"

namespace sluice {

// sluice_kafka_consumer_lag{input,topic,partition}: messages of each
// partition this consumer owns that the outputs have not acknowledged yet.
// Cardinality is bounded: past kMaxSeries partitions (over the process's
// life) the rest are summed into one series labelled "_other".
class ConsumerLag {
 public:
  static constexpr size_t kMaxSeries = 256;

  struct Sample {
    const std::string* topic;
    int32_t partition;
    int64_t lag;
  };

  explicit ConsumerLag(std::string input_id) : input_id_(std::move(input_id)) {}

  // The lag of every partition owned now; series of partitions not in
  // `samples` (revoked, or lag unknown) drop to 0.
  void update(const std::vector<Sample>& samples);

 private:
  Gauge& gauge(const std::string& topic, int32_t partition);

  std::string input_id_;
  std::map<std::pair<std::string, int32_t>, Gauge*> series_;
  Gauge* other_ = nullptr;
};

}  // namespace sluice
