#include "config/units.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string_view>

namespace sluice {
namespace {

using std::chrono::milliseconds;

struct DurationCase {
  std::string_view text;
  std::optional<int64_t> ms;
};
void PrintTo(const DurationCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParseDurationTest : public testing::TestWithParam<DurationCase> {};

TEST_P(ParseDurationTest, Parses) {
  const DurationCase& c = GetParam();
  std::optional<milliseconds> d = parseDuration(c.text);
  if (!c.ms) {
    EXPECT_EQ(d, std::nullopt) << d->count();
  } else {
    ASSERT_NE(d, std::nullopt);
    EXPECT_EQ(d->count(), *c.ms);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Valid, ParseDurationTest,
    testing::Values(DurationCase{"250ms", 250}, DurationCase{"0ms", 0}, DurationCase{"2s", 2'000},
                    DurationCase{"1.5s", 1'500}, DurationCase{"0.25s", 250},
                    DurationCase{"1m", 60'000}, DurationCase{"1h", 3'600'000},
                    DurationCase{"7d", 604'800'000}, DurationCase{"30", 30'000},  // bare: seconds
                    DurationCase{"10 s", 10'000}, DurationCase{"5s ", 5'000},
                    DurationCase{"1.0005s", 1'001}));  // rounded to the nearest ms

INSTANTIATE_TEST_SUITE_P(
    Invalid, ParseDurationTest,
    testing::Values(DurationCase{"", std::nullopt}, DurationCase{"s", std::nullopt},
                    DurationCase{"ms", std::nullopt}, DurationCase{"-1s", std::nullopt},
                    DurationCase{"5x", std::nullopt}, DurationCase{"5 seconds", std::nullopt},
                    DurationCase{"1.2.3s", std::nullopt}, DurationCase{"5S", std::nullopt},
                    DurationCase{"1w", std::nullopt}, DurationCase{"abc", std::nullopt},
                    DurationCase{"99999999999999d", std::nullopt}));  // absurdly long

struct SizeCase {
  std::string_view text;
  std::optional<uint64_t> bytes;
};
void PrintTo(const SizeCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class ParseByteSizeTest : public testing::TestWithParam<SizeCase> {};

TEST_P(ParseByteSizeTest, Parses) { EXPECT_EQ(parseByteSize(GetParam().text), GetParam().bytes); }

INSTANTIATE_TEST_SUITE_P(
    Valid, ParseByteSizeTest,
    testing::Values(SizeCase{"0", 0}, SizeCase{"512", 512}, SizeCase{"512B", 512},
                    SizeCase{"64KiB", 65'536}, SizeCase{"64Ki", 65'536}, SizeCase{"64K", 65'536},
                    SizeCase{"5MiB", 5'242'880}, SizeCase{"2GiB", 2'147'483'648ULL},
                    SizeCase{"1TiB", 1'099'511'627'776ULL}, SizeCase{"1.5KiB", 1'536},
                    SizeCase{"0.5MiB", 524'288}, SizeCase{"10MB", 10'000'000},
                    SizeCase{"1kB", 1'000}, SizeCase{"1KB", 1'000},
                    SizeCase{"3GB", 3'000'000'000ULL}, SizeCase{"2TB", 2'000'000'000'000ULL},
                    SizeCase{"10 MiB", 10'485'760}));

INSTANTIATE_TEST_SUITE_P(
    Invalid, ParseByteSizeTest,
    testing::Values(SizeCase{"", std::nullopt}, SizeCase{"MiB", std::nullopt},
                    SizeCase{"-1KiB", std::nullopt}, SizeCase{"5XB", std::nullopt},
                    SizeCase{"1PB", std::nullopt}, SizeCase{"1.2.3MiB", std::nullopt},
                    SizeCase{"ten", std::nullopt}, SizeCase{"1e3", std::nullopt},
                    SizeCase{"99999999999TiB", std::nullopt}));

}  // namespace
}  // namespace sluice
