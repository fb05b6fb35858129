// The reading half of DiskBuffer: handing records out, acknowledgements,
// segment deletion and the acknowledgement cursor.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <vector>

#include "outputs/buffer/ack_cursor.h"
#include "outputs/buffer/disk_buffer.h"
#include "outputs/buffer/quarantine.h"
#include "pipeline/logger.h"

namespace sluice {
namespace {

constexpr std::string_view kComponent = "buffer";
// Acknowledgements come per batch, several a second: writing the cursor file
// (two fsyncs) on each would cost more than the replays it saves.
constexpr std::chrono::milliseconds kCursorPersistInterval{250};
// After a read error (EIO, EACCES, out of file descriptors): tried again.
constexpr std::chrono::milliseconds kReadRetryDelay{100};

}  // namespace

std::optional<BufferedRecord> DiskBuffer::next(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  if (!reader_turn_.wait_until(lock, deadline, [&] { return stopped_ || !reading_; }) || stopped_) {
    return std::nullopt;
  }
  reading_ = true;
  // Hands the turn on however this returns (mutex_ is held at every return).
  struct TurnGuard {
    std::unique_lock<std::mutex>& lock;
    bool& reading;
    std::condition_variable& turn;
    ~TurnGuard() {
      if (!lock.owns_lock()) lock.lock();
      reading = false;
      turn.notify_one();
    }
  } guard{lock, reading_, reader_turn_};
  for (;;) {
    if (stopped_) return std::nullopt;
    if (frontier_ < next_record_) {
      if (std::optional<BufferedRecord> record = takeFromCache()) return record;
      std::optional<BufferedRecord> record;
      const DiskRead read = readFromDisk(lock, record);
      if (read == DiskRead::kHandedOut) return record;
      if (read == DiskRead::kMoved) continue;
      readable_.wait_until(lock,
                           std::min(deadline, std::chrono::steady_clock::now() + kReadRetryDelay));
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      continue;
    }
    // Idle readers persist the cursor the acknowledgements moved, so it does
    // not wait for the next acknowledgement or for close.
    auto wake = deadline;
    if (ackCursorLocked() != persisted_cursor_) {
      auto due = last_persist_ + kCursorPersistInterval;
      if (std::chrono::steady_clock::now() >= due) {
        lock.unlock();
        persistCursor(/*force=*/false);
        lock.lock();
        // Again later if it failed or another thread was writing it.
        due = std::chrono::steady_clock::now() + kCursorPersistInterval;
      }
      wake = std::min(wake, due);
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    readable_.wait_until(lock, wake, [&] { return stopped_ || frontier_ < next_record_; });
  }
}

std::optional<BufferedRecord> DiskBuffer::takeFromCache() {
  std::optional<RecordCache::Entry> entry = cache_.take(frontier_);
  if (!entry) return std::nullopt;
  return handOut(entry->number, entry->events, std::move(entry->payload), std::move(entry->decoded),
                 entry->segment, entry->end_offset);
}

DiskBuffer::DiskRead DiskBuffer::readFromDisk(std::unique_lock<std::mutex>& lock,
                                              std::optional<BufferedRecord>& out) {
  auto segment = findSegment(position_.segment);
  if (segment == segments_.end()) {
    // Deleted under us (all of it acknowledged): go on with its successor.
    auto later = std::find_if(segments_.begin(), segments_.end(),
                              [&](const Segment& s) { return s.first_record > position_.segment; });
    if (later == segments_.end()) {
      frontier_ = next_record_;
      return DiskRead::kMoved;
    }
    position_ = {later->first_record, kSegmentHeaderSize};
    return DiskRead::kMoved;
  }
  if (position_.offset >= segment->size) {
    if (std::next(segment) == segments_.end()) {
      // Everything published is on disk up to here: the numbers left below
      // next_record_ were never written (recovery skipped past them).
      frontier_ = next_record_;
    } else {
      position_ = {std::next(segment)->first_record, kSegmentHeaderSize};
    }
    return DiskRead::kMoved;
  }
  // Only the reader whose turn it is moves position_ and frontier_, and a
  // segment holding unread records is never deleted, so the file is read
  // without the lock.
  const ReadPosition at = position_;
  const uint64_t limit = segment->size;
  const uint64_t frontier = frontier_;
  const uint64_t below =
      std::next(segment) == segments_.end() ? next_record_ : std::next(segment)->first_record;
  lock.unlock();

  std::string reason;
  int open_errno = 0;
  if (reader_segment_ != at.segment || !reader_.isOpen()) {
    reader_segment_ = at.segment;
    if (!reader_.open(segmentPath(at.segment), reason)) open_errno = errno;
  }
  RecordHeader header;
  std::string payload;
  SegmentReader::Status status = SegmentReader::Status::kIoError;
  if (open_errno == 0) status = reader_.readRecord(at.offset, limit, header, stored_, reason);
  const bool wanted = status == SegmentReader::Status::kOk && header.number >= frontier;
  if (wanted && header.number >= below) {
    reason = "record number " + std::to_string(header.number) + " out of sequence";
    status = SegmentReader::Status::kCorrupt;
  } else if (wanted && !decoder_.decode(header, stored_, payload, reason)) {
    status = SegmentReader::Status::kCorrupt;
  }
  lock.lock();

  if (open_errno != 0 && findSegment(at.segment) == segments_.end()) return DiskRead::kMoved;
  if (open_errno != 0 || status == SegmentReader::Status::kIoError) {
    // The bytes may well be fine (EIO, EACCES, too many open files): the
    // acknowledged records are read again later, never given up.
    uint64_t suppressed = 0;
    if (read_error_log_.allow(suppressed)) {
      logWarn(kComponent, "cannot read the disk buffer; retrying",
              {{"path", segmentPath(at.segment)},
               {"error", open_errno != 0 ? std::string(std::strerror(open_errno)) : reason},
               {"suppressed", suppressed}});
    }
    return DiskRead::kRetryLater;
  }
  if (status != SegmentReader::Status::kOk) {
    skipDamage(lock, at.segment, at.offset, reason);
    return DiskRead::kMoved;
  }
  const uint64_t end = at.offset + header.framedSize();
  if (!wanted) {  // acknowledged before the last close
    position_.offset = end;
    return DiskRead::kMoved;
  }
  out = handOut(header.number, header.events, std::move(payload), nullptr, at.segment, end);
  return DiskRead::kHandedOut;
}

// Bit rot found after recovery: the segment's framing cannot be trusted past
// the damage, so its records not yet handed out are counted lost and the
// reader goes on with the next segment (or, in the newest, with the records
// appended from now on).
void DiskBuffer::skipDamage(std::unique_lock<std::mutex>& lock, uint64_t segment_first,
                            uint64_t offset, const std::string& reason) {
  auto segment = findSegment(segment_first);
  if (segment == segments_.end()) return;
  const uint64_t lost_records = segment->unhanded_records;
  const uint64_t lost_bytes = segment->size - offset;
  const uint64_t lost_events = segment->unhanded_events;
  pending_records_ -= lost_records;
  pending_events_ -= segment->unhanded_events;
  segment->unhanded_records = 0;
  segment->unhanded_events = 0;
  ++counters_.quarantined_segments;
  counters_.quarantined_bytes += lost_bytes;
  counters_.records_lost += lost_records;
  counters_.events_lost += lost_events;
  if (std::next(segment) == segments_.end()) {
    // New records go to a new segment, which recovery will not cut off
    // with this one's damage.
    position_ = {segment_first, segment->size};
    frontier_ = next_record_;
    roll_requested_.store(true);
  } else {
    position_ = {std::next(segment)->first_record, kSegmentHeaderSize};
    frontier_ = std::max(frontier_, std::next(segment)->first_record);
  }
  cache_.dropBelow(frontier_);
  reader_.close();
  lock.unlock();
  std::string error;
  const std::string name = segmentFileName(segment_first);
  const std::string copy = copyToQuarantine(options_.path, name, error);
  logError(kComponent, "damaged buffer record; segment quarantined, its unread records are lost",
           {{"segment", options_.path + "/" + name},
            {"offset", offset},
            {"reason", reason},
            {"bytes_lost", lost_bytes},
            {"records_lost", lost_records},
            {"quarantine", copy.empty() ? "failed: " + error : copy}});
  lock.lock();
}

BufferedRecord DiskBuffer::handOut(uint64_t number, uint32_t events, std::string payload,
                                   std::shared_ptr<void> decoded, uint64_t segment_first,
                                   uint64_t end_offset) {
  position_ = {segment_first, end_offset};
  frontier_ = number + 1;
  in_flight_.emplace(number, events);
  if (auto segment = findSegment(segment_first); segment != segments_.end()) {
    --segment->unhanded_records;
    segment->unhanded_events -= events;
  }
  return {number, events, std::move(payload), std::move(decoded)};
}

void DiskBuffer::acknowledge(uint64_t number) {
  std::vector<std::string> doomed;
  {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(number);
    if (it == in_flight_.end()) return;  // not handed out, or acknowledged twice
    --pending_records_;
    pending_events_ -= it->second;
    in_flight_.erase(it);
    const uint64_t cursor = ackCursorLocked();
    // The newest segment is being written and is never deleted.
    while (segments_.size() > 1 && segments_[1].first_record <= cursor) {
      doomed.push_back(segmentPath(segments_.front().first_record));
      bytes_ -= segments_.front().size;
      segments_.pop_front();
    }
    if (!doomed.empty() || pending_records_ == 0) space_.notify_all();
  }
  for (const std::string& path : doomed) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      logWarn(kComponent, "cannot delete an acknowledged buffer segment",
              {{"segment", path}, {"error", std::strerror(errno)}});
    }
  }
  persistCursor(/*force=*/false);
}

