#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

namespace sluice {

// What the output does with a message Kafka did not take, from the error
// of produce() or of the delivery report.
enum class DeliveryAction {
  kDelivered,  // no error: Kafka has it (acks=all)
  // The message is not wrong, the producer or the cluster is: it is produced
  // again (after a pause, or by a new producer after a fatal error). The
  // idempotent producer already retried what is retriable, with
  // message.timeout.ms=0 forever, so what reaches us here is purging, a fatal
  // error or missing rights: never a reason to drop the event.
  kResend,
  // The message itself cannot be written (too large, an invalid topic, one
  // that does not exist): to the dead-letter destination.
  kReject,
};

DeliveryAction classifyDeliveryError(rd_kafka_resp_err_t error);

// The error as a metric label and dead-letter reason: librdkafka's name in
// lower case without its leading underscore ("msg_size_too_large").
std::string deliveryErrorReason(rd_kafka_resp_err_t error);

}  // namespace sluice
