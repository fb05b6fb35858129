#include "outputs/kafka/kafka_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/builtin_components.h"
#include "config/agent_config.h"

namespace sluice {
namespace {

// The output's keys go in `body`, one per line, from line 6 on.
std::string yaml(const std::string& body) {
  return "inputs:\n  - {id: app, type: stdin}\noutputs:\n  - id: bus\n    type: kafka\n" + body;
}

class KafkaConfigTest : public testing::Test {
 protected:
  KafkaConfigTest() { registerBuiltinComponents(registry_); }

  const KafkaConfig& parse(const std::string& text) {
    config_ = parseConfig(text, "test.yml", registry_);
    return static_cast<const KafkaConfig&>(*config_.outputs.at(0).config);
  }

  std::vector<ConfigError> errorsOf(const std::string& text) {
    try {
      parseConfig(text, "test.yml", registry_);
    } catch (const ConfigException& e) {
      formatted_ = e.errors().format();
      return e.errors().all();
    }
    ADD_FAILURE() << "expected errors for:\n" << text;
    return {};
  }

  // The one error about `key`, at `line` (and `column` when given).
  std::string errorFor(const std::string& text, const std::string& key, int line, int column = 0) {
    std::string found;
    int count = 0;
    for (const ConfigError& e : errorsOf(text)) {
      if (e.key != key) continue;
      ++count;
      found = e.message;
      EXPECT_EQ(e.line, line) << key << ": " << e.message;
      if (column > 0) {
        EXPECT_EQ(e.column, column) << key << ": " << e.message;
      }
    }
    EXPECT_EQ(count, 1) << "errors for " << key << " in:\n" << formatted_;
    return found;
  }

  static std::string property(const KafkaConfig& c, const std::string& name) {
    const std::vector<KafkaProperty> all = c.properties();
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& p) { return p.first == name; });
    return it == all.end() ? "<unset>" : it->second;
  }

  Registry registry_;
  AgentConfig config_;
  std::string formatted_;
};

constexpr char kMinimal[] =
    "    brokers: [\"k1:9092\", \"k2:9092\"]\n    topic: logs.{service.tier}\n";

TEST_F(KafkaConfigTest, DefaultsGiveAnIdempotentProducerThatNeverGivesUp) {
  const KafkaConfig& c = parse(yaml(kMinimal));
  EXPECT_EQ(c.brokers, (std::vector<std::string>{"k1:9092", "k2:9092"}));
  EXPECT_EQ(c.key_field, "log.file.path");
  EXPECT_EQ(property(c, "bootstrap.servers"), "k1:9092,k2:9092");
  EXPECT_EQ(property(c, "enable.idempotence"), "true");
  EXPECT_EQ(property(c, "acks"), "all");
  EXPECT_EQ(property(c, "message.timeout.ms"), "0");
  EXPECT_EQ(property(c, "partitioner"), "murmur2_random");
  EXPECT_EQ(property(c, "compression.codec"), "zstd");
  EXPECT_EQ(property(c, "linger.ms"), "50");
  EXPECT_EQ(property(c, "batch.size"), "1000000");
  EXPECT_EQ(property(c, "batch.num.messages"), "10000");
  EXPECT_EQ(property(c, "message.max.bytes"), "1000000");
  EXPECT_TRUE(c.dead_letter_path.empty());
  EXPECT_EQ(c.buffer.type, BufferConfig::Type::kMemory);
}

TEST_F(KafkaConfigTest, RouteFieldsAreTheTopicsAndTheKeys) {
  EXPECT_EQ(parse(yaml(kMinimal)).routeFields(),
            (std::vector<std::string>{"service.tier", "log.file.path"}));
  EXPECT_EQ(parse(yaml(std::string(kMinimal) + "    key: service.name\n")).routeFields(),
            (std::vector<std::string>{"service.tier", "service.name"}));
  const KafkaConfig& none = parse(yaml(std::string(kMinimal) + "    key: none\n"));
  EXPECT_FALSE(none.key_field.has_value());
  EXPECT_EQ(none.routeFields(), (std::vector<std::string>{"service.tier"}));
}

