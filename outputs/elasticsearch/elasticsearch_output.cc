#include "outputs/elasticsearch/elasticsearch_output.h"

#include <cmath>
#include <random>

#include "outputs/elasticsearch/bulk_encoder.h"
#include "outputs/elasticsearch/dead_letter_index.h"
#include "outputs/queue/disk_queue.h"
#include "outputs/queue/memory_queue.h"

namespace sluice {
namespace {

using Clock = std::chrono::steady_clock;

std::string snippet(std::string_view body) { return std::string(body.substr(0, 300)); }

}  // namespace

ElasticsearchOutput::ElasticsearchOutput(const OutputSettings& settings,
                                         const ElasticsearchConfig& config,
                                         const BuildContext& context)
    : id_(settings.id),
      config_(config),
      hosts_(config.hosts, settings.id),
      sent_(metrics().counter("sluice_events_sent_total", "Events an output delivered",
                              {{"output", settings.id}})),
      requests_(metrics().counter("sluice_output_requests_total", "Requests an output sent",
                                  {{"output", settings.id}})),
      request_duration_(metrics().histogram("sluice_output_request_duration_seconds",
                                            "Duration of an output's requests",
                                            {{"output", settings.id}})) {
  HttpClientOptions options;
  options.timeout = config_.request_timeout;
  options.username = config_.username;
  options.password = config_.password;
  if (!config_.api_key.empty())
    options.headers.push_back("Authorization: ApiKey " + config_.api_key);
  if (!config_.bearer.empty()) options.headers.push_back("Authorization: Bearer " + config_.bearer);
  const ElasticsearchTls& tls = config_.tls;
  options.tls = {tls.ca, tls.cert, tls.key, tls.key_password, tls.server_name, tls.verify};
  options.owner = id_;
  if (!tls.verify) {
    logWarn("elasticsearch",
            "TLS verification is off: any server, or anyone in between, can receive the events",
            {{"output", id_}});
  }
  if (!config_.dead_letter_path.empty()) {
    dead_letter_ = std::make_unique<DeadLetterFile>(config_.dead_letter_path);
  } else if (config_.dead_letter_index) {
    dead_letter_ = std::make_unique<DeadLetterIndex>(options, hosts_, id_);
  }
  if (config_.setup.enabled) {
    setup_ = std::make_unique<IndexSetup>(id_, config_.setup, context.pipeline.schema);
  } else if (!config_.setup.disabled_reason.empty()) {
    logWarn("elasticsearch", "setup is off: no index template or lifecycle policy installed",
            {{"output", id_}, {"reason", config_.setup.disabled_reason}});
  }
  if (config_.buffer.type == BufferConfig::Type::kDisk) {
    queue_ = std::make_unique<DiskQueue>(config_.buffer, id_);
  } else {
    queue_ = std::make_unique<MemoryQueue>(config_.queue_batches);
  }
  for (int i = 0; i < config_.workers; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->client = std::make_unique<HttpClient>(options);
    worker->index = config_.index_template;
    worker->index.bind(context.route_fields);
    if (config_.dead_letter_index) {
      worker->dead_letter_index = *config_.dead_letter_index;
      worker->dead_letter_index->bind(context.route_fields);
    }
    worker->body.reserve(config_.flush_bytes + config_.flush_bytes / 4);
    if (config_.gzip_level > 0) worker->gzip = std::make_unique<GzipEncoder>(config_.gzip_level);
    workers_.push_back(std::move(worker));
  }
}

ElasticsearchOutput::~ElasticsearchOutput() { stop(Clock::now()); }

void ElasticsearchOutput::start() {
  queue_->start();
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    threads_.emplace_back([this, w] { runWorker(*w); });
  }
}

void ElasticsearchOutput::stop(Deadline deadline) {
  if (queue_->durable()) {
    // Everything the inputs handed over goes to disk, and what the senders
    // hold is on disk already: nothing is gained by retrying until the
    // deadline, the next start sends it.
    queue_->abandon();
    deadline = std::min(deadline, Clock::now());
  }
  {
    std::lock_guard lock(stop_mutex_);
    if (!stopping_ || deadline < deadline_) deadline_ = deadline;
    stopping_ = true;
  }
  stop_signal_.notify_all();
  queue_->close();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  queue_->abandon();
}

