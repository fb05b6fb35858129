#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "inputs/file/checkpoint_store.h"
#include "pipeline/batch_builder.h"

namespace sluice {

struct SourceKeyHash {
  size_t operator()(const SourceKey& k) const { return static_cast<size_t>(k.low ^ (k.high << 1)); }
};

// The checkpoints of one file input. The input thread records what each
// batch reaches; outputs report, in order, which batches are delivered; only
// then does a file's offset move. Saved to the store periodically and at
// shutdown.
class CheckpointTracker {
 public:
  CheckpointTracker(CheckpointStore store, std::chrono::seconds forget_after);

  // Reads the store; returns a problem to report, empty when none.
  std::string load();

  // Where to resume a file found on disk: the entry with its device and
  // inode whose fingerprint still matches the file's first bytes.
  std::optional<FileCheckpoint> resumePoint(dev_t device, ino_t inode, int fd) const;
  // A file with this device and inode is still on disk (maybe closed): its
  // entries are kept.
  void markSeen(dev_t device, ino_t inode);
  bool knows(dev_t device, ino_t inode) const {
    return by_inode_.count({static_cast<uint64_t>(device), static_cast<uint64_t>(inode)}) > 0;
  }
  // When no entry matches a file (resumePoint), the entry its device and
  // inode had: content the file held before it was rewritten, or a file the
  // inode belonged to before.
  std::optional<SourceKey> predecessor(dev_t device, ino_t inode) const;
  // Drops an entry whose content is gone (the file was truncated): one entry
  // per device and inode, so a restart finds the same predecessor.
  void forget(const SourceKey& source);
  // A file identified (new, or resumed): its entry is kept from now on.
  void track(FileCheckpoint entry);

  void batchSent(uint64_t sequence, std::vector<BatchBuilder::SourcePosition>&& positions);
  void acknowledged(uint64_t sequence);

  // Marks the entries of `sources` as seen now, drops entries of files not
  // seen for longer than forget_after, and writes the store if anything
  // changed. Returns an error message, empty on success.
  std::string save(const std::vector<SourceKey>& open_sources);

  using DeviceInode = std::pair<uint64_t, uint64_t>;
  struct DeviceInodeHash {
    size_t operator()(const DeviceInode& d) const {
      return static_cast<size_t>(d.first * 0x9E3779B97F4A7C15ULL ^ d.second);
    }
  };

 private:
  struct InFlight {
    uint64_t sequence;
    std::vector<BatchBuilder::SourcePosition> positions;
  };

  CheckpointStore store_;
  std::chrono::seconds forget_after_;
  // Owned by the input thread.
  std::unordered_map<SourceKey, FileCheckpoint, SourceKeyHash> entries_;
  std::unordered_multimap<DeviceInode, SourceKey, DeviceInodeHash> by_inode_;
  bool dirty_ = false;
  // Shared with the outputs' threads.
  mutable std::mutex mutex_;
  std::deque<InFlight> in_flight_;
  std::unordered_map<SourceKey, uint64_t, SourceKeyHash> delivered_;
};

}  // namespace sluice
