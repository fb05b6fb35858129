#include "inputs/file/checkpoint_tracker.h"

#include <chrono>

#include "pipeline/timestamp.h"

namespace sluice {

CheckpointTracker::CheckpointTracker(CheckpointStore store, std::chrono::seconds forget_after)
    : store_(std::move(store)), forget_after_(forget_after) {}

std::string CheckpointTracker::load() {
  std::string error;
  for (FileCheckpoint& e : store_.load(error)) {
    by_inode_.emplace(DeviceInode{e.device, e.inode}, e.source);
    entries_[e.source] = std::move(e);
  }
  return error;
}

std::optional<FileCheckpoint> CheckpointTracker::resumePoint(dev_t device, ino_t inode,
                                                             int fd) const {
  auto [begin, end] =
      by_inode_.equal_range({static_cast<uint64_t>(device), static_cast<uint64_t>(inode)});
  for (auto it = begin; it != end; ++it) {
    auto entry = entries_.find(it->second);
    if (entry != entries_.end() && fingerprintMatches(fd, entry->second.fingerprint)) {
      FileCheckpoint resumed = entry->second;
      std::lock_guard lock(mutex_);
      auto delivered = delivered_.find(resumed.source);
      if (delivered != delivered_.end())
        resumed.offset = std::max(resumed.offset, delivered->second);
      return resumed;
    }
  }
  return std::nullopt;
}

void CheckpointTracker::markSeen(dev_t device, ino_t inode) {
  auto [begin, end] =
      by_inode_.equal_range({static_cast<uint64_t>(device), static_cast<uint64_t>(inode)});
  if (begin == end) return;
  const int64_t now = unixSeconds();
  for (auto it = begin; it != end; ++it) {
    auto entry = entries_.find(it->second);
    if (entry != entries_.end()) entry->second.last_seen = now;
  }
}

std::optional<SourceKey> CheckpointTracker::predecessor(dev_t device, ino_t inode) const {
  auto it = by_inode_.find({static_cast<uint64_t>(device), static_cast<uint64_t>(inode)});
  if (it == by_inode_.end()) return std::nullopt;
  return it->second;
}

void CheckpointTracker::forget(const SourceKey& source) {
  auto entry = entries_.find(source);
  if (entry == entries_.end()) return;
  auto [begin, end] = by_inode_.equal_range({entry->second.device, entry->second.inode});
  for (auto i = begin; i != end; ++i) {
    if (i->second == source) {
      by_inode_.erase(i);
      break;
    }
  }
  entries_.erase(entry);
  {
    std::lock_guard lock(mutex_);
    delivered_.erase(source);
  }
  dirty_ = true;
}

void CheckpointTracker::track(FileCheckpoint entry) {
  auto [it, inserted] = entries_.try_emplace(entry.source, entry);
  if (inserted) {
    by_inode_.emplace(DeviceInode{entry.device, entry.inode}, entry.source);
  } else {
    it->second.path = entry.path;
  }
  it->second.last_seen = unixSeconds();
  dirty_ = true;
}

void CheckpointTracker::batchSent(uint64_t sequence,
                                  std::vector<BatchBuilder::SourcePosition>&& positions) {
  std::lock_guard lock(mutex_);
  in_flight_.push_back({sequence, std::move(positions)});
}

void CheckpointTracker::acknowledged(uint64_t sequence) {
  std::lock_guard lock(mutex_);
  while (!in_flight_.empty() && in_flight_.front().sequence <= sequence) {
    for (const auto& p : in_flight_.front().positions) {
      uint64_t& offset = delivered_[p.source];
      offset = std::max(offset, p.end_offset);
    }
    in_flight_.pop_front();
  }
}

std::string CheckpointTracker::save(const std::vector<SourceKey>& open_sources) {
  const int64_t now = unixSeconds();
  {
    std::lock_guard lock(mutex_);
    for (auto& [source, offset] : delivered_) {
      auto it = entries_.find(source);
      if (it != entries_.end() && it->second.offset != offset) {
        it->second.offset = offset;
        dirty_ = true;
      }
    }
  }
  for (const SourceKey& s : open_sources) {
    auto it = entries_.find(s);
    if (it != entries_.end()) it->second.last_seen = now;
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.last_seen > forget_after_.count()) {
      auto [begin, end] = by_inode_.equal_range({it->second.device, it->second.inode});
      for (auto i = begin; i != end; ++i) {
        if (i->second == it->first) {
          by_inode_.erase(i);
          break;
        }
      }
      {
        std::lock_guard lock(mutex_);
        delivered_.erase(it->first);
      }
      it = entries_.erase(it);
      dirty_ = true;
    } else {
      ++it;
    }
  }
  if (!dirty_) return {};
  std::vector<FileCheckpoint> all;
  all.reserve(entries_.size());
  for (const auto& [source, entry] : entries_) all.push_back(entry);
  std::string error = store_.save(all);
  if (error.empty()) dirty_ = false;
  return error;
}

}  // namespace sluice
