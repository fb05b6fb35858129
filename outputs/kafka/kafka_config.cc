#include "outputs/kafka/kafka_config.h"

#include <algorithm>
#include <string_view>

#include "outputs/kafka/kafka_conf.h"

namespace sluice {
namespace {

// librdkafka properties a `librdkafka:` entry may not set: this output's
// guarantees rest on them, or it has a key of its own for them.
struct OwnedProperty {
  std::string_view name;
  std::string_view why;
};
constexpr OwnedProperty kOwnedProperties[] = {
    {"bootstrap.servers", "set by brokers"},
    {"metadata.broker.list", "set by brokers"},
    {"compression.codec", "set by compression"},
    {"compression.type", "set by compression"},
    {"linger.ms", "set by linger"},
    {"queue.buffering.max.ms", "set by linger"},
    {"batch.size", "set by batch.bytes"},
    {"batch.num.messages", "set by batch.events"},
    {"message.max.bytes", "set by message_max_bytes"},
    {"acks", "always all: an event is acknowledged once every in-sync replica has it"},
    {"request.required.acks",
     "always all: an event is acknowledged once every in-sync replica has it"},
    {"enable.idempotence", "always true: retries must not duplicate or reorder"},
    {"message.timeout.ms",
     "always 0 (never give up): backpressure holds events while Kafka is down"},
    {"delivery.timeout.ms",
     "always 0 (never give up): backpressure holds events while Kafka is down"},
    {"partitioner", "always murmur2_random, the Java client's: keys map to the same partitions"},
    {"transactional.id", "transactions are not used: the idempotent producer is enough"},
};

const OwnedProperty* ownedProperty(std::string_view name) {
  for (const OwnedProperty& p : kOwnedProperties) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool validFieldName(std::string_view field) {
  return !field.empty() && std::none_of(field.begin(), field.end(), [](char c) {
    return c == '{' || c == '}' || c == ' ' || c == '\t' || c == ',';
  });
}

void parseBrokers(YamlReader& r, KafkaConfig& c) {
  c.brokers = r.stringList("brokers");
  if (c.brokers.empty() && !r.has("brokers")) return;  // reported as missing below
  if (c.brokers.empty()) r.error("brokers", "needs at least one host:port");
  for (const std::string& b : c.brokers) {
    if (b.empty() || b.find_first_of(", \t") != std::string::npos) {
      r.error("brokers", "\"" + b + "\" is not a host:port (one broker per list entry)");
    }
  }
}

void parseBatch(YamlReader& r, KafkaConfig& c) {
  auto batch = r.object("batch");
  if (!batch) return;
  c.batch_bytes = batch->byteSize("bytes", c.batch_bytes);
  if (c.batch_bytes < 1 || c.batch_bytes > 2'147'483'647ULL) {
    batch->error("bytes", "must be between 1 byte and 2GiB");
  }
  c.batch_events = batch->integer("events", c.batch_events, 1, 1'000'000);
  batch->rejectUnknownKeys();
}

void parsePassthrough(YamlReader& r, KafkaConfig& c) {
  auto lib = r.object("librdkafka");
  if (!lib) return;
  for (const std::string& name : lib->keys()) {
    const std::string value = lib->string(name, "");
    if (const OwnedProperty* owned = ownedProperty(name)) {
      lib->error(name, std::string(owned->why));
      continue;
    }
    // Checked on a configuration of its own: the property alone, as
    // librdkafka sees it, so that the error names this key.
    KafkaConf conf;
    std::string error;
    if (!conf.set(name, value, error)) {
      lib->error(name, error);
      continue;
    }
    c.passthrough.emplace_back(name, value);
  }
}

}  // namespace

std::vector<KafkaProperty> KafkaConfig::properties() const {
  std::string servers;
  for (const std::string& b : brokers) servers += (servers.empty() ? "" : ",") + b;
  std::vector<KafkaProperty> p = {
      {"bootstrap.servers", servers},
      {"client.id", "sluice"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      // Never give up on a message: while Kafka is down the events wait in
      // librdkafka's queue, its limits stop the output from taking more,
      // the output's queue fills and the inputs pause. A finite timeout
      // would fail the messages, which the output could only produce again
      // (reordering them) or drop; with the idempotent producer an expired
      // in-flight message can also leave a sequence gap that librdkafka
      // 2.0 turns into a fatal error.
      {"message.timeout.ms", "0"},
      {"partitioner", "murmur2_random"},
      {"compression.codec", compression},
      {"linger.ms", std::to_string(linger.count())},
      // librdkafka caps a batch at message.max.bytes anyway; said here so
      // that the properties show what is used.
      {"batch.size", std::to_string(std::min(batch_bytes, message_max_bytes))},
      {"batch.num.messages", std::to_string(batch_events)},
      {"message.max.bytes", std::to_string(message_max_bytes)},
      // Messages reference the batches' memory (no copy), which the
      // pipeline's in-flight budget bounds; this bounds what a disk buffer's
      // batches may add while Kafka is down (librdkafka's default is 1GiB).
      {"queue.buffering.max.kbytes", "65536"},
      // Brokers close idle connections; librdkafka would log each one.
      {"log.connection.close", "false"},
  };
  p.insert(p.end(), passthrough.begin(), passthrough.end());
  return p;
}

std::unique_ptr<ComponentConfig> KafkaConfig::parse(YamlReader& r) {
  auto c = std::make_unique<KafkaConfig>();
  parseBrokers(r, *c);
  if (!r.has("brokers")) r.errorHere("a kafka output needs \"brokers\" (a list of host:port)");
  if (auto topic = r.requiredString("topic")) {
    std::string error;
    if (auto parsed = TopicTemplate::parse(*topic, error)) {
      c->topic = std::move(*parsed);
    } else {
      r.error("topic", error);
    }
  }
  const std::string key = r.string("key", *c->key_field);
  if (key == "none") {
    c->key_field.reset();
  } else if (!validFieldName(key)) {
    r.error("key", "expected a field name such as service.name, or none");
  } else {
    c->key_field = key;
  }
  c->compression =
      r.oneOf("compression", c->compression, {"zstd", "lz4", "snappy", "gzip", "none"});
  c->linger = r.duration("linger", c->linger);
  if (c->linger > std::chrono::milliseconds(900'000)) r.error("linger", "must be at most 15m");
  c->message_max_bytes = r.byteSize("message_max_bytes", c->message_max_bytes);
  if (c->message_max_bytes < 1000 || c->message_max_bytes > 1'000'000'000) {
    r.error("message_max_bytes", "must be between 1000 and 1000000000 bytes");
  }
  parseBatch(r, *c);
  if (r.has("acks")) {
    (void)r.string("acks", "");  // read, so that it is not also an unknown key
    r.error("acks", "is always all (the idempotent producer needs it)");
  }
  if (auto dead = r.object("dead_letter")) {
    dead->oneOf("type", "file", {"file"});
    if (auto path = dead->requiredString("path")) {
      if (path->empty() || path->front() != '/') {
        dead->error("path", "must be an absolute path");
      } else {
        c->dead_letter_path = *path;
      }
    }
    dead->rejectUnknownKeys();
  }
  c->buffer = BufferConfig::parse(r);
  parsePassthrough(r, *c);
  // This librdkafka build must take the values set from our own keys too
  // (a compression codec it was built without, for one).
  KafkaConf conf;
  for (const auto& [name, value] : c->properties()) {
    std::string error;
    if (!conf.set(name, value, error)) {
      r.error(name == "compression.codec" ? "compression" : "librdkafka", error);
    }
  }
  return c;
}

}  // namespace sluice