TEST_F(KafkaConfigTest, EveryKeyIsRead) {
  const KafkaConfig& c =
      parse(yaml(std::string(kMinimal) +
                 "    compression: lz4\n"
                 "    linger: 5ms\n"
                 "    batch: {bytes: 64KiB, events: 500}\n"
                 "    message_max_bytes: 2000000\n"
                 "    dead_letter: {type: file, path: /var/lib/sluice/dl.ndjson}\n"
                 "    buffer: {type: disk, path: /var/lib/sluice/buffer/bus}\n"
                 "    librdkafka:\n"
                 "      security.protocol: sasl_ssl\n"
                 "      sasl.mechanism: SCRAM-SHA-512\n"
                 "      queue.buffering.max.messages: 5000\n"));
  EXPECT_EQ(property(c, "compression.codec"), "lz4");
  EXPECT_EQ(property(c, "linger.ms"), "5");
  EXPECT_EQ(property(c, "batch.size"), "65536");
  EXPECT_EQ(property(c, "batch.num.messages"), "500");
  EXPECT_EQ(property(c, "message.max.bytes"), "2000000");
  EXPECT_EQ(property(c, "security.protocol"), "sasl_ssl");
  EXPECT_EQ(property(c, "sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(property(c, "queue.buffering.max.messages"), "5000");
  EXPECT_EQ(c.dead_letter_path, "/var/lib/sluice/dl.ndjson");
  EXPECT_EQ(c.buffer.type, BufferConfig::Type::kDisk);
  // Passthrough settings come last: they refine, never replace, ours.
  EXPECT_EQ(c.properties().back().first, "queue.buffering.max.messages");
}

TEST_F(KafkaConfigTest, UnknownLibrdkafkaPropertyIsAnErrorAtItsLine) {
  const std::string message =
      errorFor(yaml(std::string(kMinimal) + "    librdkafka:\n"
                                            "      security.protocol: ssl\n"
                                            "      sasl.mechanisms.typo: PLAIN\n"),
               "outputs[0].librdkafka.sasl.mechanisms.typo", 10, 29);
  EXPECT_NE(message.find("No such configuration property"), std::string::npos) << message;
}

TEST_F(KafkaConfigTest, InvalidLibrdkafkaValueIsAnError) {
  const std::string message = errorFor(
      yaml(std::string(kMinimal) + "    librdkafka: {security.protocol: carrier_pigeon}\n"),
      "outputs[0].librdkafka.security.protocol", 8);
  EXPECT_NE(message.find("security.protocol"), std::string::npos) << message;
}

TEST_F(KafkaConfigTest, PropertiesTheOutputOwnsCannotBeOverridden) {
  for (const char* name : {"acks", "enable.idempotence", "message.timeout.ms", "partitioner",
                           "bootstrap.servers", "linger.ms", "compression.codec", "batch.size"}) {
    const std::string message =
        errorFor(yaml(std::string(kMinimal) + "    librdkafka: {" + name + ": 1}\n"),
                 std::string("outputs[0].librdkafka.") + name, 8);
    EXPECT_FALSE(message.empty()) << name;
  }
  EXPECT_NE(errorFor(yaml(std::string(kMinimal) + "    acks: 1\n"), "outputs[0].acks", 8)
                .find("always all"),
            std::string::npos);
}

TEST_F(KafkaConfigTest, RequiredKeys) {
  errorFor(yaml("    topic: logs\n"), "outputs[0]", 4);
  errorFor(yaml("    brokers: [\"k:9092\"]\n"), "outputs[0]", 4);
  errorFor(yaml("    brokers: []\n    topic: logs\n"), "outputs[0].brokers", 6);
}

TEST_F(KafkaConfigTest, BadValuesAreErrorsOnTheirKeys) {
  const std::string base = kMinimal;
  EXPECT_NE(errorFor(yaml(base + "    compression: brotli\n"), "outputs[0].compression", 8)
                .find("not one of"),
            std::string::npos);
  errorFor(yaml(base + "    linger: 20m\n"), "outputs[0].linger", 8);
  errorFor(yaml(base + "    message_max_bytes: 10\n"), "outputs[0].message_max_bytes", 8);
  errorFor(yaml(base + "    batch: {events: 0}\n"), "outputs[0].batch.events", 8);
  errorFor(yaml(base + "    batch: {count: 5}\n"), "outputs[0].batch.count", 8);
  errorFor(yaml(base + "    key: \"{service.name}\"\n"), "outputs[0].key", 8);
  errorFor(yaml(base + "    dead_letter: {path: dl.ndjson}\n"), "outputs[0].dead_letter.path", 8);
  errorFor(yaml(base + "    dead_letter: {type: index}\n"), "outputs[0].dead_letter.type", 8);
  errorFor(yaml("    brokers: [\"k1:9092,k2:9092\"]\n    topic: logs\n"), "outputs[0].brokers", 6);
}

TEST_F(KafkaConfigTest, TopicErrors) {
  EXPECT_NE(errorFor(yaml("    brokers: [\"k:9092\"]\n    topic: logs-{+yyyy.MM.dd}\n"),
                     "outputs[0].topic", 7)
                .find("date"),
            std::string::npos);
  EXPECT_NE(errorFor(yaml("    brokers: [\"k:9092\"]\n    topic: \"logs/{service.tier}\"\n"),
                     "outputs[0].topic", 7)
                .find("'/'"),
            std::string::npos);
  EXPECT_NE(errorFor(yaml("    brokers: [\"k:9092\"]\n    topic: \"logs.{service.tier\"\n"),
                     "outputs[0].topic", 7)
                .find("unclosed"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice
