#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "buffer_test_support.h"
#include "outputs/buffer/disk_buffer.h"
#include "outputs/buffer/segment_format.h"
#include "outputs/buffer/segment_reader.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing_support::filesIn;
using testing_support::flipByte;
using testing_support::readFile;
using testing_support::TempDir;
using testing_support::writeFile;

std::string payloadFor(uint64_t n) {
  std::string text = "record " + std::to_string(n) + ":";
  for (uint64_t i = 0; text.size() < 500; ++i) text += std::to_string(i * n * 2654435761u % 997);
  return text;
}

struct RecordAt {
  uint64_t number;
  uint64_t offset;
};

// Where each record of a segment starts.
std::vector<RecordAt> recordsOf(const std::string& path) {
  SegmentReader reader;
  std::string error;
  EXPECT_TRUE(reader.open(path, error)) << error;
  const uint64_t size = reader.size(error).value_or(0);
  std::vector<RecordAt> records;
  RecordHeader header;
  std::string stored;
  for (uint64_t offset = kSegmentHeaderSize;
       reader.readRecord(offset, size, header, stored, error) == SegmentReader::Status::kOk;
       offset += header.framedSize()) {
    records.push_back({header.number, offset});
  }
  return records;
}

class DiskBufferRecoveryTest : public testing::Test {
 protected:
  DiskBufferOptions options() const {
    DiskBufferOptions o;
    o.path = dir_ / "buffer";
    o.max_size = 1 << 20;
    o.segment_size = 4096;
    o.memory_cache_bytes = 0;  // every record read back from its segment
    return o;
  }

  std::unique_ptr<DiskBuffer> open() {
    std::string error;
    std::unique_ptr<DiskBuffer> buffer = DiskBuffer::open(options(), error);
    EXPECT_NE(buffer, nullptr) << error;
    return buffer;
  }

  // A buffer holding records 0..count-1, closed.
  void fill(uint64_t count) {
    auto buffer = open();
    std::string error;
    for (uint64_t n = 0; n < count; ++n) {
      ASSERT_EQ(buffer->append(payloadFor(n), 2, error), AppendResult::kOk) << error;
    }
  }

  std::vector<std::string> segments() const { return filesIn(options().path, ".seg"); }
  std::string segmentPath(size_t i) const { return options().path + "/" + segments().at(i); }

  // Every record the buffer hands out, checked against what was appended.
  std::vector<uint64_t> drain(DiskBuffer& buffer) {
    std::vector<uint64_t> numbers;
    while (auto record = buffer.next(std::chrono::steady_clock::now() + 100ms)) {
      EXPECT_EQ(record->payload, payloadFor(record->number));
      numbers.push_back(record->number);
      buffer.acknowledge(record->number);
    }
    return numbers;
  }

  static std::vector<uint64_t> range(uint64_t from, uint64_t to) {
    std::vector<uint64_t> numbers;
    for (uint64_t n = from; n < to; ++n) numbers.push_back(n);
    return numbers;
  }

  std::vector<std::string> quarantined() const { return filesIn(options().path + "/quarantine"); }

  TempDir dir_;
};

TEST_F(DiskBufferRecoveryTest, CutsATornTailOffTheNewestSegment) {
  fill(5);
  // A crash in the middle of writing record 5.
  RecordEncoder encoder(1);
  std::string framed;
  std::string error;
  ASSERT_TRUE(encoder.encode(5, 2, payloadFor(5), framed, error));
  const std::string newest = segmentPath(segments().size() - 1);
  const uint64_t before = std::filesystem::file_size(newest);
  writeFile(newest, readFile(newest) + framed.substr(0, framed.size() / 2));

  auto buffer = open();
  const RecoveryReport& report = buffer->recoveryReport();
  EXPECT_EQ(report.torn_tails, 1u);
  EXPECT_EQ(report.torn_bytes, framed.size() / 2);
  EXPECT_EQ(report.quarantined_segments, 0u);
  EXPECT_EQ(report.records, 5u);
  EXPECT_EQ(std::filesystem::file_size(newest), before);
  EXPECT_TRUE(quarantined().empty());
  uint64_t number = 0;
  ASSERT_EQ(buffer->append(payloadFor(5), 2, error, &number), AppendResult::kOk);
  EXPECT_EQ(number, 5u);
  EXPECT_EQ(drain(*buffer), range(0, 6));
}

