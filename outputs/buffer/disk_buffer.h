#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "outputs/buffer/buffer_recovery.h"
#include "outputs/buffer/record_cache.h"
#include "outputs/buffer/segment_format.h"
#include "outputs/buffer/segment_reader.h"
#include "outputs/buffer/segment_writer.h"
#include "pipeline/logger.h"
#include "pipeline/unique_fd.h"

namespace sluice {

struct DiskBufferOptions {
  std::string path;  // the buffer's own directory
  uint64_t max_size = 0;
  // Space is reclaimed a whole segment at a time. 0: min(64 MiB, max_size / 8),
  // at least 4 KiB. max_size must be at least twice the segment size.
  uint64_t segment_size = 0;
  enum class WhenFull { kBlock, kDropNewest };
  WhenFull when_full = WhenFull::kBlock;
  enum class Fsync { kEveryAppend, kInterval };
  Fsync fsync = Fsync::kEveryAppend;
  std::chrono::milliseconds fsync_interval{1000};
  int zstd_level = 1;
  uint64_t memory_cache_bytes = 32 << 20;
};

enum class AppendResult {
  kOk,       // written (and, with Fsync::kEveryAppend, durable)
  kDropped,  // full, and when_full is kDropNewest
  kStopped,  // full, and stop() was called while waiting
  kError,    // not written; the error says why; the buffer is consistent
};

struct BufferedRecord {
  uint64_t number = 0;
  uint32_t events = 0;
  std::string payload;  // empty when `decoded` is set
  // What the writer passed to append() as the payload's decoded form, when
  // the record came from the memory cache.
  std::shared_ptr<void> decoded;
};

struct DiskBufferStats {
  uint64_t bytes = 0;    // segment files on disk
  uint64_t records = 0;  // not yet acknowledged
  uint64_t events = 0;   // in those records
  uint64_t dropped_records = 0;
  // Since open, recovery included.
  uint64_t torn_tails = 0;
  uint64_t torn_bytes = 0;
  uint64_t quarantined_segments = 0;
  uint64_t quarantined_bytes = 0;
  uint64_t records_lost = 0;
  uint64_t events_lost = 0;  // in records lost to damage found while reading
};

// A crash-safe FIFO of records on disk between an output's batches and its
// senders: inputs can be acknowledged once their events are in the buffer,
// and the buffer hands the records to senders until they acknowledge them.
//
// Threads: one writer thread calls append(), sync(), syncIfDue() and close();
// any number of reader threads call next() and acknowledge(); stop() and the
// getters may be called from anywhere.
//
// Durability: with Fsync::kEveryAppend, a record is on stable storage when
// append() returns kOk. With Fsync::kInterval, append() does not sync; the
// writer calls syncIfDue() regularly (after appends and when idle) and may
// acknowledge the inputs of record N only once durableEnd() > N. A failed
// sync in that mode is sticky (like PostgreSQL's PANIC on fsync failure):
// Linux may already have dropped the unsynced pages and would report success
// on a retry, so the buffer refuses further writes and the agent must be
// restarted; the inputs re-read what was not durable.
//
// Delivery is at least once: records handed out by next() and not
// acknowledged before close (or a crash) are handed out again after the next
// open; acknowledgements may also be lost in a crash (the cursor is persisted
// at most every 250 ms), so a few delivered records may come again.
class DiskBuffer {
 public:
  // Creates the directory if need be, locks it (one agent per buffer) and
  // recovers it: damage is repaired and reported, never fatal. nullptr, with
  // `error`, for bad options, a directory in use or one that cannot be used.
  static std::unique_ptr<DiskBuffer> open(const DiskBufferOptions& options, std::string& error);
  ~DiskBuffer();
  DiskBuffer(const DiskBuffer&) = delete;
  DiskBuffer& operator=(const DiskBuffer&) = delete;

  // Frames, compresses and writes one record; `number`, when given, receives
  // its record number. When the record does not fit in max_size, waits
  // (kBlock) or drops it (kDropNewest); a record is always accepted when the
  // buffer holds nothing unacknowledged, so one larger than the limit cannot
  // stop the pipeline for good.
  //
  // `decoded` (optional) is the caller's own form of the payload, `decoded_bytes`
  // its size in memory: the cache keeps it instead of a copy of the payload,
  // and a reader served from the cache gets it back in
  // BufferedRecord::decoded. Records are zstd-compressed only while readers
  // are behind (more than a segment waits): what they take at once is
  // deleted within seconds, and compressing it would only cost CPU.
  AppendResult append(std::string_view payload, uint32_t events, std::string& error,
                      uint64_t* number = nullptr, std::shared_ptr<void> decoded = {},
                      uint64_t decoded_bytes = 0);
  // Makes every appended record durable (Fsync::kInterval).
  bool sync(std::string& error);
  // sync() when fsync_interval has passed since the last one and there is
  // something to sync. False only when a sync failed (now or before).
  bool syncIfDue(std::string& error);
  // Every record numbered below this is on stable storage.
  uint64_t durableEnd() const { return durable_end_.load(std::memory_order_acquire); }

