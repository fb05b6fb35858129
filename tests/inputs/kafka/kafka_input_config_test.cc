#include "inputs/kafka/kafka_input_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "agent/builtin_components.h"
#include "config/agent_config.h"

namespace sluice {
namespace {

std::string str(const ConfigError& e) {
  return std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.key + ": " + e.message;
}

class KafkaInputConfigTest : public testing::Test {
 protected:
  KafkaInputConfigTest() { registerBuiltinComponents(registry_); }

  // A config whose only input is `type: kafka` with `body` (indented four
  // spaces) as its keys; the input's keys start on line 4.
  static std::string withInput(std::string_view body) {
    return "inputs:\n  - id: edge\n    type: kafka\n" + std::string(body) +
           "outputs:\n  - {id: debug, type: stdout}\n";
  }

  const KafkaInputConfig& parse(std::string_view body) {
    config_ = parseConfig(withInput(body), "test.yml", registry_);
    return static_cast<const KafkaInputConfig&>(*config_.inputs.at(0).config);
  }

  std::vector<ConfigError> errorsOf(std::string_view body) {
    try {
      parseConfig(withInput(body), "test.yml", registry_);
    } catch (const ConfigException& e) {
      return e.errors().all();
    }
    ADD_FAILURE() << "expected errors for:\n" << body;
    return {};
  }

  static void expectError(const std::vector<ConfigError>& errors, std::string_view key, int line,
                          int column, std::string_view message_part) {
    auto it = std::find_if(errors.begin(), errors.end(),
                           [&](const ConfigError& e) { return e.key == key; });
    ASSERT_NE(it, errors.end()) << "no error for " << key;
    EXPECT_EQ(it->line, line) << str(*it);
    EXPECT_EQ(it->column, column) << str(*it);
    EXPECT_NE(it->message.find(message_part), std::string::npos) << str(*it);
  }

  static std::string property(const KafkaInputConfig& config, std::string_view key) {
    std::string value = "<unset>";
    // The last one wins, as in librdkafka.
    for (const auto& [k, v] : config.consumerProperties()) {
      if (k == key) value = v;
    }
    return value;
  }

