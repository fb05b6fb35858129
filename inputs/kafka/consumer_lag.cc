#include "inputs/kafka/consumer_lag.h"

namespace sluice {
namespace {

constexpr std::string_view kHelp =
    "Messages of a partition this consumer owns that are not yet acknowledged by the outputs "
    "(high watermark minus the offset stored for commit)";

}  // namespace

Gauge& ConsumerLag::gauge(const std::string& topic, int32_t partition) {
  auto key = std::make_pair(topic, partition);
  if (auto it = series_.find(key); it != series_.end()) return *it->second;
  if (series_.size() >= kMaxSeries) {
    if (other_ == nullptr) {
      other_ =
          &metrics().gauge("sluice_kafka_consumer_lag", kHelp,
                           {{"input", input_id_}, {"topic", "_other"}, {"partition", "_other"}});
    }
    return *other_;
  }
  Gauge& g = metrics().gauge(
      "sluice_kafka_consumer_lag", kHelp,
      {{"input", input_id_}, {"topic", topic}, {"partition", std::to_string(partition)}});
  series_.emplace(std::move(key), &g);
  return g;
}

void ConsumerLag::update(const std::vector<Sample>& samples) {
  std::map<Gauge*, int64_t> values;
  for (auto& [key, g] : series_) values[g] = 0;
  if (other_ != nullptr) values[other_] = 0;
  for (const Sample& s : samples) values[&gauge(*s.topic, s.partition)] += s.lag;
  for (auto& [g, v] : values) g->set(v);
}

}  // namespace sluice
