#include "outputs/buffer/segment_format.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "buffer_test_support.h"
#include "outputs/buffer/segment_reader.h"

namespace sluice {
namespace {

using testing_support::flipByte;
using testing_support::TempDir;
using testing_support::writeFile;

std::string compressible(size_t size) {
  std::string text;
  while (text.size() < size) text += R"({"message":"GET /api/orders 200","level":"INFO"})";
  text.resize(size);
  return text;
}

std::string incompressible(size_t size) {
  std::mt19937_64 random(size);
  std::string text(size, '\0');
  for (char& c : text) c = static_cast<char>(random());
  return text;
}

TEST(SegmentFormat, FileNamesSortByRecordNumber) {
  EXPECT_EQ(segmentFileName(42), "00000000000000000042.seg");
  EXPECT_EQ(segmentFileName(UINT64_MAX), "18446744073709551615.seg");
  EXPECT_EQ(parseSegmentFileName("00000000000000000042.seg"), 42u);
  EXPECT_EQ(parseSegmentFileName("18446744073709551615.seg"), UINT64_MAX);
  EXPECT_EQ(parseSegmentFileName("18446744073709551616.seg"), std::nullopt);
  EXPECT_EQ(parseSegmentFileName("0000000000000000042.seg"), std::nullopt);
  EXPECT_EQ(parseSegmentFileName("0000000000000000004x.seg"), std::nullopt);
  EXPECT_EQ(parseSegmentFileName("00000000000000000042.seg.tmp"), std::nullopt);
  EXPECT_EQ(parseSegmentFileName("ack"), std::nullopt);
}

TEST(SegmentFormat, SegmentHeaderRoundTripsAndRejectsDamage) {
  const std::string header = encodeSegmentHeader(1234567);
  ASSERT_EQ(header.size(), kSegmentHeaderSize);
  uint64_t first = 0;
  std::string reason;
  ASSERT_TRUE(parseSegmentHeader(header, first, reason)) << reason;
  EXPECT_EQ(first, 1234567u);
  for (size_t i = 0; i < header.size(); ++i) {
    std::string damaged = header;
    damaged[i] ^= 1;
    EXPECT_FALSE(parseSegmentHeader(damaged, first, reason)) << "byte " << i;
  }
  EXPECT_FALSE(parseSegmentHeader(header.substr(0, 10), first, reason));
}

struct RecordCase {
  std::string name;
  std::string payload;
  bool compressed;
};

std::string caseName(const testing::TestParamInfo<RecordCase>& param_info) {
  return param_info.param.name;
}

class SegmentRecordTest : public testing::TestWithParam<RecordCase> {};

TEST_P(SegmentRecordTest, EncodesAndDecodes) {
  const RecordCase& c = GetParam();
  RecordEncoder encoder(1);
  std::string framed;
  std::string error;
  ASSERT_TRUE(encoder.encode(77, 5, c.payload, framed, error)) << error;
  RecordHeader header;
  std::string reason;
  ASSERT_TRUE(parseRecordHeader(framed, header, reason)) << reason;
  EXPECT_EQ(header.number, 77u);
  EXPECT_EQ(header.events, 5u);
  EXPECT_EQ(header.raw_length, c.payload.size());
  EXPECT_EQ(header.compressed(), c.compressed);
  EXPECT_EQ(header.framedSize(), framed.size());
  const std::string_view stored = std::string_view(framed).substr(kRecordHeaderSize);
  EXPECT_TRUE(recordCrcMatches(framed, stored));
  RecordDecoder decoder;
  std::string payload;
  ASSERT_TRUE(decoder.decode(header, stored, payload, reason)) << reason;
  EXPECT_EQ(payload, c.payload);
}

INSTANTIATE_TEST_SUITE_P(
    Payloads, SegmentRecordTest,
    testing::Values(RecordCase{"Empty", "", false}, RecordCase{"Tiny", "x", false},
                    RecordCase{"Compressible", compressible(100000), true},
                    RecordCase{"IncompressibleIsStoredRaw", incompressible(5000), false}),
    caseName);

TEST(SegmentFormat, EveryBitOfARecordIsCovered) {
  RecordEncoder encoder(1);
  std::string framed;
  std::string error;
  ASSERT_TRUE(encoder.encode(3, 1, compressible(300), framed, error));
  for (size_t i = 0; i < framed.size(); ++i) {
    std::string damaged = framed;
    damaged[i] ^= 0x10;
    RecordHeader header;
    std::string reason;
    const bool valid =
        parseRecordHeader(damaged, header, reason) && header.framedSize() == damaged.size() &&
        recordCrcMatches(damaged, std::string_view(damaged).substr(kRecordHeaderSize));
    EXPECT_FALSE(valid) << "flip at byte " << i << " went unnoticed";
  }
}

TEST(SegmentFormat, RefusesPayloadsOverTheLimit) {
  RecordEncoder encoder(1);
  std::string framed;
  std::string error;
  std::string huge(kMaxRecordRawSize + 1, 'a');
  EXPECT_FALSE(encoder.encode(0, 1, huge, framed, error));
  EXPECT_NE(error.find("limit"), std::string::npos) << error;
}

// A compressed record whose checksum was recomputed over damaged zstd data:
// only decompression can tell.
TEST(SegmentFormat, DecoderRejectsUndecodableData) {
  RecordHeader header;
  header.flags = kRecordCompressed;
  header.raw_length = 1000;
  RecordDecoder decoder;
  std::string payload;
  std::string reason;
  EXPECT_FALSE(decoder.decode(header, "definitely not zstd", payload, reason));
  EXPECT_NE(reason.find("zstd"), std::string::npos) << reason;
}

class SegmentScanTest : public testing::Test {
 protected:
  // A segment named 10 with records 10..14.
  void SetUp() override {
    path_ = dir_ / segmentFileName(10);
    std::string content = encodeSegmentHeader(10);
    RecordEncoder encoder(1);
    for (uint64_t n = 10; n < 15; ++n) {
      offsets_.push_back(content.size());
      std::string framed;
      std::string error;
      ASSERT_TRUE(encoder.encode(n, 2, compressible(2000 + n), framed, error));
      content += framed;
    }
    content_ = content;
    writeFile(path_, content_);
  }

