#include "pipeline/time_zone.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "pipeline/timestamp.h"

namespace sluice {
namespace {

// Seconds since the epoch of a wall-clock date-time, read as if it were UTC.
int64_t civil(int64_t year, unsigned month, unsigned day, int64_t hour = 0, int64_t minute = 0,
              int64_t second = 0) {
  return daysFromCivil(year, month, day) * 86'400 + hour * 3600 + minute * 60 + second;
}

TimeZone mustLoad(std::string_view name) {
  std::string error;
  std::optional<TimeZone> zone = TimeZone::load(name, error);
  EXPECT_TRUE(zone) << name << ": " << error;
  return zone.value_or(TimeZone());
}

// Sets TZ for one test and puts back what was there.
class ScopedTz {
 public:
  explicit ScopedTz(const char* value) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    if (value != nullptr) {
      setenv("TZ", value, 1);
    } else {
      unsetenv("TZ");
    }
  }
  ~ScopedTz() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> saved_;
};

TEST(TimeZone, DefaultIsUtc) {
  TimeZone zone;
  EXPECT_EQ(zone.name(), "UTC");
  EXPECT_EQ(zone.utcFromLocal(0), 0);
  EXPECT_EQ(zone.utcFromLocal(civil(2024, 7, 1, 12)), civil(2024, 7, 1, 12));
}

TEST(TimeZone, UtcNames) {
  for (std::string_view name : {"UTC", "utc", "Z", "z"}) {
    TimeZone zone = mustLoad(name);
    EXPECT_EQ(zone.name(), "UTC") << name;
    EXPECT_EQ(zone.utcFromLocal(civil(2024, 7, 1, 12)), civil(2024, 7, 1, 12)) << name;
  }
}

struct FixedCase {
  std::string_view text;
  std::string_view name;
  int64_t offset;
};
void PrintTo(const FixedCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class FixedOffsetTest : public testing::TestWithParam<FixedCase> {};

TEST_P(FixedOffsetTest, Loads) {
  const FixedCase& c = GetParam();
  TimeZone zone = mustLoad(c.text);
  EXPECT_EQ(zone.name(), c.name);
  const int64_t local = civil(2024, 1, 15, 10, 30);
  EXPECT_EQ(zone.utcFromLocal(local), local - c.offset);
  // A fixed offset has no seasons.
  EXPECT_EQ(zone.utcFromLocal(civil(2024, 7, 15)), civil(2024, 7, 15) - c.offset);
}

INSTANTIATE_TEST_SUITE_P(
    Offsets, FixedOffsetTest,
    testing::Values(FixedCase{"+02:00", "+02:00", 7200}, FixedCase{"+0200", "+02:00", 7200},
                    FixedCase{"+02", "+02:00", 7200}, FixedCase{"-0530", "-05:30", -19'800},
                    FixedCase{"-05:30", "-05:30", -19'800}, FixedCase{"+05:45", "+05:45", 20'700},
                    FixedCase{"+00:00", "+00:00", 0}, FixedCase{"-00:00", "+00:00", 0},
                    FixedCase{"+23:59", "+23:59", 86'340}, FixedCase{"-12", "-12:00", -43'200}));

class RejectedZoneTest : public testing::TestWithParam<std::string_view> {};

TEST_P(RejectedZoneTest, ExplainsWhy) {
  std::string error;
  EXPECT_FALSE(TimeZone::load(GetParam(), error));
  EXPECT_FALSE(error.empty());
}

INSTANTIATE_TEST_SUITE_P(Names, RejectedZoneTest,
                         testing::Values("", "+2", "+24:00", "+02:60", "+02:3", "+0200x",
                                         "+02:00:00", "-", "+", "Nope/Nope", "Europe/Pariss",
                                         "europe/paris", "../../etc/passwd", "/etc/localtime",
                                         "CET-1CEST,M3.5.0,M10.5.0/3", "local"));

struct ZoneCase {
  std::string_view zone;
  int64_t local;
  int64_t offset;  // what the wall clock is ahead of UTC
};
void PrintTo(const ZoneCase& c, std::ostream* os) { *os << c.zone << " at local " << c.local; }

class NamedZoneTest : public testing::TestWithParam<ZoneCase> {};

TEST_P(NamedZoneTest, ConvertsWallClockToUtc) {
  const ZoneCase& c = GetParam();
  TimeZone zone = mustLoad(c.zone);
  EXPECT_EQ(zone.name(), c.zone);
  EXPECT_EQ(zone.utcFromLocal(c.local), c.local - c.offset);
}

// Expected values agree with Python's zoneinfo at fold=0.
INSTANTIATE_TEST_SUITE_P(
    Seasons, NamedZoneTest,
    testing::Values(
        ZoneCase{"Europe/Paris", civil(2024, 1, 15, 10, 30), 3600},  // CET
        ZoneCase{"Europe/Paris", civil(2024, 7, 15, 10, 30), 7200},  // CEST
        // 2024-03-31 02:00 CET -> 03:00 CEST: a skipped time reads in the offset before.
        ZoneCase{"Europe/Paris", civil(2024, 3, 31, 1, 59, 59), 3600},
        ZoneCase{"Europe/Paris", civil(2024, 3, 31, 2, 0), 3600},
        ZoneCase{"Europe/Paris", civil(2024, 3, 31, 2, 30), 3600},
        ZoneCase{"Europe/Paris", civil(2024, 3, 31, 3, 0), 7200},
        // 2024-10-27 03:00 CEST -> 02:00 CET: a repeated time reads as the earlier instant.
        ZoneCase{"Europe/Paris", civil(2024, 10, 27, 1, 59, 59), 7200},
        ZoneCase{"Europe/Paris", civil(2024, 10, 27, 2, 0), 7200},
        ZoneCase{"Europe/Paris", civil(2024, 10, 27, 2, 30), 7200},
        ZoneCase{"Europe/Paris", civil(2024, 10, 27, 2, 59, 59), 7200},
        ZoneCase{"Europe/Paris", civil(2024, 10, 27, 3, 0), 3600},
        // Past the transitions the zone file lists (2037), its POSIX rule.
        ZoneCase{"Europe/Paris", civil(2040, 1, 1, 12), 3600},
        ZoneCase{"Europe/Paris", civil(2040, 3, 25, 2, 30), 3600},  // the 2040 gap
        ZoneCase{"Europe/Paris", civil(2040, 3, 25, 3, 0), 7200},
        ZoneCase{"Europe/Paris", civil(2040, 7, 1, 12), 7200},
        ZoneCase{"Europe/Paris", civil(2100, 8, 1), 7200},
        ZoneCase{"Europe/Paris", civil(1950, 1, 1), 3600},
        ZoneCase{"America/New_York", civil(2024, 1, 15, 10), -18'000},
        ZoneCase{"America/New_York", civil(2024, 7, 15, 10), -14'400},
        ZoneCase{"America/New_York", civil(2024, 3, 10, 2, 30), -18'000},  // gap
        ZoneCase{"America/New_York", civil(2024, 11, 3, 1, 30), -14'400},  // overlap
        ZoneCase{"America/New_York", civil(2024, 11, 3, 2, 0), -18'000},
        ZoneCase{"America/New_York", civil(2050, 7, 1, 12), -14'400},
        // Southern hemisphere: summer across the new year.
        ZoneCase{"Australia/Sydney", civil(2024, 1, 15, 10), 39'600},
        ZoneCase{"Australia/Sydney", civil(2024, 7, 15, 10), 36'000},
        ZoneCase{"Australia/Sydney", civil(2060, 1, 15, 10), 39'600},
        // Half-hour daylight saving.
        ZoneCase{"Australia/Lord_Howe", civil(2024, 1, 15, 10), 39'600},
        ZoneCase{"Australia/Lord_Howe", civil(2024, 7, 15, 10), 37'800},
        // Irish "negative" daylight saving: winter time is the exception in the data.
        ZoneCase{"Europe/Dublin", civil(2024, 1, 15, 10), 0},
        ZoneCase{"Europe/Dublin", civil(2024, 7, 15, 10), 3600},
        ZoneCase{"Europe/Dublin", civil(2045, 7, 15, 10), 3600},
        ZoneCase{"Asia/Kolkata", civil(2024, 1, 15, 10), 19'800},
        ZoneCase{"Etc/UTC", civil(2024, 7, 15, 10), 0}));

// Paris and New York in 2024, from their transitions.
int64_t parisOffset2024(int64_t local) {
  if (local < civil(2024, 3, 31, 3)) return 3600;
  if (local < civil(2024, 10, 27, 3)) return 7200;
  return 3600;
}
int64_t newYorkOffset2024(int64_t local) {
  if (local < civil(2024, 3, 10, 3)) return -18'000;
  if (local < civil(2024, 11, 3, 2)) return -14'400;
  return -18'000;
}

TEST(TimeZone, CachedSpansFollowTransitionsInAnyOrder) {
  TimeZone paris = mustLoad("Europe/Paris");
  TimeZone new_york = mustLoad("America/New_York");
  std::vector<int64_t> locals;
  for (int64_t local = civil(2024, 1, 1); local < civil(2025, 1, 1); local += 10 * 60 + 7) {
    locals.push_back(local);
  }
  // In order, the two zones interleaved on one thread.
  for (int64_t local : locals) {
    ASSERT_EQ(paris.utcFromLocal(local), local - parisOffset2024(local)) << local;
    ASSERT_EQ(new_york.utcFromLocal(local), local - newYorkOffset2024(local)) << local;
  }
  // Shuffled, so that nearly every lookup leaves the remembered span.
  std::mt19937_64 rng(1);
  std::shuffle(locals.begin(), locals.end(), rng);
  for (int64_t local : locals) {
    ASSERT_EQ(paris.utcFromLocal(local), local - parisOffset2024(local)) << local;
    ASSERT_EQ(new_york.utcFromLocal(local), local - newYorkOffset2024(local)) << local;
  }
}

TEST(TimeZone, CopiesShareRulesAndOutliveTheOriginal) {
  std::optional<TimeZone> copy;
  {
    TimeZone paris = mustLoad("Europe/Paris");
    copy = paris;
    EXPECT_EQ(paris.utcFromLocal(civil(2024, 7, 1)), civil(2024, 7, 1) - 7200);
  }
  EXPECT_EQ(copy->name(), "Europe/Paris");
  EXPECT_EQ(copy->utcFromLocal(civil(2024, 7, 1)), civil(2024, 7, 1) - 7200);
  // A zone loaded later must not be served from a span cached for another.
  TimeZone new_york = mustLoad("America/New_York");
  EXPECT_EQ(new_york.utcFromLocal(civil(2024, 7, 1)), civil(2024, 7, 1) + 14'400);
}

TEST(TimeZone, ConcurrentConstCallsOnOneZone) {
  const TimeZone paris = mustLoad("Europe/Paris");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&paris, &failures, t] {
      std::mt19937_64 rng(t);
      std::uniform_int_distribution<int64_t> pick(civil(2024, 1, 1), civil(2025, 1, 1) - 1);
      for (int i = 0; i < 20'000; ++i) {
        const int64_t local = pick(rng);
        if (paris.utcFromLocal(local) != local - parisOffset2024(local)) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(TimeZone, FarFromTheDatabaseStaysFinite) {
  TimeZone paris = mustLoad("Europe/Paris");
  // Outside the years 1 to 9999 the nearest end's offset holds.
  for (int64_t local : {civil(1, 1, 1), civil(-5000, 6, 1), civil(9999, 12, 31, 23, 59, 59),
                        civil(20000, 7, 1), int64_t{1} << 50, -(int64_t{1} << 50)}) {
    const int64_t offset = local - paris.utcFromLocal(local);
    EXPECT_LE(offset < 0 ? -offset : offset, 16 * 3600) << local;
  }
}

TEST(TimeZoneLocal, FollowsTz) {
  {
    ScopedTz tz("Europe/Paris");
    TimeZone zone = mustLoad("Local");
    EXPECT_EQ(zone.name(), "Europe/Paris");
    EXPECT_EQ(zone.utcFromLocal(civil(2024, 7, 15, 10)), civil(2024, 7, 15, 8));
  }
  {
    ScopedTz tz(":Asia/Tokyo");
    EXPECT_EQ(mustLoad("Local").name(), "Asia/Tokyo");
  }
  {
    ScopedTz tz("/usr/share/zoneinfo/America/New_York");
    TimeZone zone = mustLoad("Local");
    EXPECT_EQ(zone.name(), "America/New_York");
    EXPECT_EQ(zone.utcFromLocal(civil(2024, 1, 15, 10)), civil(2024, 1, 15, 15));
  }
  {
    ScopedTz tz("");  // the C library reads an empty TZ as UTC
    EXPECT_EQ(mustLoad("Local").name(), "UTC");
  }
}

TEST(TimeZoneLocal, ReadsPosixRulesInTz) {
  {
    ScopedTz tz("CET-1CEST,M3.5.0,M10.5.0/3");
    TimeZone zone = mustLoad("Local");
    EXPECT_EQ(zone.name(), "CET-1CEST,M3.5.0,M10.5.0/3");
    for (int64_t local = civil(2024, 1, 1); local < civil(2025, 1, 1); local += 3600 + 17) {
      ASSERT_EQ(zone.utcFromLocal(local), local - parisOffset2024(local)) << local;
    }
  }
  {
    ScopedTz tz("<+0330>-3:30");
    TimeZone zone = mustLoad("Local");
    EXPECT_EQ(zone.utcFromLocal(civil(2024, 7, 1, 12)), civil(2024, 7, 1, 8, 30));
  }
  {
    ScopedTz tz("JST-9");
    EXPECT_EQ(mustLoad("Local").utcFromLocal(civil(2024, 7, 1, 12)), civil(2024, 7, 1, 3));
  }
}

TEST(TimeZoneLocal, RejectsWhatTzCannotMean) {
  for (const char* value : {"Not/AZone", "Local", "CET-1CEST", "CET-1CEST,M3.5.0", "12"}) {
    ScopedTz tz(value);
    std::string error;
    EXPECT_FALSE(TimeZone::load("Local", error)) << value;
    EXPECT_NE(error.find("TZ="), std::string::npos) << value << ": " << error;
  }
}

TEST(TimeZoneLocal, WithoutTzReadsTheHostZone) {
  ScopedTz tz(nullptr);
  std::string error;
  std::optional<TimeZone> zone = TimeZone::load("Local", error);
  // Containers may have no /etc/localtime; then the error must say so.
  if (zone) {
    EXPECT_FALSE(zone->name().empty());
  } else {
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace sluice