  // The next record not yet handed out, oldest first; nullopt at `deadline`
  // or after stop(). Records found damaged are quarantined and skipped.
  std::optional<BufferedRecord> next(std::chrono::steady_clock::time_point deadline);
  // In any order, from any reader. Segments whose records are all
  // acknowledged are deleted, which unblocks a waiting append().
  void acknowledge(uint64_t number);

  // Wakes a blocked append() (kStopped) and every next() (nullopt); appends
  // that fit still succeed, so a writer can flush while shutting down.
  void stop();
  // Syncs, persists the acknowledgement cursor and unlocks the directory.
  // Call after the writer and readers are done; the destructor calls it.
  void close();

  uint64_t bytes() const;
  uint64_t records() const;
  uint64_t events() const;
  DiskBufferStats stats() const;
  const RecoveryReport& recoveryReport() const { return recovery_; }
  const std::string& path() const { return options_.path; }

 private:
  struct Segment {
    uint64_t first_record = 0;
    uint64_t size = 0;  // up to the end of the last record published
    // Records not yet handed out (below the cursor at open: not counted).
    uint64_t unhanded_records = 0;
    uint64_t unhanded_events = 0;
  };
  // Where the next record to read from disk starts.
  struct ReadPosition {
    uint64_t segment = 0;
    uint64_t offset = 0;
  };
  enum class DiskRead { kHandedOut, kMoved, kRetryLater };

  DiskBuffer(const DiskBufferOptions& options, UniqueFd lock, RecoveredBuffer recovered);
  bool reopenNewestSegment(std::string& error);

  // Writer side.
  bool rollSegment(uint64_t number, std::string& error);
  void publish(uint64_t number, uint32_t events, std::string_view payload,
               std::shared_ptr<void> decoded, uint64_t decoded_bytes, uint64_t end_offset);
  bool failSync(const std::string& error);

  // Reader side; `lock` holds mutex_, and it is the caller's turn to read.
  std::optional<BufferedRecord> takeFromCache();
  DiskRead readFromDisk(std::unique_lock<std::mutex>& lock, std::optional<BufferedRecord>& out);
  void skipDamage(std::unique_lock<std::mutex>& lock, uint64_t segment, uint64_t offset,
                  const std::string& reason);
  BufferedRecord handOut(uint64_t number, uint32_t events, std::string payload,
                         std::shared_ptr<void> decoded, uint64_t segment, uint64_t end_offset);
  std::deque<Segment>::iterator findSegment(uint64_t first_record);
  uint64_t ackCursorLocked() const;
  void persistCursor(bool force);
  std::string segmentPath(uint64_t first_record) const;

  const DiskBufferOptions options_;
  const uint64_t segment_size_;
  UniqueFd lock_fd_;
  const RecoveryReport recovery_;
  std::atomic<uint64_t> durable_end_{0};

  // The writer thread's own.
  SegmentWriter writer_;
  RecordEncoder encoder_;
  std::string framed_;
  // A fresh segment for the next append: after a failed sync, or damage
  // found in the newest segment (set by a reader).
  std::atomic<bool> roll_requested_{false};
  bool unsynced_ = false;
  std::string sync_failure_;  // sticky, Fsync::kInterval
  std::chrono::steady_clock::time_point last_sync_;

  // The reader whose turn it is (reading_, under mutex_) reads the segment
  // files and waits for appends; the others wait for their turn, each until
  // its own deadline. (A flag and a condition variable rather than a timed
  // mutex: ThreadSanitizer cannot follow pthread_mutex_clocklock.)
  SegmentReader reader_;
  uint64_t reader_segment_ = 0;
  RecordDecoder decoder_;
  std::string stored_;

  // Serializes writes of the ack file, so an older cursor never replaces a
  // newer one.
  std::mutex persist_mutex_;
  LogRateLimiter cursor_log_;      // under persist_mutex_
  LogRateLimiter read_error_log_;  // under mutex_

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable readable_;
  std::condition_variable reader_turn_;
  bool reading_ = false;
  std::condition_variable space_;
  std::deque<Segment> segments_;  // oldest first; the newest is being written
  uint64_t bytes_ = 0;
  uint64_t next_record_ = 0;  // the number append() gives next
  uint64_t frontier_ = 0;     // every record below was handed out, or lost
  ReadPosition position_;
  RecordCache cache_;
  std::map<uint64_t, uint32_t> in_flight_;  // handed out, unacknowledged: events
  uint64_t pending_records_ = 0;
  uint64_t pending_events_ = 0;
  DiskBufferStats counters_;  // the counters; the gauges are computed
  uint64_t persisted_cursor_ = 0;
  std::chrono::steady_clock::time_point last_persist_;
  bool stopped_ = false;
  bool closed_ = false;
};

}  // namespace sluice
