#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Timestamps are nanoseconds since the Unix epoch, UTC, everywhere inside sluice.
using TimestampNs = int64_t;

// RFC 3339 / ISO 8601 date-times: `T` or space between date and time, `.` or
// `,` before the fraction, `Z`, `+hh:mm`, `+hhmm`, `+hh` or no zone (then UTC).
// Hand-written because strptime per event would dominate the hot path.
std::optional<TimestampNs> parseIsoTimestamp(std::string_view text);

// A number of seconds, milliseconds, microseconds or nanoseconds since the
// epoch, told apart by magnitude; the text may carry a fraction ("1700000000.25").
std::optional<TimestampNs> parseEpochTimestamp(std::string_view number);

// Either of the above.
std::optional<TimestampNs> parseTimestamp(std::string_view text);

// `2026-11-25T10:30:00.123Z`: milliseconds, or micro/nanoseconds when the
// value has them.
void appendRfc3339(std::string& out, TimestampNs ts);

TimestampNs nowNs();
inline int64_t unixSeconds() { return nowNs() / 1'000'000'000; }
// Now, to the millisecond: stands in for the time of logs that carry none.
TimestampNs ingestTimeNow();

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t daysFromCivil(int64_t year, unsigned month, unsigned day);
struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};
CivilDate civilFromDays(int64_t days);

}  // namespace sluice
