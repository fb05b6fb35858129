#include "outputs/buffer/segment_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice {

bool SegmentReader::open(const std::string& path, std::string& error) {
  path_ = path;
  fd_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd_.valid()) {
    const int open_errno = errno;
    error = "cannot open " + path + ": " + std::strerror(open_errno);
    errno = open_errno;  // callers tell passing errors from lasting ones
    return false;
  }
  return true;
}

std::optional<uint64_t> SegmentReader::size(std::string& error) const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) {
    error = "cannot stat " + path_ + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return static_cast<uint64_t>(st.st_size);
}

SegmentReader::Status SegmentReader::readAt(uint64_t offset, size_t n, std::string& out,
                                            std::string& reason) {
  out.resize(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t got =
        ::pread(fd_.get(), out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      reason = std::string("read error: ") + std::strerror(errno);
      return Status::kIoError;
    }
    if (got == 0) {
      reason = "file ends inside the record";
      return Status::kCorrupt;
    }
    done += static_cast<size_t>(got);
  }
  return Status::kOk;
}

SegmentReader::Status SegmentReader::readHeader(uint64_t& first_record, std::string& reason) {
  Status status = readAt(0, kSegmentHeaderSize, scratch_, reason);
  if (status == Status::kCorrupt) reason = "truncated segment header";
  if (status != Status::kOk) return status;
  return parseSegmentHeader(scratch_, first_record, reason) ? Status::kOk : Status::kCorrupt;
}

SegmentReader::Status SegmentReader::readRecord(uint64_t offset, uint64_t limit,
                                                RecordHeader& header, std::string& stored,
                                                std::string& reason) {
  if (offset == limit) return Status::kEnd;
  if (offset > limit || limit - offset < kRecordHeaderSize) {
    reason = "truncated record header";
    return Status::kCorrupt;
  }
  Status status = readAt(offset, kRecordHeaderSize, scratch_, reason);
  if (status != Status::kOk) return status;
  if (!parseRecordHeader(scratch_, header, reason)) return Status::kCorrupt;
  // Checked before reading: a forged length never turns into a huge read.
  if (header.framedSize() > limit - offset) {
    reason = "record extends past the end of the segment";
    return Status::kCorrupt;
  }
  status = readAt(offset + kRecordHeaderSize, header.stored_length, stored, reason);
  if (status != Status::kOk) return status;
  if (!recordCrcMatches(scratch_, stored)) {
    reason = "record checksum mismatch";
    return Status::kCorrupt;
  }
  return Status::kOk;
}

bool SegmentReader::validRecordAfter(uint64_t offset, uint64_t limit) {
  constexpr size_t kChunk = 1 << 20;
  constexpr std::string_view kMarker = "SLRC";
  std::string chunk;
  std::string stored;
  std::string reason;
  RecordHeader header;
  for (uint64_t start = offset + 1; start + kMarker.size() <= limit;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, limit - start));
    if (readAt(start, n, chunk, reason) != Status::kOk) return false;
    for (size_t at = chunk.find(kMarker); at != std::string::npos;
         at = chunk.find(kMarker, at + 1)) {
      // readRecord uses scratch_, not `chunk`: the search goes on after it.
      if (readRecord(start + at, limit, header, stored, reason) == Status::kOk) return true;
    }
    if (start + n >= limit) break;
    start += n - (kMarker.size() - 1);  // a marker may straddle two chunks
  }
  return false;
}

namespace {

void noteProblem(SegmentScan& scan, SegmentReader& reader, uint64_t offset, std::string reason,
                 bool io_error) {
  scan.problem = SegmentScan::Problem{offset, std::move(reason), io_error,
                                      reader.validRecordAfter(offset, scan.file_size)};
}

}  // namespace

SegmentScan scanSegment(const std::string& path, uint64_t first_record, uint64_t lowest,
                        uint64_t below, uint64_t count_from, RecordDecoder* decoder) {
  SegmentScan scan;
  SegmentReader reader;
  std::string reason;
  std::optional<uint64_t> size;
  if (!reader.open(path, reason) || !(size = reader.size(reason))) {
    scan.problem = SegmentScan::Problem{0, reason, true, false};
    return scan;
  }
  scan.file_size = *size;
  uint64_t named = 0;
  const SegmentReader::Status header_status = reader.readHeader(named, reason);
  if (header_status == SegmentReader::Status::kOk && named != first_record) {
    noteProblem(scan, reader, 0,
                "header names record " + std::to_string(named) + ", file name says " +
                    std::to_string(first_record),
                false);
    return scan;
  }
  if (header_status != SegmentReader::Status::kOk) {
    noteProblem(scan, reader, 0, reason, header_status == SegmentReader::Status::kIoError);
    return scan;
  }
  scan.header_ok = true;
  scan.valid_end = kSegmentHeaderSize;
  lowest = std::max(lowest, first_record);
  RecordHeader header;
  std::string stored;
  std::string payload;
  for (uint64_t offset = kSegmentHeaderSize;;) {
    const SegmentReader::Status status =
        reader.readRecord(offset, scan.file_size, header, stored, reason);
    if (status == SegmentReader::Status::kEnd) break;
    if (status != SegmentReader::Status::kOk) {
      noteProblem(scan, reader, offset, reason, status == SegmentReader::Status::kIoError);
      break;
    }
    if (header.number < lowest || header.number >= below) {
      noteProblem(scan, reader, offset,
                  "record number " + std::to_string(header.number) + " out of sequence", false);
      break;
    }
    if (decoder != nullptr && !decoder->decode(header, stored, payload, reason)) {
      noteProblem(scan, reader, offset, reason, false);
      break;
    }
    if (scan.records == 0) scan.first_number = header.number;
    scan.last_number = header.number;
    ++scan.records;
    scan.events += header.events;
    scan.raw_bytes += header.raw_length;
    scan.stored_bytes += header.stored_length;
    if (header.number >= count_from) {
      ++scan.records_from;
      scan.events_from += header.events;
    }
    lowest = header.number + 1;
    offset += header.framedSize();
    scan.valid_end = offset;
  }
  return scan;
}

}  // namespace sluice
