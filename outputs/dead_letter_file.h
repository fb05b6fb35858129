#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "outputs/dead_letter_sink.h"
#include "pipeline/unique_fd.h"

namespace sluice {

// Appends dead letters to a file as NDJSON, one record per event with the
// reason. Shared by an output's workers.
class DeadLetterFile : public DeadLetterSink {
 public:
  // Creates the directory and opens the file for appending; throws with the
  // path and the system's reason when it cannot.
  explicit DeadLetterFile(std::string path);

  const std::string& path() const { return path_; }
  bool append(const Record& record, std::string& error) override;
  bool sync(std::string& error) override;
  std::string describe() const override { return "the dead-letter file " + path_; }

 private:
  std::string path_;
  std::mutex mutex_;
  UniqueFd fd_;
  std::string line_;
};

}  // namespace sluice
