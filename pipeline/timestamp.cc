#include "pipeline/timestamp.h"

#include <chrono>

#include "pipeline/time_zone.h"

namespace sluice {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;
// How far after `now` a year-less timestamp may lie and still count as this
// year's (or next year's): clock skew, and writers in zones east of the reader.
constexpr int64_t kYearInferenceSlack = 31 * kSecondsPerDay;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) {
  const char lower = static_cast<char>(c | 0x20);
  return lower >= 'a' && lower <= 'z';
}
bool isAlnum(char c) { return isDigit(c) || isLetter(c); }
bool at(std::string_view text, size_t pos, char c) { return pos < text.size() && text[pos] == c; }

bool isLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t floorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

bool readDigits(std::string_view text, size_t pos, size_t count, int64_t& value) {
  if (pos + count > text.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  value = v;
  return true;
}

// Reads a fraction's digits starting at `pos` as nanoseconds; returns the
// position after the last digit.
size_t readFraction(std::string_view text, size_t pos, int64_t& nanos) {
  int64_t scale = 100'000'000;
  nanos = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    nanos += (text[pos] - '0') * scale;
    scale /= 10;
    ++pos;
  }
  return pos;
}

// A date-time as written, before a missing year is inferred and a zone applied.
struct CivilTime {
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t nanos = 0;
  int64_t offset_seconds = 0;  // east of UTC, when has_offset
  bool has_year = false;
  bool has_offset = false;
};

// The scanners below each read one shape from the start of the text and
// return the length they read, or 0 when the text does not start with that
// shape. They stop at the first byte that cannot continue the timestamp and
// leave it to the caller whether anything may follow.

// `.123` or `,123` at `pos`; a separator without digits is left unread.
size_t scanFraction(std::string_view t, size_t pos, int64_t& nanos) {
  if ((at(t, pos, '.') || at(t, pos, ',')) && pos + 1 < t.size() && isDigit(t[pos + 1])) {
    return readFraction(t, pos + 1, nanos);
  }
  return pos;
}

// `Z`, `+hh:mm`, `+hhmm` or `+hh` at `pos`; anything else is left unread. 0
// when the offset is out of range.
size_t scanOffset(std::string_view t, size_t pos, CivilTime& c) {
  if (at(t, pos, 'Z') || at(t, pos, 'z')) {
    c.has_offset = true;
    c.offset_seconds = 0;
    return pos + 1;
  }
  const bool east = at(t, pos, '+');
  int64_t hours, minutes = 0;
  if ((!east && !at(t, pos, '-')) || !readDigits(t, pos + 1, 2, hours)) return pos;
  pos += 3;
  if (at(t, pos, ':') && readDigits(t, pos + 1, 2, minutes)) {
    pos += 3;
  } else if (readDigits(t, pos, 2, minutes)) {
    pos += 2;
  }
  if (hours > 23 || minutes > 59) return 0;
  c.has_offset = true;
  c.offset_seconds = (hours * 3600 + minutes * 60) * (east ? 1 : -1);
  return pos;
}

// `HH:MM:SS` at `pos`.
size_t scanClock(std::string_view t, size_t pos, CivilTime& c) {
  if (!readDigits(t, pos, 2, c.hour) || !at(t, pos + 2, ':') ||
      !readDigits(t, pos + 3, 2, c.minute) || !at(t, pos + 5, ':') ||
      !readDigits(t, pos + 6, 2, c.second)) {
    return 0;
  }
  return pos + 8;
}

constexpr uint32_t monthKey(const char (&name)[4]) {
  return static_cast<uint32_t>(name[0]) << 16 | static_cast<uint32_t>(name[1]) << 8 |
         static_cast<uint32_t>(name[2]);
}

// 1 to 12 for an English month abbreviation at `pos`, in any case; 0 otherwise.
int64_t scanMonthName(std::string_view t, size_t pos) {
  if (pos + 3 > t.size()) return 0;
  uint32_t key = 0;
  for (size_t i = 0; i < 3; ++i) {
    const char c = t[pos + i];
    if (!isLetter(c)) return 0;
    key = key << 8 | static_cast<uint8_t>(c | 0x20);
  }
  switch (key) {
    case monthKey("jan"):
      return 1;
    case monthKey("feb"):
      return 2;
    case monthKey("mar"):
      return 3;
    case monthKey("apr"):
      return 4;
    case monthKey("may"):
      return 5;
    case monthKey("jun"):
      return 6;
    case monthKey("jul"):
      return 7;
    case monthKey("aug"):
      return 8;
    case monthKey("sep"):
      return 9;
    case monthKey("oct"):
      return 10;
    case monthKey("nov"):
      return 11;
    case monthKey("dec"):
      return 12;
    default:
      return 0;
  }
}

