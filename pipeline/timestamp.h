#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Timestamps are nanoseconds since the Unix epoch, UTC, everywhere inside sluice.
using TimestampNs = int64_t;

// RFC 3339 / ISO 8601 date-times: `T` or space between date and time, `.` or
// `,` before the fraction, `Z`, `+hh:mm`, `+hhmm`, `+hh` or no zone (then UTC).
// Seconds are optional (`2024-01-15T10:30Z`).
// Hand-written because strptime per event would dominate the hot path.
std::optional<TimestampNs> parseIsoTimestamp(std::string_view text);

// A number of seconds, milliseconds, microseconds or nanoseconds since the
// epoch, told apart by magnitude; the text may carry a fraction ("1700000000.25").
std::optional<TimestampNs> parseEpochTimestamp(std::string_view number);

class TimeZone;

// What a timestamp that does not say everything is read against.
struct TimeContext {
  // The zone of timestamps without an offset; nullptr reads them as UTC.
  const TimeZone* zone = nullptr;
  // The reference for timestamps without a year; 0 asks the clock on every
  // call, so callers on the hot path set it once per batch.
  TimestampNs now = 0;
};

// Any of the shapes below, told apart by their first bytes (no trial parses):
//   ISO 8601 / RFC 3339, as parseIsoTimestamp reads it; `2024-01-15T10:30:00Z`,
//     `2016-09-28 04:30:30,123` (log4j, Python), `2024-01-15T10:30:00.123456`
//   ISO 8601 basic                 `20240115T103000Z`, `20240115T103000.5+0100`
//   epoch s/ms/µs/ns, as parseEpochTimestamp reads it
//   syslog (RFC 3164)              `Dec 10 06:55:46`, `Dec  1 06:55:46.123`,
//                                  `Dec 10 2024 06:55:46`
//   Apache / nginx access logs     `10/Oct/2000:13:55:36 -0700`, offset optional
//   Go log, nginx error log        `2024/01/15 10:30:00`, `2024/01/15 10:30:00.123`
//   two-digit years (log4j `yy/MM/dd HH:mm:ss`, Spark, Hadoop)
//                                  `17/06/09 20:10:40` is 2017-06-09, always 20yy
// Month names are English, three letters, any case. A `.` or `,` fraction may
// follow the seconds in all but the Apache shape. Timestamps without an offset
// are read in `context.zone`. Those without a year take the year that puts
// them nearest `context.now` without being more than 31 days after it: a
// December line read in January belongs to last year, and a January line
// read on 31 December, by a host west of the writer, to next year.
// Instants outside int64 nanoseconds (years 1678 to 2261) are rejected.
std::optional<TimestampNs> parseTimestamp(std::string_view text, const TimeContext& context);

// The above, zone-less timestamps read as UTC and year-less ones against the clock.
std::optional<TimestampNs> parseTimestamp(std::string_view text);

// klog / glog headers after the severity letter: `1125 10:30:00.123456`
// (MMDD, year inferred as above) or `20241125 10:30:00.123456` (glog with a
// year). Apart from parseTimestamp because four digits and a time are too
// common in free text to be taken for a date unless the format says so.
std::optional<TimestampNs> parseKlogTimestamp(std::string_view text, const TimeContext& context);

// The length of the timestamp a plaintext line starts with, in any shape that
// parseTimestamp reads (not klog's), or nullopt when it starts with none.
// Stops before what follows the timestamp (`2016-09-28 04:30:30,123 ERROR` ->
// 23, `Dec 10 06:55:46 host` -> 15, `10/Oct/2000:13:55:36 -0700] "GET` -> 26)
// and requires a byte that is not a letter or digit there. Epoch numbers
// count only with 10, 13, 16 or 19 digits (s, ms, µs, ns of this era), so a
// line starting "404 " has no timestamp. Callers strip a leading '[' first.
std::optional<size_t> timestampPrefixLength(std::string_view line);

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
