#include "outputs/buffer/buffer_recovery.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "outputs/buffer/ack_cursor.h"
#include "outputs/buffer/quarantine.h"
#include "outputs/buffer/segment_format.h"
#include "outputs/buffer/segment_reader.h"
#include "pipeline/logger.h"
#include "pipeline/unique_fd.h"

namespace sluice {
namespace {

constexpr std::string_view kComponent = "buffer";

bool truncateDurably(const std::string& path, uint64_t size, std::string& error) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid() || ::ftruncate(fd.get(), static_cast<off_t>(size)) != 0 ||
      ::fsync(fd.get()) != 0) {
    error = "cannot truncate " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

class Recovery {
 public:
  Recovery(const std::string& dir, RecoveredBuffer& out) : dir_(dir), out_(out) {}

  // False, with `error`, when a segment cannot be read at all (EIO,
  // EACCES): that is no proof of damage, and quarantining it would give up
  // acknowledged records, so the buffer refuses to open instead.
  bool run(const std::vector<SegmentName>& names, std::string& error) {
    size_t start = dropAcknowledged(names);
    uint64_t lowest = 0;
    for (size_t i = start; i < names.size(); ++i) {
      const bool newest = i + 1 == names.size();
      const uint64_t below = newest ? UINT64_MAX : names[i + 1].first_record;
      out_.next_record = std::max(out_.next_record, names[i].first_record);
      const std::string path = dir_ + "/" + names[i].name;
      SegmentScan scan = scanSegment(path, names[i].first_record, lowest, below, out_.ack_cursor,
                                     /*decoder=*/nullptr);
      if (scan.problem && scan.problem->io_error) {
        error = "cannot read " + path + ": " + scan.problem->reason;
        return false;
      }
      bool keep = scan.header_ok;
      if (scan.problem && newest && !scan.problem->valid_data_follows && !scan.problem->io_error) {
        keep = cutTornTail(names[i], path, scan);
      } else if (scan.problem) {
        keep = quarantine(names[i], path, scan, newest ? std::nullopt : std::optional(below));
      }
      if (!keep) continue;
      out_.segments.push_back(
          {names[i].first_record, scan.valid_end, scan.records_from, scan.events_from});
      if (scan.records > 0) lowest = scan.last_number + 1;
      out_.next_record = std::max(out_.next_record, lowest);
    }
    RecoveryReport& report = out_.report;
    report.ack_cursor = out_.ack_cursor;
    report.segments = out_.segments.size();
    for (const RecoveredSegment& s : out_.segments) {
      report.records += s.pending_records;
      report.events += s.pending_events;
      report.bytes += s.size;
    }
    return true;
  }

 private:
  // Segments whose every record is below the cursor (the next segment starts
  // at or below it) were delivered; the newest is kept for its name.
  size_t dropAcknowledged(const std::vector<SegmentName>& names) {
    size_t start = 0;
    while (start + 1 < names.size() && names[start + 1].first_record <= out_.ack_cursor) {
      const std::string path = dir_ + "/" + names[start].name;
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) break;  // kept and scanned instead
      ++start;
    }
    return start;
  }

  bool cutTornTail(const SegmentName& name, const std::string& path, const SegmentScan& scan) {
    RecoveryReport& report = out_.report;
    ++report.torn_tails;
    report.torn_bytes += scan.file_size - scan.valid_end;
    logWarn(kComponent, "removed the end of a record torn by a crash; it was never acknowledged",
            {{"segment", path},
             {"offset", scan.problem->offset},
             {"bytes", scan.file_size - scan.valid_end},
             {"reason", scan.problem->reason}});
    std::string error;
    if (!scan.header_ok) {
      // Created but its header never made it: nothing was written into it.
      if (::unlink(path.c_str()) != 0) {
        logError(kComponent, "cannot remove a torn segment",
                 {{"segment", path}, {"error", std::strerror(errno)}});
      }
      return false;
    }
    if (!truncateDurably(path, scan.valid_end, error)) {
      // The writer appends at valid_end with pwrite, overwriting the tail.
      logError(kComponent, "cannot cut a torn tail", {{"segment", name.name}, {"error", error}});
    }
    return true;
  }

  bool quarantine(const SegmentName& name, const std::string& path, const SegmentScan& scan,
                  std::optional<uint64_t> next_segment) {
    RecoveryReport& report = out_.report;
    const uint64_t lost_bytes = scan.file_size - scan.valid_end;
    uint64_t lost_records = 0;
    if (next_segment) {
      const uint64_t first_missing =
          std::max(scan.records > 0 ? scan.last_number + 1 : name.first_record, out_.ack_cursor);
      if (*next_segment > first_missing) lost_records = *next_segment - first_missing;
    }
    ++report.quarantined_segments;
    report.quarantined_bytes += lost_bytes;
    report.records_lost += lost_records;
    std::string error;
    const std::string copy = scan.header_ok ? copyToQuarantine(dir_, name.name, error)
                                            : moveToQuarantine(dir_, name.name, error);
    logError(kComponent,
             "damaged buffer segment quarantined; the records after the damage are lost",
             {{"segment", path},
              {"offset", scan.problem->offset},
              {"reason", scan.problem->reason},
              {"bytes_lost", lost_bytes},
              {"records_lost", lost_records},
              {"quarantine", copy.empty() ? "failed: " + error : copy}});
    if (!scan.header_ok) {
      // Not moved aside: left in place, it is quarantined again next time.
      return false;
    }
    if (!truncateDurably(path, scan.valid_end, error)) {
      logError(kComponent, "cannot cut a damaged segment", {{"segment", path}, {"error", error}});
    }
    return true;
  }

  const std::string& dir_;
  RecoveredBuffer& out_;
};

}  // namespace

bool recoverBuffer(const std::string& dir, RecoveredBuffer& recovered, std::string& error) {
  recovered = {};
  std::vector<SegmentName> names;
  if (!listSegments(dir, names, error)) return false;
  std::string problem;
  std::optional<uint64_t> cursor = readAckCursor(dir, problem);
  if (!problem.empty()) {
    recovered.report.ack_cursor_reset = true;
    logWarn(kComponent, "acknowledgement cursor unreadable; every buffered record is replayed",
            {{"path", dir}, {"problem", problem}});
  }
  recovered.ack_cursor = cursor.value_or(0);
  recovered.next_record = recovered.ack_cursor;
  return Recovery(dir, recovered).run(names, error);
}

}  // namespace sluice
