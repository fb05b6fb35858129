#include "outputs/elasticsearch/elasticsearch_output.h"

#include <cmath>
#include <random>

#include "outputs/elasticsearch/bulk_encoder.h"

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
      queue_(config.queue_batches),
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
  if (!config_.dead_letter_path.empty()) {
    dead_letter_ = std::make_unique<DeadLetterFile>(config_.dead_letter_path);
  }
  for (int i = 0; i < config_.workers; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->client = std::make_unique<HttpClient>(options);
    worker->index = config_.index_template;
    worker->index.bind(context.route_fields);
    worker->body.reserve(config_.flush_bytes + config_.flush_bytes / 4);
    if (config_.gzip_level > 0) worker->gzip = std::make_unique<GzipEncoder>(config_.gzip_level);
    workers_.push_back(std::move(worker));
  }
}

ElasticsearchOutput::~ElasticsearchOutput() { stop(Clock::now()); }

void ElasticsearchOutput::start() {
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    threads_.emplace_back([this, w] { runWorker(*w); });
  }
}

void ElasticsearchOutput::stop(Deadline deadline) {
  {
    std::lock_guard lock(stop_mutex_);
    if (!stopping_ || deadline < deadline_) deadline_ = deadline;
    stopping_ = true;
  }
  stop_signal_.notify_all();
  queue_.close();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

const std::string& ElasticsearchOutput::currentHost() const {
  return config_.hosts[host_index_.load() % config_.hosts.size()];
}

void ElasticsearchOutput::markReachable(const std::string& host) {
  if (!ready_.exchange(true))
    logInfo("elasticsearch", "connected", {{"output", id_}, {"host", host}});
}

void ElasticsearchOutput::probe(Worker& worker) {
  HttpResponse r = worker.client->get(currentHost() + "/");
  if (r.status == 200) {
    markReachable(currentHost());
  } else if (config_.hosts.size() > 1) {
    host_index_.fetch_add(1);
  }
}

std::vector<BatchPtr> ElasticsearchOutput::collect(Worker& worker) {
  std::vector<BatchPtr> batches;
  std::optional<BatchPtr> first;
  while (!(first = queue_.popUntil(Clock::now() + std::chrono::seconds(5)))) {
    if (queue_.closed()) return batches;
    if (!ready_.load()) probe(worker);
  }
  size_t events = (*first)->size();
  size_t bytes = (*first)->bytes();
  batches.push_back(std::move(*first));
  auto flush_at = Clock::now() + config_.flush_interval;
  while (events < config_.flush_events && bytes < config_.flush_bytes) {
    auto next = queue_.popUntil(flush_at);
    if (!next) break;
    events += (*next)->size();
    bytes += (*next)->bytes();
    batches.push_back(std::move(*next));
  }
  return batches;
}

void ElasticsearchOutput::runWorker(Worker& worker) {
  for (;;) {
    std::vector<BatchPtr> batches = collect(worker);
    if (batches.empty()) return;
    std::vector<ItemRef> items;
    for (uint32_t b = 0; b < batches.size(); ++b) {
      for (uint32_t e = 0; e < batches[b]->size(); ++e) items.push_back({b, e});
    }
    if (!sendItems(worker, batches, std::move(items))) {
      // Shutdown came first: these batches stay unacknowledged and are read
      // again after a restart.
      size_t left = 0;
      for (const BatchPtr& b : batches) left += b->size();
      logError("elasticsearch", "shutdown deadline reached with events not delivered",
               {{"output", id_}, {"events", static_cast<int64_t>(left)}});
      while (auto rest = queue_.tryPop()) {
        (void)rest;
      }
      return;
    }
    for (const BatchPtr& b : batches) b->complete();
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
               dead_letter_ ? "event rejected by Elasticsearch: written to the dead-letter file"
                            : "event rejected by Elasticsearch",
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
  const DeadLetterFile::Record record{
      id_, index, item.status, reason, item.error_reason, id, batch.document(batch.events[event])};
  // A dead-letter file that cannot be written (disk full) holds the batch, as
  // an unreachable Elasticsearch does: the event is retried, never dropped.
  std::string error;
  for (int attempt = 0; !dead_letter_->append(record, error); ++attempt) {
    deadLetterTrouble("cannot write the dead-letter file: holding the batch", error);
    if (!waitBeforeRetry(attempt)) return false;
  }
  written = true;
  metrics()
      .counter("sluice_dead_letter_events_total",
               "Events written to an output's dead-letter file, by reason",
               {{"output", id_}, {"reason", reason}})
      .add();
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

bool ElasticsearchOutput::sendItems(Worker& worker, const std::vector<BatchPtr>& batches,
                                    std::vector<ItemRef> items) {
  int attempt = 0;
  while (!items.empty()) {
    {
      std::lock_guard lock(stop_mutex_);
      if (Clock::now() >= deadline_) return false;
    }
    worker.body.clear();
    for (const ItemRef& it : items)
      appendBulkItem(worker.body, worker.index, *batches[it.batch], it.event,
                     config_.deterministic_ids);
    const std::string host = currentHost();
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
        for (size_t i = 0; i < items.size(); ++i) {
          const BulkItemResult& item = parsed->items[i];
          switch (classifyItem(item.status)) {
            case ItemOutcome::kDelivered:
              ++delivered;
              break;
            case ItemOutcome::kRetry:
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
      if (config_.hosts.size() > 1) host_index_.fetch_add(1);
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
