#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "outputs/dead_letter_sink.h"
#include "outputs/elasticsearch/host_pool.h"
#include "outputs/elasticsearch/http_client.h"

namespace sluice {

// Dead letters indexed into Elasticsearch itself (`dead_letter: {type:
// index}`), where they can be searched next to the events that made it.
// append() only queues the record; sync() sends what is queued as one _bulk
// request and succeeds once every record is indexed, so the batch that
// refused them is acknowledged only after. Each record goes with the event's
// own id as `create`: a retry after a lost answer is a 409, not a copy. The
// event travels as text, so the mapping conflict that refused it cannot
// refuse its dead letter too.
class DeadLetterIndex : public DeadLetterSink {
 public:
  DeadLetterIndex(const HttpClientOptions& options, HostPool& hosts, std::string output_id);

  bool append(const Record& record, std::string& error) override;
  bool sync(std::string& error) override;
  std::string describe() const override { return "the dead-letter index"; }

 private:
  HttpClient client_;
  HostPool& hosts_;
  std::string output_id_;
  // Held across the request: a worker's sync() must not return while another
  // worker's request carrying its records is still out.
  std::mutex mutex_;
  std::string pending_;
  std::vector<size_t> item_starts_;  // where each record's action line begins
};

}  // namespace sluice
