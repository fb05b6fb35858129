#include "outputs/elasticsearch/dead_letter_index.h"

#include "outputs/elasticsearch/bulk_response.h"
#include "pipeline/json_escape.h"
#include "pipeline/logger.h"
#include "pipeline/metrics.h"

namespace sluice {

DeadLetterIndex::DeadLetterIndex(const HttpClientOptions& options, HostPool& hosts,
                                 std::string output_id)
    : client_(options), hosts_(hosts), output_id_(std::move(output_id)) {}

bool DeadLetterIndex::append(const Record& r, std::string& /*error*/) {
  std::lock_guard lock(mutex_);
  item_starts_.push_back(pending_.size());
  pending_ += R"({"create":{"_index":)";
  appendJsonString(pending_, r.destination);
  if (!r.event_id.empty()) {
    pending_ += R"(,"_id":)";
    appendJsonString(pending_, r.event_id);
  }
  pending_ += "}}\n";
  appendDeadLetterJson(pending_, r, true);
  pending_ += '\n';
  return true;
}

bool DeadLetterIndex::sync(std::string& error) {
  std::lock_guard lock(mutex_);
  if (item_starts_.empty()) return true;
  const std::string host = hosts_.pick();
  HttpResponse r = client_.post(host + "/_bulk", pending_, "application/x-ndjson");
  if (r.status != 200) {
    error = host + ": " + (r.status == 0 ? r.error : "HTTP " + std::to_string(r.status));
    if (r.status == 0 || r.status >= 500) hosts_.failed(host, error);
    return false;
  }
  hosts_.succeeded(host);
  std::string problem;
  auto parsed = parseBulkResponse(r.body, item_starts_.size(), problem);
  if (!parsed) {
    error = host + ": unreadable _bulk answer: " + problem;
    return false;
  }
  // Only records refused for now stay queued.
  std::string again;
  std::vector<size_t> again_starts;
  for (size_t i = 0; i < parsed->items.size(); ++i) {
    const BulkItemResult& item = parsed->items[i];
    switch (classifyItem(item.status)) {
      case ItemOutcome::kDelivered:
        break;
      case ItemOutcome::kRetry: {
        const size_t end = i + 1 < item_starts_.size() ? item_starts_[i + 1] : pending_.size();
        again_starts.push_back(again.size());
        again.append(pending_, item_starts_[i], end - item_starts_[i]);
        break;
      }
      case ItemOutcome::kReject:
        // A dead letter holds only strings and numbers; should the index
        // still refuse it (a read-only or closed index), retrying forever
        // would stop the pipeline. It is counted and logged instead.
        metrics()
            .counter("sluice_events_failed_total", "Events an output could not deliver, by reason",
                     {{"output", output_id_}, {"reason", "dead_letter_refused"}})
            .add();
        logError("elasticsearch", "the dead-letter index refused a dead letter: event left out",
                 {{"output", output_id_},
                  {"status", item.status},
                  {"reason", item.error_type},
                  {"detail", item.error_reason}});
        break;
    }
  }
  const size_t retry = again_starts.size();
  pending_ = std::move(again);
  item_starts_ = std::move(again_starts);
  if (retry > 0) {
    error = host + ": " + std::to_string(retry) + " dead letters refused for now (429/5xx)";
    return false;
  }
  return true;
}

}  // namespace sluice