  Registry registry_;
  AgentConfig config_;
};

constexpr std::string_view kMinimal =
    "    brokers: [\"kafka-1:9092\", \"kafka-2:9092\"]\n"
    "    topics: [logs.gateway, logs.ai-ml]\n"
    "    group_id: sluice-aggregators\n";

TEST_F(KafkaInputConfigTest, MinimalConfigAndDefaults) {
  const KafkaInputConfig& c = parse(kMinimal);
  EXPECT_EQ(c.brokers, (std::vector<std::string>{"kafka-1:9092", "kafka-2:9092"}));
  EXPECT_EQ(c.topics, (std::vector<std::string>{"logs.gateway", "logs.ai-ml"}));
  EXPECT_EQ(c.group_id, "sluice-aggregators");
  EXPECT_FALSE(c.start_at_end);
  EXPECT_EQ(c.revoke_timeout, std::chrono::seconds(10));
  EXPECT_TRUE(c.librdkafka.empty());
}

TEST_F(KafkaInputConfigTest, ConsumerPropertiesGuardAtLeastOnce) {
  const KafkaInputConfig& c = parse(kMinimal);
  EXPECT_EQ(property(c, "bootstrap.servers"), "kafka-1:9092,kafka-2:9092");
  EXPECT_EQ(property(c, "group.id"), "sluice-aggregators");
  EXPECT_EQ(property(c, "enable.auto.offset.store"), "false");
  EXPECT_EQ(property(c, "enable.auto.commit"), "true");
  EXPECT_EQ(property(c, "auto.offset.reset"), "earliest");
  EXPECT_EQ(property(c, "partition.assignment.strategy"), "roundrobin");
}

TEST_F(KafkaInputConfigTest, StartAtEndAndRevokeTimeout) {
  const KafkaInputConfig& c = parse(std::string(kMinimal) +
                                    "    start_at: end\n"
                                    "    revoke_timeout: 2500ms\n");
  EXPECT_TRUE(c.start_at_end);
  EXPECT_EQ(property(c, "auto.offset.reset"), "latest");
  EXPECT_EQ(c.revoke_timeout, std::chrono::milliseconds(2500));
}

TEST_F(KafkaInputConfigTest, PassthroughIsValidatedAndApplied) {
  const KafkaInputConfig& c = parse(std::string(kMinimal) +
                                    "    librdkafka:\n"
                                    "      session.timeout.ms: 6000\n"
                                    "      fetch.max.bytes: \"1048576\"\n"
                                    "      partition.assignment.strategy: range\n"
                                    "      client.id: aggregator-7\n");
  ASSERT_EQ(c.librdkafka.size(), 4u);
  EXPECT_EQ(property(c, "session.timeout.ms"), "6000");
  EXPECT_EQ(property(c, "fetch.max.bytes"), "1048576");
  EXPECT_EQ(property(c, "partition.assignment.strategy"), "range");
  EXPECT_EQ(property(c, "client.id"), "aggregator-7");
}

TEST_F(KafkaInputConfigTest, PassthroughErrorsNameTheProperty) {
  auto errors = errorsOf(std::string(kMinimal) +
                         "    librdkafka:\n"
                         "      no.such.property: 1\n"
                         "      session.timeout.ms: soon\n"
                         "      enable.auto.commit: false\n"
                         "      group.id: other\n"
                         "      partition.assignment.strategy: cooperative-sticky\n");
  expectError(errors, "inputs[0].librdkafka.no.such.property", 8, 25,
              "No such configuration property");
  expectError(errors, "inputs[0].librdkafka.session.timeout.ms", 9, 27, "session.timeout.ms");
  expectError(errors, "inputs[0].librdkafka.enable.auto.commit", 10, 27, "set by sluice");
  expectError(errors, "inputs[0].librdkafka.group.id", 11, 17, "group_id");
  expectError(errors, "inputs[0].librdkafka.partition.assignment.strategy", 12, 38,
              "cooperative-sticky");
  EXPECT_EQ(errors.size(), 5u);
}

TEST_F(KafkaInputConfigTest, RequiredKeys) {
  auto errors = errorsOf("");
  for (std::string_view key : {"\"brokers\"", "\"topics\"", "\"group_id\""}) {
    auto it = std::find_if(errors.begin(), errors.end(), [&](const ConfigError& e) {
      return e.message.find(key) != std::string::npos;
    });
    ASSERT_NE(it, errors.end()) << "no error names " << key;
    EXPECT_EQ(it->key, "inputs[0]") << str(*it);
    EXPECT_EQ(it->line, 2) << str(*it);
  }
}

TEST_F(KafkaInputConfigTest, BadValues) {
  auto errors = errorsOf(
      "    brokers: [\"kafka-1\", \"kafka-2:99999\"]\n"
      "    topics: [\"logs gateway\", \"^logs\\\\..*\"]\n"
      "    group_id: g\n"
      "    start_at: middle\n"
      "    revoke_timeout: 10m\n");
  auto count = [&](std::string_view key) {
    return std::count_if(errors.begin(), errors.end(),
                         [&](const ConfigError& e) { return e.key == key; });
  };
  EXPECT_EQ(count("inputs[0].brokers"), 2);
  // "^..." is a pattern librdkafka compiles: only the name with a space is refused.
  EXPECT_EQ(count("inputs[0].topics"), 1);
  expectError(errors, "inputs[0].start_at", 7, 15, "middle");
  expectError(errors, "inputs[0].revoke_timeout", 8, 21, "at most 5m");
}

TEST_F(KafkaInputConfigTest, LineShapingKeysDoNotApply) {
  auto errors = errorsOf(std::string(kMinimal) +
                         "    parser: json\n"
                         "    fields: {service.tier: gateway}\n");
  expectError(errors, "inputs[0].parser", 7, 13, "does not apply to a kafka input");
  expectError(errors, "inputs[0].fields", 8, 13, "does not apply to a kafka input");
}

TEST_F(KafkaInputConfigTest, UnknownKeyIsAnError) {
  auto errors = errorsOf(std::string(kMinimal) + "    group: x\n");
  expectError(errors, "inputs[0].group", 7, 5, "unknown key");
}

}  // namespace
}  // namespace sluice
