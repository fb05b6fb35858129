#include "outputs/buffer/disk_buffer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "outputs/buffer/quarantine.h"
#include "pipeline/atomic_file.h"
#include "pipeline/logger.h"

namespace sluice {
namespace {

constexpr std::string_view kComponent = "buffer";
constexpr uint64_t kMaxAutoSegmentSize = 64 << 20;
constexpr uint64_t kMinSegmentSize = 4 << 10;

uint64_t effectiveSegmentSize(const DiskBufferOptions& o) {
  if (o.segment_size != 0) return o.segment_size;
  return std::max(std::min(kMaxAutoSegmentSize, o.max_size / 8), kMinSegmentSize);
}

std::string checkOptions(const DiskBufferOptions& o) {
  if (o.path.empty()) return "buffer path is empty";
  if (o.max_size == 0) return "buffer max_size must be positive";
  if (o.max_size < 2 * effectiveSegmentSize(o)) {
    return "buffer max_size must be at least twice the segment size (" +
           std::to_string(effectiveSegmentSize(o)) + " bytes)";
  }
  if (o.zstd_level < ZSTD_minCLevel() || o.zstd_level > ZSTD_maxCLevel()) {
    return "buffer zstd level must be between " + std::to_string(ZSTD_minCLevel()) + " and " +
           std::to_string(ZSTD_maxCLevel());
  }
  if (o.fsync == DiskBufferOptions::Fsync::kInterval && o.fsync_interval.count() <= 0) {
    return "buffer fsync interval must be positive";
  }
  return {};
}

// flock, not fcntl locks: those are per process, so a second open in the
// same process (a config naming one path twice) would not be refused.
UniqueFd lockDirectory(const std::string& dir, std::string& error) {
  const std::string path = dir + "/lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid()) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return {};
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    error = errno == EWOULDBLOCK
                ? "buffer " + dir + " is in use by another sluice process or output (" + path +
                      " is locked); give each output its own buffer path"
                : "cannot lock " + path + ": " + std::strerror(errno);
    return {};
  }
  return fd;
}

}  // namespace

std::unique_ptr<DiskBuffer> DiskBuffer::open(const DiskBufferOptions& options, std::string& error) {
  error = checkOptions(options);
  if (!error.empty()) return nullptr;
  error = makeDirectories(options.path);
  if (error.empty()) error = makeDirectories(quarantineDirectory(options.path));
  if (!error.empty()) return nullptr;
  UniqueFd lock = lockDirectory(options.path, error);
  if (!lock.valid()) return nullptr;
  RecoveredBuffer recovered;
  if (!recoverBuffer(options.path, recovered, error)) return nullptr;
  std::unique_ptr<DiskBuffer> buffer(
      new DiskBuffer(options, std::move(lock), std::move(recovered)));
  if (!buffer->reopenNewestSegment(error)) return nullptr;
  const RecoveryReport& r = buffer->recovery_;
  logInfo(kComponent, "disk buffer opened",
          {{"path", options.path},
           {"segments", r.segments},
           {"records", r.records},
           {"events", r.events},
           {"bytes", r.bytes},
           {"torn_tails", r.torn_tails},
           {"quarantined_segments", r.quarantined_segments}});
  return buffer;
}

DiskBuffer::DiskBuffer(const DiskBufferOptions& options, UniqueFd lock, RecoveredBuffer recovered)
    : options_(options),
      segment_size_(effectiveSegmentSize(options)),
      lock_fd_(std::move(lock)),
      recovery_(recovered.report),
      encoder_(options.zstd_level),
      cache_(options.memory_cache_bytes) {
  for (const RecoveredSegment& s : recovered.segments) {
    segments_.push_back({s.first_record, s.size, s.pending_records, s.pending_events});
    bytes_ += s.size;
  }
  next_record_ = recovered.next_record;
  frontier_ = recovered.ack_cursor;
  persisted_cursor_ = recovered.ack_cursor;
  durable_end_.store(next_record_);
  position_ = {segments_.empty() ? next_record_ : segments_.front().first_record,
               kSegmentHeaderSize};
  pending_records_ = recovery_.records;
  pending_events_ = recovery_.events;
  counters_.torn_tails = recovery_.torn_tails;
  counters_.torn_bytes = recovery_.torn_bytes;
  counters_.quarantined_segments = recovery_.quarantined_segments;
  counters_.quarantined_bytes = recovery_.quarantined_bytes;
  counters_.records_lost = recovery_.records_lost;
  last_sync_ = last_persist_ = std::chrono::steady_clock::now();
}

DiskBuffer::~DiskBuffer() { close(); }

// The newest segment is written on; synced first, so that what a crashed
// process left in the page cache is durable before anyone relies on it.
bool DiskBuffer::reopenNewestSegment(std::string& error) {
  if (segments_.empty()) return true;
  const Segment& newest = segments_.back();
  return writer_.reopen(segmentPath(newest.first_record), newest.first_record, newest.size,
                        error) &&
         writer_.sync(error);
}

