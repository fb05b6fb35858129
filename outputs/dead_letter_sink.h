#pragma once

#include <string>
#include <string_view>

namespace sluice {

// Where an output puts events it can never deliver (a mapping conflict, a
// document larger than the server takes), one record per event with the
// reason, instead of retrying them forever or dropping them: a file or an
// Elasticsearch index. Shared by an output's workers.
class DeadLetterSink {
 public:
  struct Record {
    std::string_view output;
    std::string_view target;  // the index the event was meant for
    int status = 0;
    std::string_view reason;  // Elasticsearch's error type
    std::string_view detail;  // Elasticsearch's error reason
    std::string_view event_id;
    std::string_view event;        // the event's JSON document
    std::string_view destination;  // where a routing sink puts it (its index)
  };

  virtual ~DeadLetterSink() = default;
  // append(), and counted in sluice_dead_letter_events_total{output,reason}
  // when taken: what every output calls.
  bool write(const Record& record, std::string& error);
  // False, with the reason in `error`, when the record could not be taken.
  virtual bool append(const Record& record, std::string& error) = 0;
  // Makes the appended records durable; an output acknowledges its batch only
  // after this, so a crash cannot lose an event between the two.
  virtual bool sync(std::string& error) = 0;
  // For log messages: "the dead-letter file /var/lib/...".
  virtual std::string describe() const = 0;
};

// One record as a JSON object (no newline): when, which output, the intended
// index, status, reason, detail, event id and the event. `for_index` puts
// all but @timestamp under `dead_letter` and the event as a JSON string: as
// an object it would meet the very mapping conflict that refused it.
void appendDeadLetterJson(std::string& out, const DeadLetterSink::Record& record, bool for_index);

}  // namespace sluice
