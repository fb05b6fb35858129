#include "outputs/buffer/buffer_inspect.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "buffer_test_support.h"
#include "outputs/buffer/disk_buffer.h"
#include "outputs/buffer/segment_format.h"

namespace sluice {
namespace {

using namespace std::chrono_literals;
using testing_support::filesIn;
using testing_support::flipByte;
using testing_support::readFile;
using testing_support::TempDir;
using testing_support::writeFile;

class BufferInspectTest : public testing::Test {
 protected:
  // Records 0..29, 3 events each, the first 10 acknowledged.
  void SetUp() override {
    DiskBufferOptions o;
    o.path = path_;
    o.max_size = 1 << 20;
    o.segment_size = 4096;
    std::string error;
    auto buffer = DiskBuffer::open(o, error);
    ASSERT_NE(buffer, nullptr) << error;
    for (int n = 0; n < 30; ++n) {
      std::string payload = "payload " + std::to_string(n) + " ";
      while (payload.size() < 400) payload += std::to_string(payload.size() * 7919 % 1000);
      ASSERT_EQ(buffer->append(payload, 3, error), AppendResult::kOk) << error;
    }
    // Handed out in order; the cursor reaches 10 once 0..9 are acknowledged.
    for (int n = 0; n < 10; ++n) {
      auto record = buffer->next(std::chrono::steady_clock::now() + 1s);
      ASSERT_TRUE(record);
      buffer->acknowledge(record->number);
    }
  }

  BufferInspection inspect() {
    BufferInspection inspection;
    std::string error;
    EXPECT_TRUE(inspectBuffer(path_, inspection, error)) << error;
    return inspection;
  }

  TempDir dir_;
  std::string path_ = dir_ / "buffer";
};

TEST_F(BufferInspectTest, DescribesACleanBuffer) {
  const BufferInspection inspection = inspect();
  EXPECT_FALSE(inspection.damaged());
  EXPECT_EQ(inspection.ack_cursor, 10u);
  uint64_t records = 0, unacknowledged = 0, events = 0;
  for (const SegmentInspection& s : inspection.segments) {
    EXPECT_FALSE(s.problem.has_value()) << s.name;
    EXPECT_LE(s.stored_bytes, s.raw_bytes);
    records += s.records;
    unacknowledged += s.unacknowledged_records;
    events += s.events;
  }
  // Fully acknowledged segments were deleted; what is left starts at or
  // below the cursor.
  EXPECT_EQ(unacknowledged, 20u);
  EXPECT_EQ(inspection.segments.back().last_record, 29u);
  EXPECT_GE(records, 20u);
  EXPECT_EQ(events, records * 3);

  std::ostringstream text;
  printInspection(inspection, text);
  EXPECT_NE(text.str().find("ack cursor: 10"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("0 damaged segments"), std::string::npos) << text.str();
  std::ostringstream json;
  printInspectionJson(inspection, json);
  EXPECT_NE(json.str().find("\"clean\":true"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"unacknowledged_records\":20,"), std::string::npos) << json.str();
}

TEST_F(BufferInspectTest, ReportsDamageWithoutTouchingAnything) {
  const std::vector<std::string> names = filesIn(path_, ".seg");
  ASSERT_GE(names.size(), 2u);
  const std::string victim = path_ + "/" + names[0];
  flipByte(victim, kSegmentHeaderSize + kRecordHeaderSize + 1);
  const std::string before = readFile(victim);

  const BufferInspection inspection = inspect();
  EXPECT_TRUE(inspection.damaged());
  ASSERT_TRUE(inspection.segments[0].problem.has_value());
  EXPECT_EQ(inspection.segments[0].problem->offset, kSegmentHeaderSize);
  EXPECT_FALSE(inspection.segments[0].problem->torn_tail);
  EXPECT_EQ(readFile(victim), before);
  EXPECT_TRUE(filesIn(path_ + "/quarantine").empty());

  std::ostringstream text;
  printInspection(inspection, text);
  EXPECT_NE(text.str().find("DAMAGED at offset " + std::to_string(kSegmentHeaderSize)),
            std::string::npos)
      << text.str();
  std::ostringstream json;
  printInspectionJson(inspection, json);
  EXPECT_NE(json.str().find("\"clean\":false"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"kind\":\"damage\""), std::string::npos) << json.str();
}

TEST_F(BufferInspectTest, AnIncompleteNewestRecordIsNotDamage) {
  const std::vector<std::string> names = filesIn(path_, ".seg");
  const std::string newest = path_ + "/" + names.back();
  writeFile(newest, readFile(newest) + "SLRC\x10");
  const BufferInspection inspection = inspect();
  EXPECT_FALSE(inspection.damaged());
  ASSERT_TRUE(inspection.segments.back().problem.has_value());
  EXPECT_TRUE(inspection.segments.back().problem->torn_tail);
}

TEST_F(BufferInspectTest, ADamagedAckFileIsReported) {
  writeFile(path_ + "/ack", "garbage");
  const BufferInspection inspection = inspect();
  EXPECT_FALSE(inspection.ack_cursor.has_value());
  EXPECT_FALSE(inspection.ack_problem.empty());
  std::ostringstream text;
  printInspection(inspection, text);
  EXPECT_NE(text.str().find("replays every record"), std::string::npos) << text.str();
}

TEST(BufferInspect, RefusesAPathThatIsNotABufferDirectory) {
  BufferInspection inspection;
  std::string error;
  EXPECT_FALSE(inspectBuffer("/nonexistent/sluice/buffer", inspection, error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  TempDir dir;
  writeFile(dir / "file", "x");
  EXPECT_FALSE(inspectBuffer(dir / "file", inspection, error));
  EXPECT_NE(error.find("not a directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace sluice