AppendResult DiskBuffer::append(std::string_view payload, uint32_t events, std::string& error,
                                uint64_t* number_out, std::shared_ptr<void> decoded,
                                uint64_t decoded_bytes) {
  if (!sync_failure_.empty()) {
    error = sync_failure_;
    return AppendResult::kError;
  }
  uint64_t number = 0;
  bool behind = false;
  {
    std::lock_guard lock(mutex_);
    number = next_record_;
    behind = bytes_ > segment_size_;
  }
  std::string_view raw_body;
  if (!encoder_.encode(number, events, payload, behind, framed_, raw_body, error)) {
    return AppendResult::kError;
  }
  const bool roll = !writer_.isOpen() || writer_.damaged() || roll_requested_.load() ||
                    writer_.size() >= segment_size_;
  const uint64_t needed = framed_.size() + raw_body.size() + (roll ? kSegmentHeaderSize : 0);
  {
    std::unique_lock lock(mutex_);
    auto fits = [&] { return bytes_ + needed <= options_.max_size || pending_records_ == 0; };
    if (!fits()) {
      if (options_.when_full == DiskBufferOptions::WhenFull::kDropNewest) {
        ++counters_.dropped_records;
        return AppendResult::kDropped;
      }
      space_.wait(lock, [&] { return stopped_ || fits(); });
      if (!fits()) return AppendResult::kStopped;
    }
  }
  if (roll && !rollSegment(number, error)) return AppendResult::kError;
  const uint64_t start = writer_.size();
  if (!writer_.append(framed_, raw_body, error)) return AppendResult::kError;
  if (options_.fsync == DiskBufferOptions::Fsync::kEveryAppend) {
    if (!writer_.sync(error)) {
      // The record is taken back and never handed out; the next append goes
      // to a fresh file, whose sync errors this one's cannot hide.
      writer_.truncateTo(start);
      roll_requested_ = true;
      return AppendResult::kError;
    }
  } else {
    unsynced_ = true;
  }
  publish(number, events, payload, std::move(decoded), decoded_bytes, writer_.size());
  if (options_.fsync == DiskBufferOptions::Fsync::kEveryAppend) {
    durable_end_.store(number + 1, std::memory_order_release);
  }
  if (number_out != nullptr) *number_out = number;
  return AppendResult::kOk;
}

bool DiskBuffer::rollSegment(uint64_t number, std::string& error) {
  if (writer_.isOpen()) {
    // Sealed segments are durable: recovery treats damage in them as real,
    // and only the newest can have a torn tail.
    // A damaged file is synced too: the records before the damage were
    // appended after the last sync, and durableEnd() will cover them.
    if (!sync(error)) return false;
    writer_.close();
  }
  {
    std::lock_guard lock(mutex_);
    if (!segments_.empty() && segments_.back().first_record == number) {
      // It holds no record, and the new segment takes its name.
      bytes_ -= segments_.back().size;
      segments_.pop_back();
      (void)::unlink(segmentPath(number).c_str());
    }
  }
  if (!writer_.create(options_.path, number, error)) return false;
  roll_requested_ = false;
  std::lock_guard lock(mutex_);
  segments_.push_back({number, writer_.size(), 0, 0});
  bytes_ += writer_.size();
  return true;
}

void DiskBuffer::publish(uint64_t number, uint32_t events, std::string_view payload,
                         std::shared_ptr<void> decoded, uint64_t decoded_bytes,
                         uint64_t end_offset) {
  std::lock_guard lock(mutex_);
  Segment& newest = segments_.back();
  bytes_ += end_offset - newest.size;
  newest.size = end_offset;
  ++newest.unhanded_records;
  newest.unhanded_events += events;
  ++pending_records_;
  pending_events_ += events;
  next_record_ = number + 1;
  if (decoded) {
    cache_.push(
        {number, events, {}, std::move(decoded), decoded_bytes, newest.first_record, end_offset});
  } else {
    cache_.push({number, events, std::string(payload), nullptr, payload.size(), newest.first_record,
                 end_offset});
  }
  readable_.notify_one();
}

bool DiskBuffer::sync(std::string& error) {
  if (!sync_failure_.empty()) {
    error = sync_failure_;
    return false;
  }
  if (!writer_.isOpen() || !unsynced_) return true;
  uint64_t end = 0;
  {
    std::lock_guard lock(mutex_);
    end = next_record_;
  }
  if (!writer_.sync(error)) return failSync(error);
  unsynced_ = false;
  last_sync_ = std::chrono::steady_clock::now();
  durable_end_.store(end, std::memory_order_release);
  return true;
}

bool DiskBuffer::syncIfDue(std::string& error) {
  if (unsynced_ && std::chrono::steady_clock::now() - last_sync_ < options_.fsync_interval) {
    return true;
  }
  return sync(error);
}

bool DiskBuffer::failSync(const std::string& error) {
  sync_failure_ = "an fsync of the disk buffer failed (" + error +
                  "); records since the last good fsync may not be on disk, so the buffer takes "
                  "no more: restart the agent";
  logError(kComponent, "disk buffer fsync failed; restart needed",
           {{"path", options_.path}, {"error", error}});
  return false;
}

void DiskBuffer::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  readable_.notify_all();
  reader_turn_.notify_all();
  space_.notify_all();
}

void DiskBuffer::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
  }
  stop();
  std::string error;
  if (writer_.isOpen() && !sync(error)) {
    logError(kComponent, "disk buffer not synced at close",
             {{"path", options_.path}, {"error", error}});
  }
  writer_.close();
  persistCursor(/*force=*/true);
  lock_fd_.reset();
}

uint64_t DiskBuffer::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

uint64_t DiskBuffer::records() const {
  std::lock_guard lock(mutex_);
  return pending_records_;
}

uint64_t DiskBuffer::events() const {
  std::lock_guard lock(mutex_);
  return pending_events_;
}

DiskBufferStats DiskBuffer::stats() const {
  std::lock_guard lock(mutex_);
  DiskBufferStats stats = counters_;
  stats.bytes = bytes_;
  stats.records = pending_records_;
  stats.events = pending_events_;
  return stats;
}

std::string DiskBuffer::segmentPath(uint64_t first_record) const {
  return options_.path + "/" + segmentFileName(first_record);
}

}  // namespace sluice