  SegmentScan scan(uint64_t lowest = 0, uint64_t below = UINT64_MAX) {
    RecordDecoder decoder;
    return scanSegment(path_, 10, lowest, below, 12, &decoder);
  }

  TempDir dir_;
  std::string path_;
  std::string content_;
  std::vector<uint64_t> offsets_;
};

TEST_F(SegmentScanTest, CountsAValidSegment) {
  const SegmentScan s = scan();
  EXPECT_FALSE(s.problem.has_value()) << s.problem->reason;
  EXPECT_EQ(s.records, 5u);
  EXPECT_EQ(s.events, 10u);
  EXPECT_EQ(s.first_number, 10u);
  EXPECT_EQ(s.last_number, 14u);
  EXPECT_EQ(s.records_from, 3u);
  EXPECT_EQ(s.events_from, 6u);
  EXPECT_EQ(s.valid_end, content_.size());
  EXPECT_LT(s.stored_bytes, s.raw_bytes);
}

TEST_F(SegmentScanTest, ATornTailHasNothingValidAfterIt) {
  writeFile(path_, content_.substr(0, offsets_[4] + 40));
  const SegmentScan s = scan();
  ASSERT_TRUE(s.problem.has_value());
  EXPECT_EQ(s.problem->offset, offsets_[4]);
  EXPECT_FALSE(s.problem->valid_data_follows);
  EXPECT_EQ(s.valid_end, offsets_[4]);
  EXPECT_EQ(s.records, 4u);
}

TEST_F(SegmentScanTest, DamageInTheMiddleHasValidRecordsAfterIt) {
  flipByte(path_, offsets_[2] + kRecordHeaderSize + 5);
  const SegmentScan s = scan();
  ASSERT_TRUE(s.problem.has_value());
  EXPECT_EQ(s.problem->offset, offsets_[2]);
  EXPECT_EQ(s.problem->reason, "record checksum mismatch");
  EXPECT_TRUE(s.problem->valid_data_follows);
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.valid_end, offsets_[2]);
}

TEST_F(SegmentScanTest, RecordNumbersMustFitTheSegment) {
  const SegmentScan low = scan(/*lowest=*/12);
  ASSERT_TRUE(low.problem.has_value());
  EXPECT_EQ(low.problem->offset, offsets_[0]);
  const SegmentScan high = scan(0, /*below=*/13);
  ASSERT_TRUE(high.problem.has_value());
  EXPECT_EQ(high.problem->offset, offsets_[3]);
  EXPECT_NE(high.problem->reason.find("out of sequence"), std::string::npos);
}

TEST_F(SegmentScanTest, AHeaderNamingAnotherRecordIsDamage) {
  RecordDecoder decoder;
  const SegmentScan s = scanSegment(path_, 11, 0, UINT64_MAX, 0, &decoder);
  ASSERT_TRUE(s.problem.has_value());
  EXPECT_FALSE(s.header_ok);
  EXPECT_TRUE(s.problem->valid_data_follows);
}

TEST_F(SegmentScanTest, AnEmptyFileIsATornHeader) {
  writeFile(path_, "");
  const SegmentScan s = scan();
  ASSERT_TRUE(s.problem.has_value());
  EXPECT_FALSE(s.header_ok);
  EXPECT_FALSE(s.problem->valid_data_follows);
}

}  // namespace
}  // namespace sluice
