#pragma once

#include <simdjson.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace sluice {

// Splits what is read from a file descriptor into lines, in large reads and
// without copying lines: each line is handed out as a view into the read
// buffer, followed by at least SIMDJSON_PADDING readable bytes so simdjson
// can parse it in place. A line longer than `max_line_bytes` is handed out
// cut to that length (flagged `truncated`) and the rest of it is skipped.
class LineReader {
 public:
  struct Line {
    std::string_view text;  // without the newline
    uint64_t offset;        // of the first byte in the stream
    uint64_t end_offset;    // where reading resumes after this line
    bool truncated;
  };
  enum class Status { kData, kEndOfFile, kError };

  static constexpr size_t kInitialCapacity = 64 * 1024;

  explicit LineReader(size_t max_line_bytes, size_t read_size = 256 * 1024);

  // One read(2) of up to read_size bytes, then `on_line` for each complete
  // line. `bytes` gets the number of bytes read.
  template <class OnLine>
  Status readLines(int fd, size_t& bytes, OnLine&& on_line);

  // Hands out an unterminated last line (stdin at end of input).
  template <class OnLine>
  void flushPartial(OnLine&& on_line);

  // Start over at `offset` (a truncated file, a seek to the end).
  void reset(uint64_t offset);
  // Offset of the first byte not yet handed out as part of a line: where
  // reading would resume after a restart.
  uint64_t committedOffset() const { return end_offset_ - (end_ - begin_); }
  uint64_t readOffset() const { return end_offset_; }
  size_t buffered() const { return end_ - begin_; }

 private:
  void makeRoom();
  // Empty and whitespace-only lines carry no event.
  static bool isBlank(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') return false;
    }
    return true;
  }
  template <class OnLine>
  void splitLines(OnLine&& on_line);

  size_t max_line_bytes_;
  size_t read_size_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;          // usable bytes, padding excluded
  size_t begin_ = 0;         // first byte of the unfinished line
  size_t end_ = 0;           // end of the data read
  uint64_t end_offset_ = 0;  // stream offset of buffer_[end_]
  bool skipping_ = false;    // inside the rest of a truncated line
  bool last_read_filled_ = false;
};

template <class OnLine>
void LineReader::splitLines(OnLine&& on_line) {
  while (begin_ < end_) {
    const char* start = buffer_.get() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl == nullptr) break;
    size_t length = static_cast<size_t>(nl - start);
    const uint64_t offset = end_offset_ - (end_ - begin_);
    const uint64_t line_end = offset + length + 1;
    if (skipping_) {
      skipping_ = false;
    } else {
      if (length > 0 && start[length - 1] == '\r') --length;
      const bool truncated = length > max_line_bytes_;
      if (truncated) length = max_line_bytes_;
      if (!isBlank(start, length)) on_line(Line{{start, length}, offset, line_end, truncated});
    }
    begin_ += static_cast<size_t>(nl - start) + 1;
  }
  if (end_ - begin_ > max_line_bytes_ && !skipping_) {
    uint64_t offset = end_offset_ - (end_ - begin_);
    // Handed out before its end is known: a restart resumes inside it.
    on_line(
        Line{{buffer_.get() + begin_, max_line_bytes_}, offset, offset + max_line_bytes_, true});
    skipping_ = true;
  }
  if (skipping_) begin_ = end_;  // the rest of the long line is dropped as it comes
}

template <class OnLine>
LineReader::Status LineReader::readLines(int fd, size_t& bytes, OnLine&& on_line) {
  makeRoom();
  const size_t wanted = std::min(read_size_, capacity_ - end_);
  ssize_t n;
  do {
    n = ::read(fd, buffer_.get() + end_, wanted);
  } while (n < 0 && errno == EINTR);
  last_read_filled_ = n == static_cast<ssize_t>(wanted);
  if (n < 0) {
    bytes = 0;
    return Status::kError;
  }
  bytes = static_cast<size_t>(n);
  if (n == 0) return Status::kEndOfFile;
  end_ += bytes;
  end_offset_ += bytes;
  std::memset(buffer_.get() + end_, 0, simdjson::SIMDJSON_PADDING);
  splitLines(on_line);
  return Status::kData;
}

template <class OnLine>
void LineReader::flushPartial(OnLine&& on_line) {
  if (begin_ < end_ && !skipping_) {
    size_t length = end_ - begin_;
    if (buffer_[begin_ + length - 1] == '\r') --length;
    if (!isBlank(buffer_.get() + begin_, length)) {
      on_line(Line{
          {buffer_.get() + begin_, length}, end_offset_ - (end_ - begin_), end_offset_, false});
    }
  }
  begin_ = end_;
  skipping_ = false;
}

}  // namespace sluice