// `2024-01-15T10:30:00.123+02:00` and the variants parseIsoTimestamp lists.
size_t scanIso(std::string_view t, CivilTime& c) {
  if (!readDigits(t, 0, 4, c.year) || !at(t, 4, '-') || !readDigits(t, 5, 2, c.month) ||
      !at(t, 7, '-') || !readDigits(t, 8, 2, c.day) ||
      !(at(t, 10, 'T') || at(t, 10, 't') || at(t, 10, ' ')) || !readDigits(t, 11, 2, c.hour) ||
      !at(t, 13, ':') || !readDigits(t, 14, 2, c.minute)) {
    return 0;
  }
  c.has_year = true;
  size_t pos = 16;
  if (at(t, pos, ':')) {
    if (!readDigits(t, pos + 1, 2, c.second)) return 0;
    pos += 3;
  }
  pos = scanFraction(t, pos, c.nanos);
  return scanOffset(t, pos, c);
}

// `20240115T103000Z`, `20240115T103000.123+0100`.
size_t scanIsoBasic(std::string_view t, CivilTime& c) {
  if (!readDigits(t, 0, 4, c.year) || !readDigits(t, 4, 2, c.month) ||
      !readDigits(t, 6, 2, c.day) || !(at(t, 8, 'T') || at(t, 8, 't')) ||
      !readDigits(t, 9, 2, c.hour) || !readDigits(t, 11, 2, c.minute) ||
      !readDigits(t, 13, 2, c.second)) {
    return 0;
  }
  c.has_year = true;
  const size_t pos = scanFraction(t, 15, c.nanos);
  return scanOffset(t, pos, c);
}

// `Dec 10 06:55:46`, `Dec  1 06:55:46.123`, `Dec 1 06:55:46`, `Dec 10 2024 06:55:46`.
size_t scanSyslog(std::string_view t, CivilTime& c) {
  c.month = scanMonthName(t, 0);
  if (c.month == 0 || !at(t, 3, ' ')) return 0;
  size_t pos = 4;
  if (at(t, pos, ' ')) {  // a day padded with a space, as RFC 3164 writes it
    if (!readDigits(t, pos + 1, 1, c.day)) return 0;
    pos += 2;
  } else if (readDigits(t, pos, 2, c.day)) {
    pos += 2;
  } else if (readDigits(t, pos, 1, c.day)) {
    pos += 1;
  } else {
    return 0;
  }
  if (!at(t, pos, ' ')) return 0;
  ++pos;
  if (at(t, pos + 4, ' ') && readDigits(t, pos, 4, c.year)) {
    c.has_year = true;
    pos += 5;
  }
  pos = scanClock(t, pos, c);
  return pos == 0 ? 0 : scanFraction(t, pos, c.nanos);
}

// `10/Oct/2000:13:55:36 -0700`; Apache and nginx always write the offset,
// but a zone-less variant reads in the context's zone.
size_t scanApache(std::string_view t, CivilTime& c) {
  if (!readDigits(t, 0, 2, c.day) || !at(t, 2, '/')) return 0;
  c.month = scanMonthName(t, 3);
  if (c.month == 0 || !at(t, 6, '/') || !readDigits(t, 7, 4, c.year) || !at(t, 11, ':')) return 0;
  c.has_year = true;
  size_t pos = scanClock(t, 12, c);
  if (pos == 0) return 0;
  if (at(t, pos, ' ') && (at(t, pos + 1, '+') || at(t, pos + 1, '-'))) {
    const size_t end = scanOffset(t, pos + 1, c);
    if (end == 0) return 0;
    if (end > pos + 1) pos = end;
  }
  return pos;
}

// `2024/01/15 10:30:00.123` with four-digit years; `17/06/09 20:10:40` with
// two, which are always 20yy: the shape comes from log4j layouts of the 2000s
// and later (`yy/MM/dd HH:mm:ss` in Spark and Hadoop), and a 19yy reading
// would only ever be wrong for logs older than the software writing them.
size_t scanSlashDate(std::string_view t, size_t year_digits, CivilTime& c) {
  const size_t y = year_digits;
  if (!readDigits(t, 0, y, c.year) || !at(t, y, '/') || !readDigits(t, y + 1, 2, c.month) ||
      !at(t, y + 3, '/') || !readDigits(t, y + 4, 2, c.day) || !at(t, y + 6, ' ')) {
    return 0;
  }
  if (year_digits == 2) c.year += 2000;
  c.has_year = true;
  const size_t pos = scanClock(t, y + 7, c);
  return pos == 0 ? 0 : scanFraction(t, pos, c.nanos);
}