TEST_F(DiskBufferRecoveryTest, QuarantinesDamageInTheMiddleAndKeepsTheRest) {
  fill(60);
  ASSERT_GE(segments().size(), 3u);
  const std::string damaged = segmentPath(1);
  const std::string damaged_name = segments()[1];
  const std::vector<RecordAt> records = recordsOf(damaged);
  ASSERT_GE(records.size(), 3u);
  const RecordAt victim = records[1];
  const uint64_t size = std::filesystem::file_size(damaged);
  const std::string original = readFile(damaged);
  flipByte(damaged, victim.offset + kRecordHeaderSize + 10);

  auto buffer = open();
  const RecoveryReport& report = buffer->recoveryReport();
  EXPECT_EQ(report.quarantined_segments, 1u);
  EXPECT_EQ(report.quarantined_bytes, size - victim.offset);
  EXPECT_EQ(report.records_lost, records.size() - 1);
  EXPECT_EQ(report.torn_tails, 0u);
  EXPECT_EQ(report.records, 60u - (records.size() - 1));
  EXPECT_EQ(std::filesystem::file_size(damaged), victim.offset);
  // The evidence: the damaged segment as it was, under quarantine/.
  ASSERT_EQ(quarantined().size(), 1u);
  EXPECT_EQ(quarantined()[0].rfind(damaged_name + ".", 0), 0u) << quarantined()[0];
  const std::string copy = readFile(options().path + "/quarantine/" + quarantined()[0]);
  EXPECT_EQ(copy.size(), original.size());
  EXPECT_NE(copy, original);

  std::vector<uint64_t> expected = range(0, victim.number);
  for (uint64_t n = records.back().number + 1; n < 60; ++n) expected.push_back(n);
  EXPECT_EQ(drain(*buffer), expected);
  EXPECT_EQ(buffer->stats().records_lost, records.size() - 1);
}

TEST_F(DiskBufferRecoveryTest, MovesAGarbageSegmentAsideWhole) {
  fill(60);
  ASSERT_GE(segments().size(), 3u);
  const std::string name = segments()[1];
  const std::vector<RecordAt> records = recordsOf(segmentPath(1));
  writeFile(segmentPath(1), "this is not a segment at all, just some text");

  auto buffer = open();
  const RecoveryReport& report = buffer->recoveryReport();
  EXPECT_EQ(report.quarantined_segments, 1u);
  EXPECT_EQ(report.records_lost, records.size());
  ASSERT_EQ(quarantined().size(), 1u);
  EXPECT_EQ(quarantined()[0].rfind(name + ".", 0), 0u);
  std::vector<uint64_t> expected = range(0, records.front().number);
  for (uint64_t n = records.back().number + 1; n < 60; ++n) expected.push_back(n);
  EXPECT_EQ(drain(*buffer), expected);
}

TEST_F(DiskBufferRecoveryTest, RemovesAnEmptyNewestSegmentAsTorn) {
  fill(10);
  // A crash right after creating the next segment.
  writeFile(options().path + "/" + segmentFileName(1000), "");
  auto buffer = open();
  EXPECT_EQ(buffer->recoveryReport().torn_tails, 1u);
  EXPECT_EQ(buffer->recoveryReport().quarantined_segments, 0u);
  EXPECT_FALSE(std::filesystem::exists(options().path + "/" + segmentFileName(1000)));
  EXPECT_EQ(drain(*buffer), range(0, 10));
  // Its name was a number once given out: the next record is above it.
  std::string error;
  uint64_t number = 0;
  ASSERT_EQ(buffer->append(payloadFor(7), 2, error, &number), AppendResult::kOk);
  EXPECT_EQ(number, 1000u);
}