uint64_t DiskBuffer::ackCursorLocked() const {
  // Everything handed out is below frontier_, so the oldest record in flight,
  // if any, is the lowest unacknowledged one.
  return in_flight_.empty() ? frontier_ : in_flight_.begin()->first;
}

void DiskBuffer::persistCursor(bool force) {
  std::unique_lock persisting(persist_mutex_, std::defer_lock);
  if (force) {
    persisting.lock();
  } else if (!persisting.try_lock()) {
    return;  // another thread is writing it; the next call catches up
  }
  uint64_t cursor = 0;
  {
    std::lock_guard lock(mutex_);
    cursor = ackCursorLocked();
    const auto now = std::chrono::steady_clock::now();
    if (cursor == persisted_cursor_) return;
    if (!force && now < last_persist_ + kCursorPersistInterval) return;
    last_persist_ = now;
  }
  const std::string error = writeAckCursor(options_.path, cursor);
  if (!error.empty()) {
    // Costs replays after a crash, never records.
    uint64_t suppressed = 0;
    if (cursor_log_.allow(suppressed)) {
      logWarn(kComponent, "cannot persist the buffer's acknowledgement cursor",
              {{"error", error}, {"suppressed", suppressed}});
    }
    return;
  }
  std::lock_guard lock(mutex_);
  persisted_cursor_ = cursor;
}

std::deque<DiskBuffer::Segment>::iterator DiskBuffer::findSegment(uint64_t first_record) {
  auto it =
      std::lower_bound(segments_.begin(), segments_.end(), first_record,
                       [](const Segment& s, uint64_t first) { return s.first_record < first; });
  return it != segments_.end() && it->first_record == first_record ? it : segments_.end();
}

}  // namespace sluice
