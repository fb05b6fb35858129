#include "pipeline/timestamp.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/time_zone.h"

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

// Nanoseconds since the epoch of a UTC date-time.
TimestampNs utc(int64_t year, unsigned month, unsigned day, int64_t hour = 0, int64_t minute = 0,
                int64_t second = 0) {
  return (daysFromCivil(year, month, day) * 86'400 + hour * 3600 + minute * 60 + second) * kS;
}

// The reference for year-less timestamps in the tables below.
const TimestampNs kMidJune2024 = utc(2024, 6, 15, 12);

struct FormatCase {
  std::string_view text;
  std::optional<TimestampNs> expected;
};
void PrintTo(const FormatCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParseTimestampFormatsTest : public testing::TestWithParam<FormatCase> {};

TEST_P(ParseTimestampFormatsTest, ParsesInUtc) {
  const FormatCase& c = GetParam();
  EXPECT_EQ(parseTimestamp(c.text, TimeContext{nullptr, kMidJune2024}), c.expected)
      << "input: " << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Iso, ParseTimestampFormatsTest,
    testing::Values(
        FormatCase{"2024-01-15T10:30:00Z", kJan15* kS},
        FormatCase{"2016-09-28 04:30:30,123", utc(2016, 9, 28, 4, 30, 30) + 123'000'000},  // log4j
        FormatCase{"2024-01-15T10:30:00.123456", kJan15* kS + 123'456'000},  // Ruby Logger
        FormatCase{"2024-01-15T12:30:00.123+02:00", kJan15* kS + 123'000'000},
        FormatCase{"20240115T103000Z", kJan15* kS}, FormatCase{"20240115T103000", kJan15* kS},
        FormatCase{"20240115t103000z", kJan15* kS}, FormatCase{"20240115T123000+0200", kJan15* kS},
        FormatCase{"20240115T123000+02:00", kJan15* kS},
        FormatCase{"20240115T103000.25Z", kJan15* kS + 250'000'000},
        FormatCase{"20240115T103000,25Z", kJan15* kS + 250'000'000}));

INSTANTIATE_TEST_SUITE_P(Epoch, ParseTimestampFormatsTest,
                         testing::Values(FormatCase{"1705314600", kJan15* kS},
                                         FormatCase{"1705314600123", kJan15* kS + 123'000'000},
                                         FormatCase{"1705314600.5", kJan15* kS + 500'000'000},
                                         FormatCase{"-1", -1 * kS}, FormatCase{"0", 0}));

INSTANTIATE_TEST_SUITE_P(
    Syslog, ParseTimestampFormatsTest,
    testing::Values(
        // More than a month after mid-June 2024: last year's.
        FormatCase{"Dec 10 06:55:46", utc(2023, 12, 10, 6, 55, 46)},
        FormatCase{"Jun 10 06:55:46", utc(2024, 6, 10, 6, 55, 46)},
        FormatCase{"Jun  1 06:55:46", utc(2024, 6, 1, 6, 55, 46)},  // space-padded day
        FormatCase{"Jun 1 06:55:46", utc(2024, 6, 1, 6, 55, 46)},
        FormatCase{"jun 10 06:55:46", utc(2024, 6, 10, 6, 55, 46)},
        FormatCase{"JUN 10 06:55:46", utc(2024, 6, 10, 6, 55, 46)},
        FormatCase{"Jun 10 06:55:46.123", utc(2024, 6, 10, 6, 55, 46) + 123'000'000},
        FormatCase{"Jun 10 06:55:46,123456", utc(2024, 6, 10, 6, 55, 46) + 123'456'000},
        FormatCase{"Dec 10 2024 06:55:46", utc(2024, 12, 10, 6, 55, 46)},
        FormatCase{"Dec  1 2019 06:55:46.5", utc(2019, 12, 1, 6, 55, 46) + 500'000'000},
        FormatCase{"Feb 29 2024 00:00:00", utc(2024, 2, 29)},
        FormatCase{"Jan 31 00:00:00", utc(2024, 1, 31)},
        FormatCase{"Feb 29 12:00:00", utc(2024, 2, 29, 12)},  // 2024 is a leap year
        FormatCase{"Mar 01 00:00:00", utc(2024, 3, 1)},
        FormatCase{"Apr 30 23:59:59", utc(2024, 4, 30, 23, 59, 59)},
        FormatCase{"May 15 12:00:00", utc(2024, 5, 15, 12)},
        FormatCase{"Jul 10 06:55:46", utc(2024, 7, 10, 6, 55, 46)},  // 25 days ahead
        FormatCase{"Jul 20 06:55:46", utc(2023, 7, 20, 6, 55, 46)},  // 35 days ahead
        FormatCase{"Aug 10 06:55:46", utc(2023, 8, 10, 6, 55, 46)},
        FormatCase{"Sep 10 06:55:46", utc(2023, 9, 10, 6, 55, 46)},
        FormatCase{"Oct 10 06:55:46", utc(2023, 10, 10, 6, 55, 46)},
        FormatCase{"Nov 10 06:55:46", utc(2023, 11, 10, 6, 55, 46)}));

INSTANTIATE_TEST_SUITE_P(
    AccessLog, ParseTimestampFormatsTest,
    testing::Values(FormatCase{"10/Oct/2000:13:55:36 -0700", 971'211'336 * kS},
                    FormatCase{"10/Oct/2000:13:55:36 -07:00", 971'211'336 * kS},
                    FormatCase{"10/oct/2000:20:55:36 +0000", 971'211'336 * kS},
                    FormatCase{"11/Oct/2000:01:55:36 +0500", 971'211'336 * kS},
                    FormatCase{"10/Oct/2000:20:55:36", 971'211'336 * kS},  // no offset: the zone
                    FormatCase{"29/Feb/2024:00:00:00 +0000", utc(2024, 2, 29)}));

INSTANTIATE_TEST_SUITE_P(
    SlashDates, ParseTimestampFormatsTest,
    testing::Values(FormatCase{"2024/01/15 10:30:00", kJan15* kS},  // Go log, nginx error log
                    FormatCase{"2024/01/15 10:30:00.123", kJan15* kS + 123'000'000},
                    FormatCase{"2024/01/15 10:30:00.123456", kJan15* kS + 123'456'000},
                    FormatCase{"17/06/09 20:10:40", 1'497'039'040 * kS},  // yy/MM/dd: 2017
                    FormatCase{"99/12/31 23:59:59", utc(2099, 12, 31, 23, 59, 59)},
                    FormatCase{"00/01/01 00:00:00", utc(2000, 1, 1)},
                    FormatCase{"17/06/09 20:10:40.5", 1'497'039'040 * kS + 500'000'000},
                    FormatCase{"24/02/29 00:00:00", utc(2024, 2, 29)}));

INSTANTIATE_TEST_SUITE_P(
    Malformed, ParseTimestampFormatsTest,
    testing::Values(
        FormatCase{"", std::nullopt}, FormatCase{"yesterday", std::nullopt},
        FormatCase{"abc", std::nullopt}, FormatCase{" Dec 10 06:55:46", std::nullopt},
        FormatCase{"[2024-01-15T10:30:00Z]", std::nullopt},
        FormatCase{"2024-13-01T00:00:00Z", std::nullopt},
        FormatCase{"2024-02-30 10:00:00", std::nullopt},
        FormatCase{"2023-02-29 10:00:00", std::nullopt},
        // Past the years int64 nanoseconds reach (1678 to 2261).
        FormatCase{"9999-12-31T23:59:59Z", std::nullopt},
        FormatCase{"1677-01-01T00:00:00Z", std::nullopt},
        FormatCase{"2262-04-12T00:00:00Z", std::nullopt},
        FormatCase{"Dec 32 06:55:46", std::nullopt}, FormatCase{"Dec 00 06:55:46", std::nullopt},
        FormatCase{"Foo 10 06:55:46", std::nullopt}, FormatCase{"Decem 10 06:55:46", std::nullopt},
        FormatCase{"Dec 10 24:00:00", std::nullopt}, FormatCase{"Dec 10 06:60:00", std::nullopt},
        FormatCase{"Dec 10 06:55:61", std::nullopt}, FormatCase{"Dec 10 06:55", std::nullopt},
        FormatCase{"Dec10 06:55:46", std::nullopt}, FormatCase{"Dec  10 06:55:46", std::nullopt},
        FormatCase{"Dec 10  06:55:46", std::nullopt}, FormatCase{"Dec 10 6:55:46", std::nullopt},
        FormatCase{"Dec 10 06:55:46 ", std::nullopt}, FormatCase{"Dec 10 06:55:46.", std::nullopt},
        FormatCase{"Dec 10 06:55:46Z", std::nullopt},
        FormatCase{"Dec 10 06:55:46 2024", std::nullopt},
        FormatCase{"Feb 30 10:00:00", std::nullopt}, FormatCase{"Apr 31 10:00:00", std::nullopt},
        FormatCase{"Feb 30 2024 10:00:00", std::nullopt},
        FormatCase{"Feb 29 2023 10:00:00", std::nullopt},
        FormatCase{"Dec 10 224 06:55:46", std::nullopt},
        FormatCase{"10/Foo/2000:13:55:36 -0700", std::nullopt},
        FormatCase{"32/Oct/2000:13:55:36 -0700", std::nullopt},
        FormatCase{"10/Oct/2000:13:55:36 -2500", std::nullopt},
        FormatCase{"10/Oct/2000:13:55:36 -07:60", std::nullopt},
        FormatCase{"10/Oct/2000 13:55:36 -0700", std::nullopt},
        FormatCase{"10/Oct/2000:13:55:36 ", std::nullopt},
        FormatCase{"10/Oct/2000:13:55:36 -0700]", std::nullopt},
        FormatCase{"10/Oct/00:13:55:36 -0700", std::nullopt},
        FormatCase{"1/Oct/2000:13:55:36 -0700", std::nullopt},
        FormatCase{"29/Feb/2023:00:00:00 +0000", std::nullopt},
        FormatCase{"2024/13/15 10:30:00", std::nullopt},
        FormatCase{"2024/02/30 10:30:00", std::nullopt},
        FormatCase{"2024/01/15T10:30:00", std::nullopt},
        FormatCase{"2024/01/15 10:30", std::nullopt},
        FormatCase{"2024/1/15 10:30:00", std::nullopt},
        FormatCase{"2024/01/15 10:30:00Z", std::nullopt},
        FormatCase{"17/13/09 20:10:40", std::nullopt},
        FormatCase{"17/02/29 20:10:40", std::nullopt},  // 2017 is not a leap year
        FormatCase{"17/06/09", std::nullopt}, FormatCase{"20241315T103000Z", std::nullopt},
        FormatCase{"20240115T1030Z", std::nullopt}, FormatCase{"20240115T103000+25", std::nullopt},
        FormatCase{"2024011T103000Z", std::nullopt},
        // klog's shape is read only by parseKlogTimestamp.
        FormatCase{"1125 10:30:00.123456", std::nullopt},
        FormatCase{"123456789012345678901234567890", std::nullopt},
        FormatCase{"2024-01-15T10:30:00.123456789012345678901234567890Z",
                   kJan15* kS + 123'456'789}));

TEST(ParseTimestamp, WithoutAContextReadsUtcAndTheClock) {
  EXPECT_EQ(parseTimestamp("2024-01-15 10:30:00"), kJan15 * kS);
  EXPECT_EQ(parseTimestamp("10/Oct/2000:13:55:36 -0700"), 971'211'336 * kS);
  // A year-less timestamp lands within a year and a month of now.
  const TimestampNs now = nowNs();
  std::optional<TimestampNs> ts = parseTimestamp("Jan  1 00:00:00");
  ASSERT_TRUE(ts);
  EXPECT_LE(*ts, now + 31 * 86'400 * kS);
  EXPECT_GT(*ts, now - 366 * 86'400 * kS);
}

struct YearCase {
  TimestampNs now;
  std::string_view text;
  std::optional<TimestampNs> expected;
};
void PrintTo(const YearCase& c, std::ostream* os) {
  std::string now;
  appendRfc3339(now, c.now);
  *os << '"' << c.text << "\" at " << now;
}

class YearInferenceTest : public testing::TestWithParam<YearCase> {};

TEST_P(YearInferenceTest, PicksTheYearNearestNow) {
  const YearCase& c = GetParam();
  EXPECT_EQ(parseTimestamp(c.text, TimeContext{nullptr, c.now}), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    AcrossNewYear, YearInferenceTest,
    testing::Values(
        // A December line read in January.
        YearCase{utc(2025, 1, 5, 10), "Dec 31 23:59:59", utc(2024, 12, 31, 23, 59, 59)},
        YearCase{utc(2025, 1, 5, 10), "Jan  5 09:00:00", utc(2025, 1, 5, 9)},
        YearCase{utc(2025, 1, 5, 10), "Jan  5 11:00:00", utc(2025, 1, 5, 11)},  // slightly ahead
        YearCase{utc(2025, 1, 5, 10), "Feb  4 00:00:00", utc(2025, 2, 4)},      // 30 days ahead
        YearCase{utc(2025, 1, 5, 10), "Feb 10 00:00:00", utc(2024, 2, 10)},     // 36 days ahead
        // A writer east of the reader has already started the new year.
        YearCase{utc(2024, 12, 31, 23, 30), "Jan  1 01:00:00", utc(2025, 1, 1, 1)},
        YearCase{utc(2024, 12, 31, 23, 30), "Dec 31 23:00:00", utc(2024, 12, 31, 23)},
        YearCase{utc(2024, 12, 20), "Jan 15 00:00:00", utc(2025, 1, 15)},
        YearCase{utc(2024, 12, 20), "Feb 15 00:00:00", utc(2024, 2, 15)},
        // February 29 takes the nearest leap year within reach, or nothing.
        YearCase{utc(2025, 3, 10), "Feb 29 12:00:00", utc(2024, 2, 29, 12)},
        YearCase{utc(2024, 3, 10), "Feb 29 12:00:00", utc(2024, 2, 29, 12)},
        YearCase{utc(2026, 3, 1), "Feb 29 12:00:00", std::nullopt},
        // Before 1970.
        YearCase{utc(1969, 12, 31, 12), "Dec 31 06:00:00", utc(1969, 12, 31, 6)},
        YearCase{utc(1970, 1, 2), "Dec 31 06:00:00", utc(1969, 12, 31, 6)}));

TEST(ParseTimestamp, ZoneLessTimestampsReadInTheContextZone) {
  std::string error;
  std::optional<TimeZone> paris = TimeZone::load("Europe/Paris", error);
  ASSERT_TRUE(paris) << error;
  const TimeContext context{&*paris, utc(2024, 7, 20)};
  EXPECT_EQ(parseTimestamp("2024-01-15 10:30:00", context), utc(2024, 1, 15, 9, 30));
  EXPECT_EQ(parseTimestamp("2024-07-15 10:30:00", context), utc(2024, 7, 15, 8, 30));
  EXPECT_EQ(parseTimestamp("2024-07-15T10:30:00.5", context),
            utc(2024, 7, 15, 8, 30) + 500'000'000);
  EXPECT_EQ(parseTimestamp("20240715T103000", context), utc(2024, 7, 15, 8, 30));
  EXPECT_EQ(parseTimestamp("Jul 15 10:30:00", context), utc(2024, 7, 15, 8, 30));
  EXPECT_EQ(parseTimestamp("Jan 15 10:30:00", context), utc(2024, 1, 15, 9, 30));
  EXPECT_EQ(parseTimestamp("2024/07/15 10:30:00", context), utc(2024, 7, 15, 8, 30));
  EXPECT_EQ(parseTimestamp("24/07/15 10:30:00", context), utc(2024, 7, 15, 8, 30));
  EXPECT_EQ(parseTimestamp("10/Oct/2000:13:55:36", context), utc(2000, 10, 10, 11, 55, 36));
  // A written offset wins over the zone.
  EXPECT_EQ(parseTimestamp("2024-07-15T10:30:00Z", context), utc(2024, 7, 15, 10, 30));
  EXPECT_EQ(parseTimestamp("2024-07-15T10:30:00+00:00", context), utc(2024, 7, 15, 10, 30));
  EXPECT_EQ(parseTimestamp("10/Oct/2000:13:55:36 -0700", context), 971'211'336 * kS);
  // Epoch numbers have no zone.
  EXPECT_EQ(parseTimestamp("1705314600", context), kJan15 * kS);
  // The spring gap reads in the offset before it, the autumn overlap as its earlier instant.
  EXPECT_EQ(parseTimestamp("2024-03-31 02:30:00", context), utc(2024, 3, 31, 1, 30));
  EXPECT_EQ(parseTimestamp("2024-10-27 02:30:00", context), utc(2024, 10, 27, 0, 30));
  EXPECT_EQ(parseTimestamp("2024-10-27 03:00:00", context), utc(2024, 10, 27, 2));
  // parseIsoTimestamp keeps reading zone-less text as UTC.
  EXPECT_EQ(parseIsoTimestamp("2024-07-15 10:30:00"), utc(2024, 7, 15, 10, 30));
}

TEST(ParseTimestamp, FixedOffsetZone) {
  std::string error;
  std::optional<TimeZone> zone = TimeZone::load("-0530", error);
  ASSERT_TRUE(zone) << error;
  const TimeContext context{&*zone, kMidJune2024};
  EXPECT_EQ(parseTimestamp("2024-01-15 05:00:00", context), kJan15 * kS);
  EXPECT_EQ(parseTimestamp("Jan 15 05:00:00", context), kJan15 * kS);
}

struct KlogCase {
  std::string_view text;
  std::optional<TimestampNs> expected;
};
void PrintTo(const KlogCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParseKlogTimestampTest : public testing::TestWithParam<KlogCase> {};

TEST_P(ParseKlogTimestampTest, Parses) {
  const KlogCase& c = GetParam();
  EXPECT_EQ(parseKlogTimestamp(c.text, TimeContext{nullptr, utc(2024, 11, 30)}), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, ParseKlogTimestampTest,
    testing::Values(
        KlogCase{"1125 10:30:00.123456", utc(2024, 11, 25, 10, 30) + 123'456'000},
        KlogCase{"1125 10:30:00", utc(2024, 11, 25, 10, 30)},
        KlogCase{"0229 10:30:00", utc(2024, 2, 29, 10, 30)},
        KlogCase{"1231 23:59:59.999999", utc(2023, 12, 31, 23, 59, 59) + 999'999'000},
        KlogCase{"20241125 10:30:00.123456", utc(2024, 11, 25, 10, 30) + 123'456'000},
        KlogCase{"20191231 23:59:59", utc(2019, 12, 31, 23, 59, 59)}, KlogCase{"", std::nullopt},
        KlogCase{"1325 10:30:00", std::nullopt}, KlogCase{"1131 10:30:00", std::nullopt},
        KlogCase{"0025 10:30:00", std::nullopt}, KlogCase{"112 10:30:00", std::nullopt},
        KlogCase{"11250 10:30:00", std::nullopt}, KlogCase{"1125T10:30:00", std::nullopt},
        KlogCase{"1125 10:30:00.", std::nullopt}, KlogCase{"1125 10:30", std::nullopt},
        KlogCase{"1125 10:30:00 ", std::nullopt}, KlogCase{"I1125 10:30:00.123456", std::nullopt},
        KlogCase{"20231329 10:30:00", std::nullopt}, KlogCase{"20230229 10:30:00", std::nullopt},
        KlogCase{"Dec 10 06:55:46", std::nullopt}));

TEST(ParseKlogTimestamp, YearFollowsNow) {
  EXPECT_EQ(parseKlogTimestamp("1231 23:59:59", TimeContext{nullptr, utc(2025, 1, 2)}),
            utc(2024, 12, 31, 23, 59, 59));
  EXPECT_EQ(parseKlogTimestamp("0101 00:00:01", TimeContext{nullptr, utc(2025, 1, 2)}),
            utc(2025, 1, 1, 0, 0, 1));
}

struct PrefixCase {
  std::string_view line;
  std::optional<size_t> expected;
};
void PrintTo(const PrefixCase& c, std::ostream* os) { *os << '"' << c.line << '"'; }

class TimestampPrefixLengthTest : public testing::TestWithParam<PrefixCase> {};

TEST_P(TimestampPrefixLengthTest, FindsTheEnd) {
  const PrefixCase& c = GetParam();
  EXPECT_EQ(timestampPrefixLength(c.line), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Lines, TimestampPrefixLengthTest,
    testing::Values(
        PrefixCase{"2016-09-28 04:30:30,123 ERROR [main] Foo - bar", 23},
        PrefixCase{"2016-09-28 04:30:30,123:ERROR:root:bar", 23},
        PrefixCase{"2024-01-15T10:30:00.123+02:00 INFO started", 29},
        PrefixCase{"2024-01-15T10:30:00Z INFO", 20}, PrefixCase{"2024-01-15T10:30:00Z", 20},
        PrefixCase{"2024-01-15T10:30:00.123456789Z\tinfo", 30},
        PrefixCase{"2024-01-15 10:30:00 +0200 x", 19}, PrefixCase{"2024-01-15 10:30 x", 16},
        PrefixCase{"2024-01-15 10:30:00 - x", 19}, PrefixCase{"2024-01-15 10:30:00-x", 19},
        PrefixCase{"2024-01-15 10:30:00.x", 19},
        PrefixCase{"Dec 10 06:55:46 host sshd[42]: Accepted", 15},
        PrefixCase{"Dec  1 06:55:46 host", 15}, PrefixCase{"Dec 10 06:55:46.123 host", 19},
        PrefixCase{"Dec 10 2024 06:55:46 host", 20},
        PrefixCase{"Feb 29 06:55:46 host", 15},  // the year decides later
        PrefixCase{"10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200", 26},
        PrefixCase{"10/Oct/2000:13:55:36] x", 20},
        PrefixCase{"2024/01/15 10:30:00 [error] 123#0: *1 open()", 19},
        PrefixCase{"2024/01/15 10:30:00.123456 main.go:10: x", 26},
        PrefixCase{"17/06/09 20:10:40 INFO spark.SparkContext: x", 17},
        PrefixCase{"20240115T103000Z x", 16}, PrefixCase{"1705314600 INFO", 10},
        PrefixCase{"1705314600.123 x", 14}, PrefixCase{"1705314600123 x", 13},
        PrefixCase{"1705314600123456 x", 16}, PrefixCase{"1705314600123456789 x", 19},
        PrefixCase{"", std::nullopt}, PrefixCase{"INFO starting", std::nullopt},
        PrefixCase{"404 Not Found", std::nullopt}, PrefixCase{"12:30:00 x", std::nullopt},
        PrefixCase{"170531460 x", std::nullopt}, PrefixCase{"17053146001 x", std::nullopt},
        PrefixCase{"1705314600x", std::nullopt},
        PrefixCase{"2024-01-15T10:30:00Zjunk", std::nullopt},
        PrefixCase{"Dec 10 06:55:46host", std::nullopt},
        PrefixCase{"1125 10:30:00.123456 1 main.go:1] x", std::nullopt},
        PrefixCase{"2024-13-01 00:00:00 x", std::nullopt},
        PrefixCase{"2023-02-29 00:00:00 x", std::nullopt},
        PrefixCase{"Dec 32 06:55:46 x", std::nullopt}, PrefixCase{"Decimal 10", std::nullopt},
        PrefixCase{"[2024-01-15 10:30:00] x", std::nullopt},
        PrefixCase{"-1705314600 x", std::nullopt}));

// A view over exactly the bytes given, so that reading one past the end is
// caught by the address sanitizer (a std::string's terminator would hide it).
class ExactBuffer {
 public:
  explicit ExactBuffer(std::string_view text)
      : data_(new char[text.size() == 0 ? 1 : text.size()]), size_(text.size()) {
    if (size_ != 0) std::memcpy(data_.get(), text.data(), size_);
  }
  std::string_view view() const { return {size_ == 0 ? nullptr : data_.get(), size_}; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_;
};

// Every entry point on one input; checks what must hold whatever the input.
void exercise(std::string_view text, const TimeContext& context) {
  ExactBuffer buffer(text);
  const std::string_view t = buffer.view();
  const std::optional<TimestampNs> parsed = parseTimestamp(t, context);
  parseIsoTimestamp(t);
  parseEpochTimestamp(t);
  parseKlogTimestamp(t, context);
  const std::optional<size_t> prefix = timestampPrefixLength(t);
  if (prefix) {
    ASSERT_GT(*prefix, 0u) << text;
    ASSERT_LE(*prefix, t.size()) << text;
  }
  // A whole timestamp that is not a bare number is a whole prefix too.
  if (parsed && t.find_first_not_of("0123456789.-") != std::string_view::npos) {
    ASSERT_EQ(prefix, t.size()) << text;
  }
}

TEST(TimestampFuzz, TruncationsOfValidInputs) {
  std::string error;
  std::optional<TimeZone> paris = TimeZone::load("Europe/Paris", error);
  ASSERT_TRUE(paris) << error;
  const TimeContext context{&*paris, kMidJune2024};
  struct Sample {
    std::string_view text;
    size_t shortest;  // no shorter prefix is a timestamp
  };
  for (const Sample& s :
       {Sample{"2024-01-15T10:30:00.123456789+02:00", 16}, Sample{"Dec 10 2024 06:55:46.123", 15},
        Sample{"Dec  1 06:55:46.123", 15}, Sample{"10/Oct/2000:13:55:36 -0700", 20},
        Sample{"2024/01/15 10:30:00.123", 19}, Sample{"17/06/09 20:10:40", 17},
        Sample{"20240115T103000.25+0200", 15}}) {
    for (size_t n = 0; n <= s.text.size(); ++n) {
      const std::string_view prefix = s.text.substr(0, n);
      exercise(prefix, context);
      if (n < s.shortest) {
        // Bare digits are epoch numbers; anything else this short is no timestamp.
        if (prefix.find_first_not_of("0123456789") != std::string_view::npos) {
          EXPECT_EQ(parseTimestamp(prefix, context), std::nullopt) << prefix;
        }
        EXPECT_EQ(timestampPrefixLength(prefix), std::nullopt) << prefix;
      }
    }
    EXPECT_TRUE(parseTimestamp(s.text, context)) << s.text;
  }
  for (size_t n = 0; n <= 20; ++n) {
    const std::string_view klog = std::string_view("1125 10:30:00.123456").substr(0, n);
    ExactBuffer buffer(klog);
    EXPECT_EQ(parseKlogTimestamp(buffer.view(), context).has_value(), n == 13 || n >= 15) << klog;
  }
}

TEST(TimestampFuzz, RandomBytesAndMutations) {
  std::string error;
  std::optional<TimeZone> paris = TimeZone::load("Europe/Paris", error);
  ASSERT_TRUE(paris) << error;
  const TimeContext context{&*paris, kMidJune2024};
  const std::vector<std::string> seeds = {"2024-01-15T10:30:00.123+02:00",
                                          "Dec 10 06:55:46.123",
                                          "Dec 10 2024 06:55:46",
                                          "10/Oct/2000:13:55:36 -0700",
                                          "2024/01/15 10:30:00.1",
                                          "17/06/09 20:10:40",
                                          "20240115T103000Z",
                                          "1705314600.123",
                                          "1125 10:30:00.123456",
                                          "20241125 10:30:00.123456"};
  const std::string_view alphabet = "0123456789-:/T Z+.,JanDecOctFebtz\t\xff";
  std::mt19937_64 rng(12345);
  auto pick = [&rng](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  for (int i = 0; i < 200'000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      const size_t length = pick(40);
      for (size_t j = 0; j < length; ++j) {
        text += i % 4 == 0 ? static_cast<char>(pick(256)) : alphabet[pick(alphabet.size())];
      }
    } else {
      text = seeds[pick(seeds.size())];
      for (size_t edits = 1 + pick(3); edits > 0 && !text.empty(); --edits) {
        const size_t at = pick(text.size());
        switch (pick(4)) {
          case 0:
            text[at] = alphabet[pick(alphabet.size())];
            break;
          case 1:
            text.insert(at, 1, alphabet[pick(alphabet.size())]);
            break;
          case 2:
            text.erase(at, 1);
            break;
          default:
            text.resize(at);
            break;
        }
      }
    }
    exercise(text, context);
    if (testing::Test::HasFatalFailure()) return;
  }
  // Long digit runs in every numeric position.
  const std::string digits(5000, '9');
  for (const std::string& text :
       {digits, "2024-01-15T10:30:00." + digits, "Dec 10 06:55:46." + digits,
        "2024/01/15 10:30:00." + digits, "1705314600." + digits, digits + "T103000Z"}) {
    exercise(text, context);
  }
}

}  // namespace
}  // namespace sluice