void ElasticsearchOutput::markReachable(const std::string& host) {
  if (!ready_.exchange(true))
    logInfo("elasticsearch", "connected", {{"output", id_}, {"host", host}});
}

void ElasticsearchOutput::probe(Worker& worker) {
  const std::string host = hosts_.pick();
  HttpResponse r = worker.client->get(host + "/");
  if (r.status == 200) {
    hosts_.succeeded(host);
    markReachable(host);
  } else {
    hosts_.failed(host, r.status == 0 ? r.error : "HTTP " + std::to_string(r.status));
  }
}

std::vector<OutputQueue::Taken> ElasticsearchOutput::collect(Worker& worker) {
  std::vector<OutputQueue::Taken> taken;
  std::optional<OutputQueue::Taken> first;
  while (!(first = queue_->take(Clock::now() + std::chrono::seconds(5)))) {
    if (queue_->closed()) return taken;
    if (!ready_.load()) probe(worker);
    ensureSetup(worker);
  }
  size_t events = first->batch->size();
  size_t bytes = first->batch->bytes();
  taken.push_back(std::move(*first));
  auto flush_at = Clock::now() + config_.flush_interval;
  while (events < config_.flush_events && bytes < config_.flush_bytes) {
    auto next = queue_->take(flush_at);
    if (!next) break;
    events += next->batch->size();
    bytes += next->batch->bytes();
    taken.push_back(std::move(*next));
  }
  return taken;
}

void ElasticsearchOutput::runWorker(Worker& worker) {
  // At start, and while idle below, not only before a bulk request: a quiet
  // output's template and policy are in place too.
  ensureSetup(worker);
  for (;;) {
    std::vector<OutputQueue::Taken> taken = collect(worker);
    if (taken.empty()) return;
    std::vector<BatchPtr> batches;
    for (const OutputQueue::Taken& t : taken) batches.push_back(t.batch);
    std::vector<ItemRef> items;
    for (uint32_t b = 0; b < batches.size(); ++b) {
      for (uint32_t e = 0; e < batches[b]->size(); ++e) items.push_back({b, e});
    }
    if (!sendItems(worker, batches, std::move(items))) {
      // Shutdown came first: these batches stay unacknowledged and are read
      // again after a restart (from the inputs, or from the disk buffer).
      size_t left = 0;
      for (const BatchPtr& b : batches) left += b->size();
      if (queue_->durable()) {
        logInfo("elasticsearch", "stopping: events not yet delivered stay in the disk buffer",
                {{"output", id_}, {"events", static_cast<int64_t>(left)}});
      } else {
        logError("elasticsearch", "shutdown deadline reached with events not delivered",
                 {{"output", id_}, {"events", static_cast<int64_t>(left)}});
      }
      queue_->abandon();
      return;
    }
    for (const OutputQueue::Taken& t : taken) queue_->delivered(t);
  }
}