// `1125 10:30:00.123456` (klog) or `20241125 10:30:00.123456` (glog).
size_t scanKlog(std::string_view t, CivilTime& c) {
  size_t pos;
  if (at(t, 4, ' ') && readDigits(t, 0, 2, c.month) && readDigits(t, 2, 2, c.day)) {
    pos = 5;
  } else if (at(t, 8, ' ') && readDigits(t, 0, 4, c.year) && readDigits(t, 4, 2, c.month) &&
             readDigits(t, 6, 2, c.day)) {
    c.has_year = true;
    pos = 9;
  } else {
    return 0;
  }
  pos = scanClock(t, pos, c);
  return pos == 0 ? 0 : scanFraction(t, pos, c.nanos);
}

// An epoch number at the start of a line: 10, 13, 16 or 19 digits (seconds
// to nanoseconds since 2001), with an optional fraction.
size_t scanEpochPrefix(std::string_view t) {
  size_t pos = 0;
  while (pos < t.size() && isDigit(t[pos])) ++pos;
  if (pos != 10 && pos != 13 && pos != 16 && pos != 19) return 0;
  if (at(t, pos, '.') && pos + 1 < t.size() && isDigit(t[pos + 1])) {
    ++pos;
    while (pos < t.size() && isDigit(t[pos])) ++pos;
  }
  return pos;
}

// Whether the fields name a time of day on a date that exists. February 29
// of an unknown year passes; the year is checked once it is inferred.
bool plausible(const CivilTime& c) {
  static constexpr int64_t kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > kDaysInMonth[c.month - 1] ||
      c.hour > 23 || c.minute > 59 || c.second > 60) {
    return false;
  }
  return !(c.has_year && c.month == 2 && c.day == 29 && !isLeapYear(c.year));
}

enum class Shape { kNone, kEpoch, kIso, kIsoBasic, kSyslog, kApache, kShortYearSlash, kSlash };

// The one shape the text can be, from its first bytes.
Shape shapeOf(std::string_view t) {
  if (t.empty()) return Shape::kNone;
  if (isLetter(t[0])) return Shape::kSyslog;
  if (t[0] == '-') return Shape::kEpoch;
  if (!isDigit(t[0])) return Shape::kNone;
  if (at(t, 4, '-')) return Shape::kIso;
  if (at(t, 2, '/'))
    return t.size() > 3 && isLetter(t[3]) ? Shape::kApache : Shape::kShortYearSlash;
  if (at(t, 4, '/')) return Shape::kSlash;
  if (at(t, 8, 'T') || at(t, 8, 't')) return Shape::kIsoBasic;
  return Shape::kEpoch;
}

// Reads a date-time shape; 0 for the others and for dates that do not exist.
size_t scanCivil(Shape shape, std::string_view t, CivilTime& c) {
  size_t end = 0;
  switch (shape) {
    case Shape::kIso:
      end = scanIso(t, c);
      break;
    case Shape::kIsoBasic:
      end = scanIsoBasic(t, c);
      break;
    case Shape::kSyslog:
      end = scanSyslog(t, c);
      break;
    case Shape::kApache:
      end = scanApache(t, c);
      break;
    case Shape::kShortYearSlash:
      end = scanSlashDate(t, 2, c);
      break;
    case Shape::kSlash:
      end = scanSlashDate(t, 4, c);
      break;
    case Shape::kNone:
    case Shape::kEpoch:
      return 0;
  }
  return end != 0 && plausible(c) ? end : 0;
}

// Gives a year-less timestamp the latest of next, this and last year that
// puts it no more than kYearInferenceSlack after now. The comparison is on
// the wall clock, as if the timestamp were UTC: the slack dwarfs any offset.
bool inferYear(CivilTime& c, TimestampNs now_ns) {
  if (now_ns == 0) now_ns = nowNs();
  const int64_t now = floorDiv(now_ns, kNsPerSecond);
  const int64_t latest = now + kYearInferenceSlack;
  const int64_t this_year = civilFromDays(floorDiv(now, kSecondsPerDay)).year;
  const int64_t time_of_day = c.hour * 3600 + c.minute * 60 + c.second;
  for (int64_t year = this_year + 1; year >= this_year - 1; --year) {
    if (c.month == 2 && c.day == 29 && !isLeapYear(year)) continue;
    const int64_t local =
        daysFromCivil(year, static_cast<unsigned>(c.month), static_cast<unsigned>(c.day)) *
            kSecondsPerDay +
        time_of_day;
    if (local <= latest || year == this_year - 1) {
      c.year = year;
      c.has_year = true;
      return true;
    }
  }
  return false;
}

