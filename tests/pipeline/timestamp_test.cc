#include "pipeline/timestamp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace sluice {
namespace {

constexpr int64_t kS = 1'000'000'000;
// 2024-01-15T10:30:00Z
constexpr int64_t kJan15 = 1'705'314'600;

struct IsoCase {
  std::string_view text;
  std::optional<TimestampNs> expected;
};
void PrintTo(const IsoCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParseIsoTimestampTest : public testing::TestWithParam<IsoCase> {};

TEST_P(ParseIsoTimestampTest, Parses) {
  const IsoCase& c = GetParam();
  EXPECT_EQ(parseIsoTimestamp(c.text), c.expected) << "input: " << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Valid, ParseIsoTimestampTest,
    testing::Values(
        // Separators and zones.
        IsoCase{"2024-01-15T10:30:00Z", kJan15* kS}, IsoCase{"2024-01-15t10:30:00z", kJan15* kS},
        IsoCase{"2024-01-15 10:30:00Z", kJan15* kS},
        IsoCase{"2024-01-15T10:30:00", kJan15* kS},  // no zone: UTC
        IsoCase{"2024-01-15 10:30:00", kJan15* kS},
        IsoCase{"2024-01-15T10:30Z", kJan15* kS},  // seconds are optional
        IsoCase{"2024-01-15T12:30:00+02:00", kJan15* kS},
        IsoCase{"2024-01-15T12:30:00+0200", kJan15* kS},
        IsoCase{"2024-01-15T12:30:00+02", kJan15* kS},
        IsoCase{"2024-01-15T05:00:00-05:30", kJan15* kS},
        IsoCase{"2024-01-15T05:00:00-0530", kJan15* kS},
        IsoCase{"2024-01-15T10:30:00+00:00", kJan15* kS},
        IsoCase{"2024-01-15T10:30:00-00:00", kJan15* kS},
        // The offset carries the instant across a day boundary.
        IsoCase{"2024-01-16T00:30:00+14:00", kJan15* kS},
        // Fractions of 1 to 9 digits, with '.' or ','.
        IsoCase{"2024-01-15T10:30:00.1Z", kJan15* kS + 100'000'000},
        IsoCase{"2024-01-15T10:30:00.12Z", kJan15* kS + 120'000'000},
        IsoCase{"2024-01-15T10:30:00.123Z", kJan15* kS + 123'000'000},
        IsoCase{"2024-01-15T10:30:00,123Z", kJan15* kS + 123'000'000},
        IsoCase{"2024-01-15 10:30:00,123", kJan15* kS + 123'000'000},  // Python logging
        IsoCase{"2024-01-15T10:30:00.1234Z", kJan15* kS + 123'400'000},
        IsoCase{"2024-01-15T10:30:00.123456Z", kJan15* kS + 123'456'000},
        IsoCase{"2024-01-15T10:30:00.1234567Z", kJan15* kS + 123'456'700},  // .NET
        IsoCase{"2024-01-15T10:30:00.123456789Z", kJan15* kS + 123'456'789},
        IsoCase{"2024-01-15T12:30:00.123456789+02:00", kJan15* kS + 123'456'789},  // Go slog
        IsoCase{"2024-01-15T10:30:00.000Z", kJan15* kS},
        // Calendar corners.
        IsoCase{"1970-01-01T00:00:00Z", 0}, IsoCase{"1969-12-31T23:59:59Z", -1 * kS},
        IsoCase{"1969-12-31T23:59:59.5Z", -500'000'000},
        IsoCase{"2024-02-29T12:00:00Z", 1'709'208'000 * kS},
        IsoCase{"2000-03-01T00:00:00Z", 951'868'800 * kS},
        IsoCase{"1900-01-01T00:00:00Z", -2'208'988'800 * kS},
        IsoCase{"2023-11-14T22:13:20Z", 1'700'000'000 * kS}));

INSTANTIATE_TEST_SUITE_P(
    Invalid, ParseIsoTimestampTest,
    testing::Values(IsoCase{"", std::nullopt}, IsoCase{"garbage", std::nullopt},
                    IsoCase{"2024-01-15", std::nullopt},  // a date is not a date-time
                    IsoCase{"2024-01-15T10", std::nullopt},
                    IsoCase{"2024/01/15T10:30:00Z", std::nullopt},
                    IsoCase{"2024-01-15X10:30:00Z", std::nullopt},
                    IsoCase{"2024-1-15T10:30:00Z", std::nullopt},
                    IsoCase{"24-01-15T10:30:00Z", std::nullopt},
                    IsoCase{"2024-13-01T00:00:00Z", std::nullopt},  // month 13
                    IsoCase{"2024-00-10T00:00:00Z", std::nullopt},  // month 0
                    IsoCase{"2024-01-00T00:00:00Z", std::nullopt},  // day 0
                    IsoCase{"2024-01-32T00:00:00Z", std::nullopt},  // day 32
                    IsoCase{"2024-04-31T00:00:00Z", std::nullopt},  // April has 30 days
                    IsoCase{"2023-02-29T00:00:00Z", std::nullopt},  // not a leap year
                    IsoCase{"2024-02-30T00:00:00Z", std::nullopt},
                    IsoCase{"1900-02-29T00:00:00Z", std::nullopt},  // century, not a leap year
                    IsoCase{"2024-01-15T24:00:00Z", std::nullopt},
                    IsoCase{"2024-01-15T10:60:00Z", std::nullopt},
                    IsoCase{"2024-01-15T10:30:61Z", std::nullopt},
                    IsoCase{"2024-01-15T10:30:00.Z", std::nullopt},  // a fraction needs digits
                    IsoCase{"2024-01-15T10:30:00ZZ", std::nullopt},
                    IsoCase{"2024-01-15T10:30:00 UTC", std::nullopt},
                    IsoCase{"2024-01-15T10:30:00+2", std::nullopt},
                    IsoCase{"2024-01-15T10:30:00+25:00", std::nullopt},
                    IsoCase{"2024-01-15T10:30:00+02:60", std::nullopt},
                    IsoCase{"2024-01-15T10:30:00+02:3", std::nullopt},
                    IsoCase{"2024-01-15T10:30:00Zjunk", std::nullopt},
                    IsoCase{"2024-01-15T1a:30:00Z", std::nullopt}));

struct EpochCase {
  std::string_view text;
  std::optional<TimestampNs> expected;
};
void PrintTo(const EpochCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParseEpochTimestampTest : public testing::TestWithParam<EpochCase> {};

TEST_P(ParseEpochTimestampTest, Parses) {
  const EpochCase& c = GetParam();
  EXPECT_EQ(parseEpochTimestamp(c.text), c.expected) << "input: " << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    ByMagnitude, ParseEpochTimestampTest,
    testing::Values(EpochCase{"0", 0}, EpochCase{"1700000000", 1'700'000'000 * kS},  // seconds
                    EpochCase{"1700000000123", 1'700'000'000'123'000'000},  // milliseconds (pino)
                    EpochCase{"1700000000123456", 1'700'000'000'123'456'000},     // microseconds
                    EpochCase{"1700000000123456789", 1'700'000'000'123'456'789},  // nanoseconds
                    EpochCase{"1700000000.25", 1'700'000'000'250'000'000},  // fractional seconds
                    EpochCase{"1700000000.123456", 1'700'000'000'123'456'000},  // zap
                    EpochCase{"1700000000.123456789", 1'700'000'000'123'456'789},
                    EpochCase{"1700000000123.5", 1'700'000'000'123'500'000},     // fractional ms
                    EpochCase{"1700000000123456.5", 1'700'000'000'123'456'500},  // fractional µs
                    EpochCase{"1", 1 * kS}, EpochCase{"-1", -1 * kS},
                    EpochCase{"-1.5", -1'500'000'000}, EpochCase{"-86400", -86'400 * kS},
                    EpochCase{"-1700000000000", -1'700'000'000'000'000'000}));

INSTANTIATE_TEST_SUITE_P(
    Garbage, ParseEpochTimestampTest,
    testing::Values(EpochCase{"", std::nullopt}, EpochCase{"-", std::nullopt},
                    EpochCase{".5", std::nullopt}, EpochCase{"abc", std::nullopt},
                    EpochCase{"12abc", std::nullopt}, EpochCase{"1700000000.25s", std::nullopt},
                    EpochCase{"1.7e9", std::nullopt}, EpochCase{"+1700000000", std::nullopt},
                    EpochCase{" 1700000000", std::nullopt}, EpochCase{"1700000000 ", std::nullopt},
                    EpochCase{"1,5", std::nullopt}, EpochCase{"1.2.3", std::nullopt},
                    EpochCase{"--1", std::nullopt},
                    // Too large for int64 nanoseconds: must not wrap around.
                    EpochCase{"99999999999999999999", std::nullopt},
                    EpochCase{"9999999999999999999", std::nullopt},
                    EpochCase{"9223372037", std::nullopt},
                    EpochCase{"9223372036.9", std::nullopt}));

TEST(ParseEpochTimestamp, LargestSecondsBelowTheMillisecondThreshold) {
  // Seconds are told from milliseconds at 1e11; 99999999999 s is past int64 ns.
  EXPECT_EQ(parseEpochTimestamp("99999999999"), std::nullopt);
  EXPECT_EQ(parseEpochTimestamp("9000000000"), 9'000'000'000LL * kS);
  // 1e11 is read as milliseconds.
  EXPECT_EQ(parseEpochTimestamp("100000000000"), 100'000'000'000LL * 1'000'000);
}

TEST(ParseTimestamp, DispatchesOnShape) {
  EXPECT_EQ(parseTimestamp("2024-01-15T10:30:00Z"), kJan15 * kS);
  EXPECT_EQ(parseTimestamp("1705314600"), kJan15 * kS);
  EXPECT_EQ(parseTimestamp("1705314600000"), kJan15 * kS);
  EXPECT_EQ(parseTimestamp("yesterday"), std::nullopt);
  EXPECT_EQ(parseTimestamp(""), std::nullopt);
}

struct RfcCase {
  TimestampNs ts;
  std::string_view expected;
};
void PrintTo(const RfcCase& c, std::ostream* os) { *os << c.ts << " -> " << c.expected; }

class AppendRfc3339Test : public testing::TestWithParam<RfcCase> {};

TEST_P(AppendRfc3339Test, Formats) {
  std::string out = "prefix:";
  appendRfc3339(out, GetParam().ts);
  EXPECT_EQ(out, "prefix:" + std::string(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Precision, AppendRfc3339Test,
    testing::Values(RfcCase{0, "1970-01-01T00:00:00.000Z"},
                    RfcCase{kJan15 * kS, "2024-01-15T10:30:00.000Z"},
                    RfcCase{kJan15 * kS + 123'000'000, "2024-01-15T10:30:00.123Z"},
                    RfcCase{kJan15 * kS + 1'000'000, "2024-01-15T10:30:00.001Z"},
                    RfcCase{kJan15 * kS + 123'456'000, "2024-01-15T10:30:00.123456Z"},
                    RfcCase{kJan15 * kS + 1'000, "2024-01-15T10:30:00.000001Z"},
                    RfcCase{kJan15 * kS + 123'456'789, "2024-01-15T10:30:00.123456789Z"},
                    RfcCase{kJan15 * kS + 1, "2024-01-15T10:30:00.000000001Z"},
                    RfcCase{kJan15 * kS + 999'999'999, "2024-01-15T10:30:00.999999999Z"},
                    // Before 1970.
                    RfcCase{-1, "1969-12-31T23:59:59.999999999Z"},
                    RfcCase{-1'000'000, "1969-12-31T23:59:59.999Z"},
                    RfcCase{-1 * kS, "1969-12-31T23:59:59.000Z"},
                    RfcCase{-500'000'000, "1969-12-31T23:59:59.500Z"},
                    RfcCase{-86'400 * kS, "1969-12-31T00:00:00.000Z"},
                    RfcCase{-2'208'988'800 * kS, "1900-01-01T00:00:00.000Z"},
                    // Leap days.
                    RfcCase{1'709'208'000 * kS, "2024-02-29T12:00:00.000Z"},
                    RfcCase{951'782'400 * kS, "2000-02-29T00:00:00.000Z"},
                    RfcCase{951'868'799 * kS, "2000-02-29T23:59:59.000Z"},
                    RfcCase{1'700'000'000 * kS, "2023-11-14T22:13:20.000Z"},
                    RfcCase{4'102'444'799 * kS, "2099-12-31T23:59:59.000Z"}));

TEST(AppendRfc3339, RoundTripsThroughTheParser) {
  for (TimestampNs ts : {TimestampNs{0}, kJan15 * kS + 7, kJan15 * kS + 123'000'000,
                         TimestampNs{-1}, -2'208'988'800 * kS + 5'000, 1'709'208'000 * kS}) {
    std::string out;
    appendRfc3339(out, ts);
    EXPECT_EQ(parseIsoTimestamp(out), ts) << out;
  }
}

struct CivilCase {
  int64_t year;
  unsigned month;
  unsigned day;
  int64_t days;
};
void PrintTo(const CivilCase& c, std::ostream* os) {
  *os << c.year << '-' << c.month << '-' << c.day;
}

class CivilDaysTest : public testing::TestWithParam<CivilCase> {};

TEST_P(CivilDaysTest, KnownDates) {
  const CivilCase& c = GetParam();
  EXPECT_EQ(daysFromCivil(c.year, c.month, c.day), c.days);
  CivilDate d = civilFromDays(c.days);
  EXPECT_EQ(d.year, c.year);
  EXPECT_EQ(d.month, c.month);
  EXPECT_EQ(d.day, c.day);
}

INSTANTIATE_TEST_SUITE_P(
    Dates, CivilDaysTest,
    testing::Values(CivilCase{1970, 1, 1, 0}, CivilCase{1969, 12, 31, -1},
                    CivilCase{2000, 3, 1, 11'017}, CivilCase{2000, 2, 29, 11'016},
                    CivilCase{1, 1, 1, -719'162}, CivilCase{9999, 12, 31, 2'932'896},
                    CivilCase{2024, 1, 15, 19'737}, CivilCase{0, 3, 1, -719'468},
                    CivilCase{-1, 12, 31, -719'529}));

TEST(CivilDays, RoundTripOverAWideRange) {
  // Every day from year -2000 to 12000, checked for continuity too.
  const int64_t first = daysFromCivil(-2000, 1, 1);
  const int64_t last = daysFromCivil(12000, 12, 31);
  CivilDate previous = civilFromDays(first - 1);
  for (int64_t z = first; z <= last; ++z) {
    CivilDate d = civilFromDays(z);
    ASSERT_EQ(daysFromCivil(d.year, d.month, d.day), z);
    ASSERT_GE(d.month, 1u);
    ASSERT_LE(d.month, 12u);
    ASSERT_GE(d.day, 1u);
    ASSERT_LE(d.day, 31u);
    if (d.day == 1) {
      ASSERT_TRUE(previous.month != d.month) << z;
    } else {
      ASSERT_EQ(previous.day + 1, d.day) << z;
      ASSERT_EQ(previous.month, d.month) << z;
    }
    previous = d;
  }
}

}  // namespace
}  // namespace sluice
