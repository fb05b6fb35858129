#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "outputs/dead_letter_file.h"
#include "outputs/elasticsearch/bulk_response.h"
#include "outputs/elasticsearch/elasticsearch_config.h"
#include "outputs/elasticsearch/gzip_encoder.h"
#include "outputs/elasticsearch/host_pool.h"
#include "outputs/elasticsearch/http_client.h"
#include "outputs/elasticsearch/setup.h"
#include "outputs/queue/output_queue.h"
#include "pipeline/component.h"
#include "pipeline/logger.h"
#include "pipeline/metrics.h"

namespace sluice {

// Bulk-indexes batches into Elasticsearch (or OpenSearch). Each worker
// thread gathers batches up to the flush limits, sends one _bulk request and
// reads every item of the answer: items that failed with 429/5xx are sent
// again with backoff, rejected ones are counted by reason; a batch is
// completed only once each of its events is settled.
class ElasticsearchOutput : public Output {
 public:
  ElasticsearchOutput(const OutputSettings& settings, const ElasticsearchConfig& config,
                      const BuildContext& context);
  ~ElasticsearchOutput() override;

  const std::string& id() const override { return id_; }
  void start() override;
  bool push(BatchPtr batch) override { return queue_->push(std::move(batch)); }
  void stop(Deadline deadline) override;
  bool ready() const override { return ready_.load(); }

 private:
  struct ItemRef {
    uint32_t batch;
    uint32_t event;
  };
  struct Worker {
    std::unique_ptr<HttpClient> client;
    IndexTemplate index;  // each worker its own: the template caches dates
    std::optional<IndexTemplate> dead_letter_index;
    std::string body;
    std::unique_ptr<GzipEncoder> gzip;  // with compression: gzip
    std::string compressed;
  };

  void runWorker(Worker& worker);
  std::vector<OutputQueue::Taken> collect(Worker& worker);
  // False when shutdown's deadline came before every item was settled.
  bool sendItems(Worker& worker, const std::vector<BatchPtr>& batches, std::vector<ItemRef> items);
  bool waitBeforeRetry(int attempt);
  void probe(Worker& worker);
  // /ready turns 200; logged once per change.
  void markReachable(const std::string& host);
  // Settles an event Elasticsearch refused for good: counted, logged, and
  // written to the dead-letter file when there is one (`written`). False when
  // the shutdown deadline came while the file could not be written.
  bool reject(const BulkItemResult& item, Worker& worker, const Batch& batch, size_t event,
              bool& written);
  // Makes dead letters durable before their batch is acknowledged; false at
  // the shutdown deadline.
  bool syncDeadLetters();
  void deadLetterTrouble(const char* message, const std::string& error);
  // Runs setup (index template, lifecycle policy) before the first bulk
  // request; false while it has not completed (unreachable, or another
  // worker is running it): the caller waits as for a retry.
  bool ensureSetup(Worker& worker);

  std::string id_;
  ElasticsearchConfig config_;
  std::unique_ptr<OutputQueue> queue_;  // in memory, or a disk buffer
  std::vector<std::unique_ptr<Worker>> workers_;
  HostPool hosts_;
  std::unique_ptr<DeadLetterSink> dead_letter_;  // null: refused events are counted, logged
  std::vector<std::thread> threads_;
  std::atomic<bool> ready_{false};

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  Deadline deadline_ = Deadline::max();

  std::unique_ptr<IndexSetup> setup_;  // null: setup is off
  std::mutex setup_mutex_;
  std::atomic<bool> setup_finished_{false};

  std::mutex log_mutex_;
  LogRateLimiter retry_log_;
  LogRateLimiter reject_log_;
  LogRateLimiter dead_letter_log_;
  Counter& sent_;
  Counter& requests_;
  Histogram& request_duration_;
};

}  // namespace sluice