std::optional<TimestampNs> resolve(CivilTime c, const TimeContext& context) {
  if (!c.has_year && !inferYear(c, context.now)) return std::nullopt;
  const int64_t local =
      daysFromCivil(c.year, static_cast<unsigned>(c.month), static_cast<unsigned>(c.day)) *
          kSecondsPerDay +
      c.hour * 3600 + c.minute * 60 + c.second;
  int64_t utc = local;
  if (c.has_offset) {
    utc -= c.offset_seconds;
  } else if (context.zone != nullptr) {
    utc = context.zone->utcFromLocal(local);
  }
  int64_t ns;
  if (__builtin_mul_overflow(utc, kNsPerSecond, &ns) || __builtin_add_overflow(ns, c.nanos, &ns)) {
    return std::nullopt;
  }
  return ns;
}

std::optional<TimestampNs> parseCivil(Shape shape, std::string_view text,
                                      const TimeContext& context) {
  CivilTime c;
  const size_t end = scanCivil(shape, text, c);
  if (end == 0 || end != text.size()) return std::nullopt;
  return resolve(c, context);
}

}  // namespace

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate civilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

std::optional<TimestampNs> parseIsoTimestamp(std::string_view text) {
  return parseCivil(Shape::kIso, text, TimeContext{});
}

std::optional<TimestampNs> parseEpochTimestamp(std::string_view text) {
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  int64_t whole = 0;
  size_t digits = 0;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    ++digits;
    if (__builtin_mul_overflow(whole, 10, &whole) ||
        __builtin_add_overflow(whole, text[pos] - '0', &whole)) {
      return std::nullopt;
    }
    ++pos;
  }
  if (digits == 0) return std::nullopt;
  int64_t fraction_ns = 0;  // the fraction, as nanoseconds of one unit
  if (pos < text.size() && text[pos] == '.') pos = readFraction(text, pos + 1, fraction_ns);
  if (pos != text.size()) return std::nullopt;
  // Below 1e11 seconds reach the year 5138; each further 1000x is the next unit.
  int64_t unit_ns;
  if (whole < 100'000'000'000LL)
    unit_ns = kNsPerSecond;
  else if (whole < 100'000'000'000'000LL)
    unit_ns = 1'000'000;
  else if (whole < 100'000'000'000'000'000LL)
    unit_ns = 1'000;
  else
    unit_ns = 1;
  int64_t ns;
  if (__builtin_mul_overflow(whole, unit_ns, &ns) ||
      __builtin_add_overflow(ns, fraction_ns / (kNsPerSecond / unit_ns), &ns)) {
    return std::nullopt;
  }
  return negative ? -ns : ns;
}

std::optional<TimestampNs> parseTimestamp(std::string_view text, const TimeContext& context) {
  const Shape shape = shapeOf(text);
  if (shape == Shape::kEpoch) return parseEpochTimestamp(text);
  return parseCivil(shape, text, context);
}

std::optional<TimestampNs> parseTimestamp(std::string_view text) {
  return parseTimestamp(text, TimeContext{});
}

std::optional<TimestampNs> parseKlogTimestamp(std::string_view text, const TimeContext& context) {
  CivilTime c;
  const size_t end = scanKlog(text, c);
  if (end == 0 || end != text.size() || !plausible(c)) return std::nullopt;
  return resolve(c, context);
}

std::optional<size_t> timestampPrefixLength(std::string_view line) {
  const Shape shape = shapeOf(line);
  CivilTime c;
  const size_t end = shape == Shape::kEpoch ? scanEpochPrefix(line) : scanCivil(shape, line, c);
  if (end == 0 || (end < line.size() && isAlnum(line[end]))) return std::nullopt;
  return end;
}

void appendRfc3339(std::string& out, TimestampNs ts) {
  int64_t seconds = ts / kNsPerSecond;
  int64_t nanos = ts % kNsPerSecond;
  if (nanos < 0) {
    nanos += kNsPerSecond;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t sod = seconds % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  CivilDate date = civilFromDays(days);
  char buf[40];
  auto put2 = [](char* p, int64_t v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  int64_t year = date.year;
  if (year < 0 || year > 9999) year = year < 0 ? 0 : 9999;
  put2(buf, year / 100);
  put2(buf + 2, year % 100);
  buf[4] = '-';
  put2(buf + 5, date.month);
  buf[7] = '-';
  put2(buf + 8, date.day);
  buf[10] = 'T';
  put2(buf + 11, sod / 3600);
  buf[13] = ':';
  put2(buf + 14, sod / 60 % 60);
  buf[16] = ':';
  put2(buf + 17, sod % 60);
  buf[19] = '.';
  int digits = nanos % 1'000'000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
  int64_t frac = nanos;
  for (int i = 8; i >= 0; --i) {
    if (i < digits) buf[20 + i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  buf[20 + digits] = 'Z';
  out.append(buf, static_cast<size_t>(21 + digits));
}

TimestampNs nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TimestampNs ingestTimeNow() { return nowNs() / 1'000'000 * 1'000'000; }

}  // namespace sluice
