#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

namespace sluice {

// Owns an rd_kafka_conf_t until rd_kafka_new() takes it (release()).
class KafkaConf {
 public:
  KafkaConf() : conf_(rd_kafka_conf_new()) {}

  // False, with librdkafka's reason in `error`, when the property is unknown
  // or its value invalid: config validation calls it, so that a misspelt
  // property is an error with its file:line rather than a startup failure.
  bool set(const std::string& name, const std::string& value, std::string& error);

  rd_kafka_conf_t* get() const { return conf_.get(); }
  rd_kafka_conf_t* release() { return conf_.release(); }

 private:
  struct Deleter {
    void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  };
  std::unique_ptr<rd_kafka_conf_t, Deleter> conf_;
};

}  // namespace sluice