bool ElasticsearchOutput::waitBeforeRetry(int attempt) {
  // Exponential backoff with full jitter in its upper half, so that many
  // agents do not retry in step.
  thread_local std::mt19937_64 random{std::random_device{}()};
  double base =
      static_cast<double>(config_.retry_initial.count()) * std::pow(2.0, std::min(attempt, 20));
  double capped = std::min(base, static_cast<double>(config_.retry_max.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  auto delay = std::chrono::milliseconds(static_cast<int64_t>(capped * jitter(random)));
  std::unique_lock lock(stop_mutex_);
  auto wake = Clock::now() + delay;
  stop_signal_.wait_until(lock, std::min(wake, deadline_),
                          [&] { return Clock::now() >= deadline_; });
  return Clock::now() < deadline_;
}

bool ElasticsearchOutput::reject(const BulkItemResult& item, Worker& worker, const Batch& batch,
                                 size_t event, bool& written) {
  std::string reason =
      item.error_type.empty() ? "status_" + std::to_string(item.status) : item.error_type;
  metrics()
      .counter("sluice_events_failed_total", "Events an output could not deliver, by reason",
               {{"output", id_}, {"reason", reason}})
      .add();
  std::string id;
  batch.events[event].id.appendTo(id);
  {
    std::lock_guard lock(log_mutex_);
    uint64_t suppressed = 0;
    if (reject_log_.allow(suppressed)) {
      logError("elasticsearch",
               dead_letter_ ? "event rejected by Elasticsearch: sent to " + dead_letter_->describe()
                            : std::string("event rejected by Elasticsearch"),
               {{"output", id_},
                {"status", item.status},
                {"reason", reason},
                {"detail", item.error_reason},
                {"event_id", id},
                {"suppressed", static_cast<int64_t>(suppressed)}});
    }
  }
  if (!dead_letter_) return true;
  std::string index;
  worker.index.render(index, batch, event);
  std::string destination;
  if (worker.dead_letter_index) worker.dead_letter_index->render(destination, batch, event);
  const DeadLetterSink::Record record{id_,
                                      index,
                                      item.status,
                                      reason,
                                      item.error_reason,
                                      id,
                                      batch.document(batch.events[event]),
                                      destination};
  // A dead-letter file that cannot be written (disk full) holds the batch, as
  // an unreachable Elasticsearch does: the event is retried, never dropped.
  std::string error;
  for (int attempt = 0; !dead_letter_->write(record, error); ++attempt) {
    deadLetterTrouble("cannot write the dead-letter file: holding the batch", error);
    if (!waitBeforeRetry(attempt)) return false;
  }
  written = true;
  return true;
}

void ElasticsearchOutput::deadLetterTrouble(const char* message, const std::string& error) {
  metrics()
      .counter("sluice_dead_letter_errors_total",
               "Failed writes or syncs of an output's dead-letter file (each is retried)",
               {{"output", id_}})
      .add();
  std::lock_guard lock(log_mutex_);
  uint64_t suppressed = 0;
  if (dead_letter_log_.allow(suppressed)) {
    logError("elasticsearch", message,
             {{"output", id_}, {"error", error}, {"suppressed", static_cast<int64_t>(suppressed)}});
  }
}

bool ElasticsearchOutput::syncDeadLetters() {
  std::string error;
  for (int attempt = 0; !dead_letter_->sync(error); ++attempt) {
    deadLetterTrouble("cannot sync the dead-letter file: holding the batch", error);
    if (!waitBeforeRetry(attempt)) return false;
  }
  return true;
}

bool ElasticsearchOutput::ensureSetup(Worker& worker) {
  if (!setup_ || setup_finished_.load(std::memory_order_acquire)) return true;
  // The other workers do not block on the lock: they wait as for a retry,
  // which a shutdown interrupts.
  std::unique_lock lock(setup_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  if (setup_finished_.load(std::memory_order_acquire)) return true;
  const std::string host = hosts_.pick();
  if (setup_->run(setupSendOver(*worker.client, host)) == SetupResult::kRetry) {
    hosts_.failed(host, "setup could not complete");
    return false;
  }
  setup_finished_.store(true, std::memory_order_release);
  return true;
}

bool ElasticsearchOutput::sendItems(Worker& worker, const std::vector<BatchPtr>& batches,
                                    std::vector<ItemRef> items) {
  // Without the template in place Elasticsearch would create the first
  // indices with dynamic mappings: no bulk request before setup is done.
  for (int attempt = 0; !ensureSetup(worker); ++attempt) {
    if (!waitBeforeRetry(attempt)) return false;
  }
  int attempt = 0;
  const auto started_at = Clock::now();
  while (!items.empty()) {
    {
      std::lock_guard lock(stop_mutex_);
      if (Clock::now() >= deadline_) return false;
    }
    worker.body.clear();
    for (const ItemRef& it : items)
      appendBulkItem(worker.body, worker.index, *batches[it.batch], it.event,
                     config_.deterministic_ids);
    const std::string host = hosts_.pick();
    auto started = Clock::now();
    // Compressed when configured; a body zlib cannot compress goes as it is.
    const bool gzipped = worker.gzip && worker.gzip->compress(worker.body, worker.compressed);
    HttpResponse r =
        gzipped ? worker.client->post(host + "/_bulk", worker.compressed, "application/x-ndjson",
                                      "gzip")
                : worker.client->post(host + "/_bulk", worker.body, "application/x-ndjson");
    request_duration_.observe(std::chrono::duration<double>(Clock::now() - started).count());
    requests_.add();

    std::string problem;
    if (r.status == 200) {
      hosts_.succeeded(host);
      markReachable(host);
      auto parsed = parseBulkResponse(r.body, items.size(), problem);
      if (parsed && !parsed->errors) {
        sent_.add(items.size());
        return true;
      }
      if (parsed) {
        std::vector<ItemRef> again;
        uint64_t delivered = 0;
        int retry_status = 0;
        bool rejected = false;
        // retry.max_elapsed: an event Elasticsearch keeps refusing for now
        // (while it answers the rest) becomes a dead letter in the end.
        const bool retries_exhausted = config_.retry_max_elapsed.count() > 0 &&
                                       Clock::now() - started_at >= config_.retry_max_elapsed;
        for (size_t i = 0; i < items.size(); ++i) {
          const BulkItemResult& item = parsed->items[i];
          switch (classifyItem(item.status)) {
            case ItemOutcome::kDelivered:
              ++delivered;
              break;
            case ItemOutcome::kRetry:
              if (retries_exhausted) {
                const BulkItemResult timed_out{item.status, "retries_exhausted",
                                               "still refused after retry.max_elapsed: " +
                                                   item.error_type + ": " + item.error_reason};
                if (!reject(timed_out, worker, *batches[items[i].batch], items[i].event,
                            rejected)) {
                  return false;
                }
                break;
              }
              again.push_back(items[i]);
              retry_status = item.status;
              break;
            case ItemOutcome::kReject:
              if (!reject(item, worker, *batches[items[i].batch], items[i].event, rejected)) {
                return false;  // shutdown came while the dead-letter file failed
              }
              break;
          }
        }
        if (rejected && !syncDeadLetters()) return false;
        sent_.add(delivered);
        if (again.empty()) return true;
        metrics()
            .counter("sluice_output_retries_total", "Events or requests an output sent again",
                     {{"output", id_}, {"status", std::to_string(retry_status)}})
            .add(again.size());
        problem = std::to_string(again.size()) + " of " + std::to_string(items.size()) +
                  " events were refused for now (429/5xx)";
        items = std::move(again);
      }
    } else if (r.status == 413 && items.size() > 1) {
      // Too large for http.max_content_length: halve until it fits.
      std::vector<ItemRef> second(items.begin() + static_cast<ptrdiff_t>(items.size() / 2),
                                  items.end());
      items.resize(items.size() / 2);
      return sendItems(worker, batches, std::move(items)) &&
             sendItems(worker, batches, std::move(second));
    } else if (r.status == 413) {
      bool written = false;
      if (!reject(BulkItemResult{413, "request_too_large",
                                 "a single event is larger than http.max_content_length"},
                  worker, *batches[items[0].batch], items[0].event, written)) {
        return false;
      }
      return !written || syncDeadLetters();
    } else {
      std::string status = r.status == 0 ? "transport" : std::to_string(r.status);
      metrics()
          .counter("sluice_output_retries_total", "Events or requests an output sent again",
                   {{"output", id_}, {"status", status}})
          .add();
      problem = r.status == 0 ? r.error : "HTTP " + status + ": " + snippet(r.body);
      if (r.status == 0) ready_.store(false);
      if (r.status == 0 || r.status >= 500) hosts_.failed(host, problem);
    }
    {
      std::lock_guard lock(log_mutex_);
      uint64_t suppressed = 0;
      if (retry_log_.allow(suppressed)) {
        bool operator_needed = r.status == 401 || r.status == 403;
        logMessage(operator_needed ? LogLevel::kError : LogLevel::kWarn, "elasticsearch",
                   "bulk request failed, retrying",
                   {{"output", id_},
                    {"host", host},
                    {"error", problem},
                    {"attempt", attempt + 1},
                    {"events", static_cast<int64_t>(items.size())},
                    {"suppressed", static_cast<int64_t>(suppressed)}});
      }
    }
    if (!waitBeforeRetry(attempt++)) return false;
  }
  return true;
}

}  // namespace sluice
