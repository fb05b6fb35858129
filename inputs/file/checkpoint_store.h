#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "inputs/file/file_identity.h"
#include "pipeline/event_id.h"

namespace sluice {

// Where reading of one file resumes: every event before `offset` has been
// acknowledged by all outputs.
struct FileCheckpoint {
  SourceKey source;
  uint64_t device = 0;
  uint64_t inode = 0;
  Fingerprint fingerprint;
  uint64_t offset = 0;
  int64_t last_seen = 0;  // Unix seconds; entries of files long gone are dropped
  std::string path;       // for people reading the file; identity is the rest
};

// The checkpoints of one input, in one file of NDJSON (one entry a line),
// replaced atomically on every save.
class CheckpointStore {
 public:
  explicit CheckpointStore(std::string path) : path_(std::move(path)) {}

  // A missing file is an empty store. A damaged file is moved aside (to
  // PATH.damaged) and reported in `error`; the entries that could be read are
  // returned.
  std::vector<FileCheckpoint> load(std::string& error) const;
  // Returns an error message, empty on success.
  std::string save(const std::vector<FileCheckpoint>& entries) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sluice
