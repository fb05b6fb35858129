#include "inputs/line_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

struct Seen {
  std::string text;
  uint64_t offset;
  bool truncated;
  bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  os << "{";
  if (s.text.size() > 40) {
    os << s.text.size() << " bytes \"" << s.text.substr(0, 20) << "...\"";
  } else {
    os << '"' << s.text << '"';
  }
  return os << " @" << s.offset << (s.truncated ? " truncated" : "") << "}";
}

auto collect(std::vector<Seen>& seen) {
  return [&seen](const LineReader::Line& line) {
    // simdjson reads up to SIMDJSON_PADDING bytes past the end of a line:
    // touch the last one so a sanitizer build catches a short buffer.
    volatile char last = line.text.data()[line.text.size() + simdjson::SIMDJSON_PADDING - 1];
    (void)last;
    seen.push_back({std::string(line.text), line.offset, line.truncated});
  };
}

// Feeds a LineReader through a pipe, one write per chunk.
class LineReaderTest : public testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  void TearDown() override {
    if (read_fd_ >= 0) ::close(read_fd_);
    closeWriter();
  }
  void closeWriter() {
    if (write_fd_ >= 0) ::close(write_fd_);
    write_fd_ = -1;
  }

  // Writes `chunk` (at most a pipe buffer) and has the reader take all of it,
  // in as many reads as its read size needs.
  std::vector<Seen> feed(LineReader& reader, std::string_view chunk) {
    EXPECT_EQ(::write(write_fd_, chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
    std::vector<Seen> seen;
    size_t total = 0;
    while (total < chunk.size()) {
      size_t bytes = 0;
      EXPECT_EQ(reader.readLines(read_fd_, bytes, collect(seen)), LineReader::Status::kData);
      if (bytes == 0) break;
      total += bytes;
    }
    EXPECT_EQ(total, chunk.size());
    return seen;
  }

  int read_fd_ = -1;
  int write_fd_ = -1;
};

using Lines = std::vector<Seen>;

TEST_F(LineReaderTest, SplitsLinesWithExactOffsets) {
  LineReader reader(1024);
  EXPECT_EQ(
      feed(reader, "first\nsecond line\n{\"msg\":\"x\"}\n"),
      (Lines{{"first", 0, false}, {"second line", 6, false}, {"{\"msg\":\"x\"}", 18, false}}));
  EXPECT_EQ(reader.committedOffset(), 30u);
  EXPECT_EQ(reader.readOffset(), 30u);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST_F(LineReaderTest, LineSplitAcrossReadsIsHeldUntilItsNewline) {
  LineReader reader(1024);
  EXPECT_EQ(feed(reader, "one\ntw"), (Lines{{"one", 0, false}}));
  EXPECT_EQ(reader.committedOffset(), 4u);
  EXPECT_EQ(reader.readOffset(), 6u);
  EXPECT_EQ(reader.buffered(), 2u);
  EXPECT_EQ(feed(reader, "o-and-"), Lines{});
  EXPECT_EQ(reader.committedOffset(), 4u);
  EXPECT_EQ(feed(reader, "more\nthree\n"),
            (Lines{{"two-and-more", 4, false}, {"three", 17, false}}));
  EXPECT_EQ(reader.committedOffset(), 23u);
}

TEST_F(LineReaderTest, CrlfIsStrippedAndOffsetsCountTheCarriageReturn) {
  LineReader reader(1024);
  EXPECT_EQ(feed(reader, "a\r\nbb\r\n\r\nc\rd\n"),
            (Lines{{"a", 0, false}, {"bb", 3, false}, {"c\rd", 9, false}}));
}

TEST_F(LineReaderTest, CrlfSplitBetweenReads) {
  LineReader reader(1024);
  EXPECT_EQ(feed(reader, "abc\r"), Lines{});
  EXPECT_EQ(feed(reader, "\nxyz\n"), (Lines{{"abc", 0, false}, {"xyz", 5, false}}));
}

TEST_F(LineReaderTest, EmptyLinesAreSkippedButCounted) {
  LineReader reader(1024);
  EXPECT_EQ(feed(reader, "\n\nx\n\n\ny\n"), (Lines{{"x", 2, false}, {"y", 6, false}}));
  EXPECT_EQ(reader.committedOffset(), 8u);
}

TEST_F(LineReaderTest, EndOfFileAndFlushPartial) {
  LineReader reader(1024);
  EXPECT_EQ(feed(reader, "done\nno newline at the end"), (Lines{{"done", 0, false}}));
  closeWriter();
  Lines seen;
  size_t bytes = 1;
  EXPECT_EQ(reader.readLines(read_fd_, bytes, collect(seen)), LineReader::Status::kEndOfFile);
  EXPECT_EQ(bytes, 0u);
  EXPECT_TRUE(seen.empty());
  reader.flushPartial(collect(seen));
  EXPECT_EQ(seen, (Lines{{"no newline at the end", 5, false}}));
  EXPECT_EQ(reader.committedOffset(), 26u);
  // Nothing left to flush twice.
  seen.clear();
  reader.flushPartial(collect(seen));
  EXPECT_TRUE(seen.empty());
}

TEST_F(LineReaderTest, FlushPartialStripsACarriageReturnAndIgnoresNothing) {
  LineReader reader(1024);
  Lines seen;
  reader.flushPartial(collect(seen));
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(feed(reader, "last\r"), Lines{});
  reader.flushPartial(collect(seen));
  EXPECT_EQ(seen, (Lines{{"last", 0, false}}));
}

TEST_F(LineReaderTest, ReadErrorIsReported) {
  LineReader reader(1024);
  Lines seen;
  size_t bytes = 7;
  EXPECT_EQ(reader.readLines(-1, bytes, collect(seen)), LineReader::Status::kError);
  EXPECT_EQ(bytes, 0u);
}

TEST_F(LineReaderTest, LongLineArrivingInPiecesIsTruncatedOnceAndTheRestSkipped) {
  LineReader reader(1024, /*read_size=*/256);
  const std::string head(1024, 'a');
  // The line grows past max_line_bytes before its newline arrives.
  EXPECT_EQ(feed(reader, "short\n" + std::string(600, 'a')), (Lines{{"short", 0, false}}));
  EXPECT_EQ(feed(reader, std::string(600, 'a')), (Lines{{head, 6, true}}));
  EXPECT_EQ(feed(reader, std::string(3000, 'b')), Lines{});
  EXPECT_EQ(feed(reader, "bbb\nnext\n"), (Lines{{"next", 6 + 1200 + 3000 + 4, false}}));
  EXPECT_EQ(reader.committedOffset(), 6u + 1200 + 3000 + 4 + 5);
}

TEST_F(LineReaderTest, LongLineArrivingWithItsNewlineIsTruncatedToo) {
  // The whole over-long line and the next one come in a single read.
  LineReader reader(1024);
  const std::string line(5000, 'x');
  EXPECT_EQ(feed(reader, line + "\nnext\n"),
            (Lines{{std::string(1024, 'x'), 0, true}, {"next", 5001, false}}));
}

TEST_F(LineReaderTest, LongLineCompletedInTheSecondReadIsTruncated) {
  LineReader reader(1024);
  EXPECT_EQ(feed(reader, std::string(1000, 'x')), Lines{});
  EXPECT_EQ(feed(reader, std::string(100, 'x') + "\nnext\n"),
            (Lines{{std::string(1024, 'x'), 0, true}, {"next", 1101, false}}));
}

TEST_F(LineReaderTest, LineOfExactlyMaxBytesIsNotTruncated) {
  LineReader reader(1024);
  const std::string line(1024, 'x');
  EXPECT_EQ(feed(reader, line), Lines{});
  EXPECT_EQ(feed(reader, "\nnext\n"), (Lines{{line, 0, false}, {"next", 1025, false}}));
}

TEST_F(LineReaderTest, TruncatedUnterminatedLineIsNotFlushedAgain) {
  LineReader reader(1024, 256);
  EXPECT_EQ(feed(reader, std::string(1500, 'z')), (Lines{{std::string(1024, 'z'), 0, true}}));
  Lines seen;
  reader.flushPartial(collect(seen));
  EXPECT_TRUE(seen.empty());
}

TEST_F(LineReaderTest, LongLinesWithinTheLimitGrowTheBuffer) {
  LineReader reader(64 * 1024, /*read_size=*/256);
  std::string line;
  for (int i = 0; line.size() < 10'000; ++i) line += "word" + std::to_string(i) + " ";
  Lines seen;
  for (size_t pos = 0; pos < line.size(); pos += 200) {
    for (const Seen& s : feed(reader, line.substr(pos, 200))) seen.push_back(s);
  }
  for (const Seen& s : feed(reader, "\n")) seen.push_back(s);
  EXPECT_EQ(seen, (Lines{{line, 0, false}}));
}

TEST_F(LineReaderTest, ResetStartsOverAtTheGivenOffset) {
  LineReader reader(1024);
  EXPECT_EQ(feed(reader, "a\npartial"), (Lines{{"a", 0, false}}));
  reader.reset(1000);
  EXPECT_EQ(reader.committedOffset(), 1000u);
  EXPECT_EQ(reader.readOffset(), 1000u);
  EXPECT_EQ(reader.buffered(), 0u);
  // The partial line before the reset is gone.
  EXPECT_EQ(feed(reader, "fresh\n"), (Lines{{"fresh", 1000, false}}));
}

TEST_F(LineReaderTest, ResetWhileSkippingALongLine) {
  LineReader reader(1024, 256);
  EXPECT_EQ(feed(reader, std::string(1100, 'q')).size(), 1u);
  reader.reset(0);  // e.g. the file was truncated
  EXPECT_EQ(feed(reader, "new\n"), (Lines{{"new", 0, false}}));
}

TEST(LineReaderFile, ReadsAFileToTheEndInSmallReads) {
  char path[] = "/tmp/sluice_line_reader_XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  std::string content;
  std::vector<Seen> expected;
  for (int i = 0; i < 500; ++i) {
    std::string line = R"({"msg":"event )" + std::to_string(i) + R"(","level":"info"})";
    expected.push_back({line, content.size(), false});
    content += line + (i % 3 == 0 ? "\r\n" : "\n");
  }
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ASSERT_EQ(::lseek(fd, 0, SEEK_SET), 0);
  LineReader reader(1024, /*read_size=*/100);
  std::vector<Seen> seen;
  size_t bytes = 0, total = 0;
  while (reader.readLines(fd, bytes, [&](const LineReader::Line& l) {
    seen.push_back({std::string(l.text), l.offset, l.truncated});
  }) == LineReader::Status::kData) {
    total += bytes;
  }
  ::close(fd);
  EXPECT_EQ(total, content.size());
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(reader.committedOffset(), content.size());
}

}  // namespace
}  // namespace sluice
