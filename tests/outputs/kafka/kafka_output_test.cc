#include "outputs/kafka/kafka_output.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "batch_with_routes.h"
#include "pipeline/acknowledgement.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The output against librdkafka's in-process mock cluster, whose faults are
// exact: a Produce answer with a chosen error, a broker down.
class KafkaOutputTest : public testing::Test {
 protected:
  KafkaOutputTest() {
    std::array<char, 512> error{};
    // Only the mock cluster's owner: it connects nowhere, and need not say so.
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error.data(), error.size());
    helper_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error.data(), error.size());
    cluster_ = rd_kafka_mock_cluster_new(helper_, 1);
    std::string pattern = testing::TempDir() + "sluice-kafka-XXXXXX";
    dir_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
    id_ =
        std::string("kafka-test-") + testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  ~KafkaOutputTest() override {
    if (output_) output_->stop(Clock::now());
    output_.reset();
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(helper_);
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  void start(bool dead_letter = false) {
    KafkaConfig config;
    config.brokers = {rd_kafka_mock_cluster_bootstraps(cluster_)};
    std::string error;
    config.topic = TopicTemplate::parse("events", error).value();
    config.key_field.reset();
    config.linger = 5ms;
    if (dead_letter) config.dead_letter_path = dir_ + "/dead.ndjson";
    OutputSettings settings{id_, "kafka", nullptr};
    output_ = std::make_unique<KafkaOutput>(settings, config, BuildContext{});
    output_->start();
  }

  // A batch of `events` events, pushed to the output; acknowledged through
  // tracker_.
  void push(size_t events) {
    auto batch = batchWithRoutes(std::vector<std::vector<std::optional<std::string>>>(events));
    batch->setAcknowledgement(tracker_, tracker_->open());
    batch->setConsumers(1);
    ASSERT_TRUE(output_->push(batch));
  }

  bool allAcknowledged(std::chrono::milliseconds within = 20s) {
    return tracker_->waitForAll(Clock::now() + within);
  }

  uint64_t counter(const std::string& name, MetricLabels labels) {
    labels.emplace(labels.begin(), "output", id_);
    return metrics().counter(name, "", labels).value();
  }

  rd_kafka_t* helper_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string dir_;
  std::string id_;
  std::shared_ptr<AckTracker> tracker_ = std::make_shared<AckTracker>();
  std::unique_ptr<KafkaOutput> output_;
};

TEST_F(KafkaOutputTest, BatchesAreAcknowledgedOnceKafkaConfirmedEveryMessage) {
  start();
  for (int i = 0; i < 5; ++i) push(100);
  EXPECT_TRUE(allAcknowledged());
  EXPECT_EQ(counter("sluice_events_sent_total", {}), 500u);
  EXPECT_TRUE(output_->ready());
}

TEST_F(KafkaOutputTest, FatalErrorRecreatesTheProducerAndResendsWhatWasNotConfirmed) {
  start();
  push(10);
  ASSERT_TRUE(allAcknowledged());
  // A sequence desynchronization: librdkafka 2.0 makes it a fatal error of
  // the idempotent producer.
  rd_kafka_mock_push_request_errors(cluster_, 0 /* Produce */, 1,
                                    RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  push(10);
  push(10);
  EXPECT_TRUE(allAcknowledged());
  EXPECT_GE(counter("sluice_output_retries_total", {{"status", "fatal_error"}}), 1u);
  EXPECT_GE(counter("sluice_events_sent_total", {}), 30u);
  EXPECT_EQ(tracker_->outstanding(), 0u);
}

TEST_F(KafkaOutputTest, MessageTheBrokerRefusesIsDeadLetteredAndTheBatchAcknowledged) {
  start(true);
  push(1);
  ASSERT_TRUE(allAcknowledged());
  rd_kafka_mock_push_request_errors(cluster_, 0 /* Produce */, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  push(1);
  ASSERT_TRUE(allAcknowledged());
  push(1);
  EXPECT_TRUE(allAcknowledged());
  EXPECT_EQ(counter("sluice_events_sent_total", {}), 2u);
  EXPECT_EQ(counter("sluice_events_failed_total", {{"reason", "msg_size_too_large"}}), 1u);
  std::ifstream file(dir_ + "/dead.ndjson");
  std::string line;
  ASSERT_TRUE(std::getline(file, line));
  EXPECT_NE(line.find("\"reason\":\"msg_size_too_large\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"index\":\"events\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"event\":{\"n\":0}"), std::string::npos) << line;
  EXPECT_FALSE(std::getline(file, line)) << "one dead letter only";
}

TEST_F(KafkaOutputTest, WhatKafkaDidNotConfirmByTheDeadlineStaysUnacknowledged) {
  start();
  push(1);
  ASSERT_TRUE(allAcknowledged());
  rd_kafka_mock_broker_set_down(cluster_, 1);
  push(5);
  EXPECT_FALSE(allAcknowledged(500ms));
  const auto before = Clock::now();
  output_->stop(Clock::now() + 300ms);
  EXPECT_LT(Clock::now() - before, 3s) << "stop keeps to its deadline";
  EXPECT_EQ(tracker_->outstanding(), 1u);
  EXPECT_FALSE(output_->push(batchWithRoutes({{}})));
}

}  // namespace
}  // namespace sluice
