#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_reader.h"
#include "pipeline/registry.h"

namespace sluice {

// `type: kafka` input: the aggregator's side of edge -> Kafka -> aggregators.
// Messages carry events the edge already normalized, so the keys that shape
// lines into events (parser, multiline, timezone, fields) do not apply.
struct KafkaInputConfig : ComponentConfig {
  using Property = std::pair<std::string, std::string>;

  std::vector<std::string> brokers;  // host:port
  std::vector<std::string> topics;   // names, or librdkafka regexes starting with '^'
  std::string group_id;
  bool start_at_end = false;  // where a group without committed offsets starts
  // How long a consumer losing partitions in a rebalance waits for the
  // outputs to acknowledge what it read from them, so it can commit that.
  std::chrono::milliseconds revoke_timeout{10'000};
  // `librdkafka:` passthrough, checked with librdkafka itself at load time.
  std::vector<Property> librdkafka;

  static std::unique_ptr<ComponentConfig> parse(YamlReader& r);

  // Every property the consumer is created with: sluice's own settings
  // first, then the passthrough (which may override the tunable ones).
  std::vector<Property> consumerProperties() const;
};

}  // namespace sluice
