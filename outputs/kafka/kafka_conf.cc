#include "outputs/kafka/kafka_conf.h"

#include <array>

namespace sluice {

bool KafkaConf::set(const std::string& name, const std::string& value, std::string& error) {
  std::array<char, 512> reason{};
  if (rd_kafka_conf_set(conf_.get(), name.c_str(), value.c_str(), reason.data(), reason.size()) ==
      RD_KAFKA_CONF_OK) {
    return true;
  }
  error = reason.data();
  return false;
}

}  // namespace sluice
