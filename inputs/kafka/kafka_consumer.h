#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "inputs/kafka/kafka_input_config.h"
#include "inputs/kafka/partition_offsets.h"
#include "inputs/kafka/rdkafka_handles.h"
#include "pipeline/logger.h"
#include "pipeline/metrics.h"

namespace sluice {

// A group member of librdkafka's high-level consumer, the I/O half of the
// kafka input. Rebalances are not acted on inside librdkafka's callback: it
// records them and the input handles them after poll() returns, on its own
// thread, where it can wait for its outputs (see KafkaInput).
//
// Thread-safety: everything runs on the input's thread except
// storeOffsets(), which output threads call when batches are acknowledged.
class KafkaConsumer {
 public:
  struct Rebalance {
    enum class Kind { kAssign, kRevoke, kError } kind;
    RdKafkaPartitionList partitions;  // a copy; null for kError
    bool lost = false;  // revoked because the membership lapsed: committing would fail
    std::string error;
  };

  // Throws std::runtime_error when librdkafka refuses the configuration.
  KafkaConsumer(const std::string& input_id, const KafkaInputConfig& config);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  void subscribe(const std::vector<std::string>& topics);
  // The next message, or null once `timeout_ms` passed; also serves
  // librdkafka's callbacks (rebalances, errors) and keeps the membership
  // alive (max.poll.interval.ms). Messages with an error are returned too.
  RdKafkaMessage poll(int timeout_ms);
  std::optional<Rebalance> takeRebalance();

  void assign(const rd_kafka_topic_partition_list_t& partitions);
  void unassign();
  const rd_kafka_topic_partition_list_t* assignment() const { return assignment_.get(); }
  // Stops or restarts fetching the whole assignment; poll() goes on.
  void pause();
  void resume();

  // Any thread. Offsets of partitions no longer assigned are refused by
  // librdkafka (and ignored here).
  void storeOffsets(std::span<const PartitionOffsets::Stored> offsets);
  // Commits the stored offsets and waits for the answer, at most
  // kWaitForGroup; false on error or timeout (nothing stored is not an error).
  bool commitStored(const char* why);
  // High watermark librdkafka last saw for the partition, or -1.
  int64_t highWatermark(const std::string& topic, int32_t partition) const;
  // The assignment with each partition's fetch position (where fetching
  // resumes; negative when unknown), or null when nothing is assigned.
  RdKafkaPartitionList positions() const;

  // Leaves the group (revoking the assignment), waiting at most
  // kWaitForGroup. Once librdkafka has begun to leave, it cannot be stopped
  // short of session.timeout.ms (45 s by default) when the coordinator
  // is gone: so it begins only if the coordinator answered just before.
  // A member that does not leave is noticed by the group after
  // session.timeout.ms, like one that crashed.
  void close();

  static constexpr std::chrono::milliseconds kWaitForGroup{5'000};
  static constexpr std::chrono::milliseconds kProbeTimeout{2'000};

 private:
  static void onRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void onError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void onLog(const rd_kafka_t* rk, int level, const char* facility, const char* message);
  // Whether the group coordinator (or, with nothing assigned, any broker)
  // answers within kProbeTimeout.
  bool groupReachable();

  std::string input_id_;
  rd_kafka_t* handle_ = nullptr;
  RdKafkaPartitionList assignment_;
  std::deque<Rebalance> rebalances_;
  bool closing_ = false;
  bool paused_ = false;
  mutable std::mutex store_mutex_;  // storeOffsets() against close()
  bool closed_ = false;
  bool left_group_ = false;  // else destroy must not try to leave again
  std::mutex log_mutex_;
  LogRateLimiter error_log_;
  Counter& client_errors_;
  Counter& commit_errors_;
};

}  // namespace sluice
