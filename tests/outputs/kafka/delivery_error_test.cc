#include "outputs/kafka/delivery_error.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(DeliveryErrorTest, NoErrorIsDelivered) {
  EXPECT_EQ(classifyDeliveryError(RD_KAFKA_RESP_ERR_NO_ERROR), DeliveryAction::kDelivered);
}

TEST(DeliveryErrorTest, ProblemsOfTheMessageItselfAreRejected) {
  for (rd_kafka_resp_err_t e :
       {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_POLICY_VIOLATION}) {
    EXPECT_EQ(classifyDeliveryError(e), DeliveryAction::kReject) << rd_kafka_err2name(e);
  }
}

TEST(DeliveryErrorTest, ProblemsOfTheProducerOrClusterAreSentAgain) {
  for (rd_kafka_resp_err_t e :
       {RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
        RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER}) {
    EXPECT_EQ(classifyDeliveryError(e), DeliveryAction::kResend) << rd_kafka_err2name(e);
  }
}

TEST(DeliveryErrorTest, ReasonsAreLowerCaseNames) {
  EXPECT_EQ(deliveryErrorReason(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE), "msg_size_too_large");
  EXPECT_EQ(deliveryErrorReason(RD_KAFKA_RESP_ERR__QUEUE_FULL), "queue_full");
  EXPECT_EQ(deliveryErrorReason(RD_KAFKA_RESP_ERR__FATAL), "fatal");
}

}  // namespace
}  // namespace sluice
