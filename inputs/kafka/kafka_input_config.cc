#include "inputs/kafka/kafka_input_config.h"

#include <algorithm>
#include <charconv>

#include "inputs/kafka/rdkafka_handles.h"

namespace sluice {
namespace {

// Properties sluice sets from its own keys or must control for its
// guarantees: overriding them through the passthrough would break
// at-least-once delivery or bypass validation.
struct ManagedProperty {
  std::string_view name;
  std::string_view instead;
};
constexpr ManagedProperty kManaged[] = {
    {"bootstrap.servers", "use \"brokers\""},
    {"metadata.broker.list", "use \"brokers\""},
    {"group.id", "use \"group_id\""},
    {"auto.offset.reset", "use \"start_at\""},
    {"enable.auto.offset.store", "offsets are stored only once outputs acknowledged them"},
    {"enable.auto.commit", "sluice commits stored offsets itself"},
    {"enable.partition.eof", "sluice consumes without end-of-partition events"},
};

bool validBroker(std::string_view broker) {
  if (size_t scheme = broker.find("://"); scheme != std::string_view::npos) {
    broker.remove_prefix(scheme + 3);
  }
  size_t colon = broker.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == broker.size()) return false;
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(broker.data() + colon + 1, broker.data() + broker.size(), port);
  return ec == std::errc() && ptr == broker.data() + broker.size() && port > 0 && port <= 65535;
}

bool validTopicName(std::string_view topic) {
  // Kafka's own rule (kafka.common.Topic): at most 249 of [a-zA-Z0-9._-].
  return !topic.empty() && topic.size() <= 249 && topic != "." && topic != ".." &&
         std::all_of(topic.begin(), topic.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
         });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

void parseBrokersAndTopics(YamlReader& r, KafkaInputConfig& config) {
  config.brokers = r.stringList("brokers");
  if (config.brokers.empty() && !r.has("brokers")) {
    r.errorHere("a kafka input needs at least one HOST:PORT in \"brokers\"");
  } else if (config.brokers.empty()) {
    r.error("brokers", "at least one HOST:PORT is required");
  }
  for (const std::string& b : config.brokers) {
    if (!validBroker(b)) r.error("brokers", "\"" + b + "\" is not HOST:PORT");
  }
  config.topics = r.stringList("topics");
  if (config.topics.empty() && !r.has("topics")) {
    r.errorHere("a kafka input needs at least one topic in \"topics\"");
  } else if (config.topics.empty()) {
    r.error("topics", "at least one topic is required");
  }
  for (const std::string& t : config.topics) {
    if (!t.empty() && t.front() == '^') continue;  // a pattern, compiled by librdkafka
    if (!validTopicName(t)) {
      r.error("topics", "\"" + t +
                            "\" is not a topic name (1-249 of letters, digits, '.', '_', '-'; "
                            "a pattern starts with '^')");
    }
  }
}

void parsePassthrough(YamlReader& r, KafkaInputConfig& config) {
  auto section = r.object("librdkafka");
  if (!section) return;
  RdKafkaConf scratch(rd_kafka_conf_new());
  for (const std::string& key : section->keys()) {
    std::string value = section->string(key, "");
    auto managed = std::find_if(std::begin(kManaged), std::end(kManaged),
                                [&](const ManagedProperty& m) { return m.name == key; });
    if (managed != std::end(kManaged)) {
      section->error(key, "is set by sluice (" + std::string(managed->instead) + ")");
      continue;
    }
    if (key == "partition.assignment.strategy" &&
        value.find("cooperative-sticky") != std::string::npos) {
      // librdkafka 2.0's incremental rebalancing loses assignments under
      // churn; sluice's revoke handling is written for eager assignors.
      section->error(key, "cooperative-sticky is not supported: use range or roundrobin");
      continue;
    }
    char errstr[512] = {};
    if (rd_kafka_conf_set(scratch.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      section->error(key, errstr);
      continue;
    }
    config.librdkafka.emplace_back(key, std::move(value));
  }
}

}  // namespace

std::unique_ptr<ComponentConfig> KafkaInputConfig::parse(YamlReader& r) {
  auto config = std::make_unique<KafkaInputConfig>();
  for (std::string_view key : {"parser", "multiline", "timezone", "fields"}) {
    if (r.has(key)) {
      r.error(key,
              "does not apply to a kafka input: its messages are events normalized at the edge");
    }
  }
  parseBrokersAndTopics(r, *config);
  if (auto group = r.requiredString("group_id")) {
    config->group_id = *group;
    if (config->group_id.empty()) r.error("group_id", "must not be empty");
  }
  config->start_at_end = r.oneOf("start_at", "beginning", {"beginning", "end"}) == "end";
  config->revoke_timeout = r.duration("revoke_timeout", config->revoke_timeout);
  if (config->revoke_timeout > std::chrono::minutes(5)) {
    r.error("revoke_timeout", "must be at most 5m (the group waits for this consumer meanwhile)");
  }
  parsePassthrough(r, *config);
  return config;
}

std::vector<KafkaInputConfig::Property> KafkaInputConfig::consumerProperties() const {
  std::vector<Property> properties = {
      {"bootstrap.servers", join(brokers)},
      {"group.id", group_id},
      {"client.id", "sluice"},
      {"auto.offset.reset", start_at_end ? "latest" : "earliest"},
      // At-least-once: an offset is stored once the outputs acknowledged
      // every message before it; the periodic commit sends stored ones only.
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "true"},
      // Eager: a revoke takes the whole assignment, which is what the
      // revoke handling (wait, commit, unassign) is written for.
      {"partition.assignment.strategy", "roundrobin"},
      // Messages prefetched while outputs are slow come on top of
      // pipeline.max_in_flight: keep the prefetch queue modest.
      {"queued.max.messages.kbytes", "16384"},
  };
  properties.insert(properties.end(), librdkafka.begin(), librdkafka.end());
  return properties;
}

}  // namespace sluice