TEST_F(DiskBufferRecoveryTest, QuarantinesAnEmptySegmentInTheMiddle) {
  fill(60);
  ASSERT_GE(segments().size(), 3u);
  const std::vector<RecordAt> records = recordsOf(segmentPath(1));
  writeFile(segmentPath(1), "");
  auto buffer = open();
  EXPECT_EQ(buffer->recoveryReport().quarantined_segments, 1u);
  EXPECT_EQ(buffer->recoveryReport().records_lost, records.size());
  std::vector<uint64_t> expected = range(0, records.front().number);
  for (uint64_t n = records.back().number + 1; n < 60; ++n) expected.push_back(n);
  EXPECT_EQ(drain(*buffer), expected);
}

TEST_F(DiskBufferRecoveryTest, ADamagedAckFileReplaysEverythingRatherThanSkip) {
  DiskBufferOptions o = options();
  {
    auto buffer = open();
    std::string error;
    for (uint64_t n = 0; n < 3; ++n) {
      ASSERT_EQ(buffer->append(payloadFor(n), 2, error), AppendResult::kOk);
    }
    std::optional<BufferedRecord> record = buffer->next(std::chrono::steady_clock::now() + 1s);
    ASSERT_TRUE(record);
    buffer->acknowledge(record->number);
  }
  EXPECT_EQ(readFile(o.path + "/ack").substr(0, 2), "1 ");
  writeFile(o.path + "/ack", "2 00000000\n");  // a cursor that does not check out
  auto buffer = open();
  EXPECT_TRUE(buffer->recoveryReport().ack_cursor_reset);
  EXPECT_EQ(buffer->recoveryReport().ack_cursor, 0u);
  EXPECT_EQ(drain(*buffer), range(0, 3));
}

TEST_F(DiskBufferRecoveryTest, DeletesSegmentsBelowTheCursorAtOpen) {
  fill(60);
  const std::vector<std::string> names = segments();
  ASSERT_GE(names.size(), 4u);
  std::vector<std::string> contents;
  for (size_t i = 0; i < names.size(); ++i) contents.push_back(readFile(segmentPath(i)));
  const uint64_t cursor = recordsOf(segmentPath(2)).front().number;
  {
    auto buffer = open();
    for (uint64_t n = 0; n < cursor; ++n) {
      auto record = buffer->next(std::chrono::steady_clock::now() + 1s);
      ASSERT_TRUE(record);
      buffer->acknowledge(record->number);
    }
  }
  EXPECT_EQ(segments().size(), names.size() - 2);
  // As if a crash lost the deletions but not the cursor.
  for (size_t i = 0; i < 2; ++i) writeFile(options().path + "/" + names[i], contents[i]);
  auto buffer = open();
  EXPECT_EQ(buffer->recoveryReport().ack_cursor, cursor);
  EXPECT_EQ(segments().size(), names.size() - 2);
  EXPECT_EQ(drain(*buffer), range(cursor, 60));
}

// Bit rot after recovery: found when the record is read, quarantined and
// skipped; the reader goes on with the next segment.
TEST_F(DiskBufferRecoveryTest, DamageFoundWhileRunningIsSkipped) {
  fill(60);
  auto buffer = open();
  const std::vector<RecordAt> records = recordsOf(segmentPath(1));
  flipByte(segmentPath(1), records[0].offset + kRecordHeaderSize + 3);
  std::vector<uint64_t> expected = range(0, records.front().number);
  for (uint64_t n = records.back().number + 1; n < 60; ++n) expected.push_back(n);
  EXPECT_EQ(drain(*buffer), expected);
  const DiskBufferStats stats = buffer->stats();
  EXPECT_EQ(stats.quarantined_segments, 1u);
  EXPECT_EQ(stats.records_lost, records.size());
  EXPECT_EQ(stats.records, 0u);
  EXPECT_EQ(quarantined().size(), 1u);
}

TEST_F(DiskBufferRecoveryTest, IgnoresFilesThatAreNotSegments) {
  fill(5);
  writeFile(options().path + "/notes.txt", "hello");
  writeFile(options().path + "/12.seg", "short name");
  auto buffer = open();
  EXPECT_EQ(buffer->recoveryReport().quarantined_segments, 0u);
  EXPECT_EQ(drain(*buffer), range(0, 5));
}

}  // namespace
}  // namespace sluice
