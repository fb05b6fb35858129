#pragma once

#include <sys/types.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "pipeline/unique_fd.h"

namespace sluice {

struct FoundFile {
  std::string path;
  dev_t device;
  ino_t inode;
  off_t size;
  int64_t modified;  // Unix seconds
};

// Finds the files an input tails (glob patterns minus exclusions) and tells
// when to look again: inotify on the directories that hold them, so appends
// and new files are seen at once, and a periodic rescan as the fallback for
// what inotify cannot watch (patterns with wildcard directories, NFS).
class FileWatcher {
 public:
  FileWatcher(std::vector<std::string> patterns, std::vector<std::string> exclude);

  std::vector<FoundFile> scan();
  // Waits up to `timeout` for file system activity. Returns true when a file
  // was created or moved in (rescan now), false on mere writes or timeout.
  bool wait(std::chrono::milliseconds timeout);

 private:
  bool excluded(const std::string& path) const;
  void watchDirectory(const std::string& dir);

  std::vector<std::string> patterns_;
  std::vector<std::string> exclude_;
  UniqueFd inotify_;
  std::set<std::string> watched_dirs_;
};

}  // namespace sluice
