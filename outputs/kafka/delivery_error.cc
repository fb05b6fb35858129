#include "outputs/kafka/delivery_error.h"

namespace sluice {

DeliveryAction classifyDeliveryError(rd_kafka_resp_err_t error) {
  switch (error) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return DeliveryAction::kDelivered;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
      return DeliveryAction::kReject;
    default:
      // Anything unforeseen holds the event rather than drops it: the batch
      // waits (backpressure) and the error is logged.
      return DeliveryAction::kResend;
  }
}

std::string deliveryErrorReason(rd_kafka_resp_err_t error) {
  std::string reason = rd_kafka_err2name(error);
  while (!reason.empty() && reason.front() == '_') reason.erase(reason.begin());
  for (char& c : reason) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return reason.empty() ? "unknown" : reason;
}

}  // namespace sluice
