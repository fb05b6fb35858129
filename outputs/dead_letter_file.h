#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "pipeline/unique_fd.h"

namespace sluice {

// Events an output can never deliver (a mapping conflict, a document larger
// than the server takes) are appended here as NDJSON, one record per event
// with the reason, instead of being retried forever or dropped. Shared by an
// output's workers.
class DeadLetterFile {
 public:
  struct Record {
    std::string_view output;
    std::string_view target;  // the index the event was meant for
    int status = 0;
    std::string_view reason;  // Elasticsearch's error type
    std::string_view detail;  // Elasticsearch's error reason
    std::string_view event_id;
    std::string_view event;  // the event's JSON document
  };

  // Creates the directory and opens the file for appending; throws with the
  // path and the system's reason when it cannot.
  explicit DeadLetterFile(std::string path);

  const std::string& path() const { return path_; }
  // False, with the reason in `error`, when the record could not be written.
  bool append(const Record& record, std::string& error);
  // Makes the appended records durable; an output acknowledges its batch only
  // after this, so a crash cannot lose an event between the two.
  bool sync(std::string& error);

 private:
  std::string path_;
  std::mutex mutex_;
  UniqueFd fd_;
  std::string line_;
};

}  // namespace sluice
