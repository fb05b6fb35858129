#include "pipeline/time_zone.h"

// Debian builds libdate-tz against the OS tz database, with string_view names
// and the C locale only. Its headers must be read with the same settings, or
// the zone type's layout and locate_zone's signature differ from the library's.
#ifndef USE_OS_TZDB
#define USE_OS_TZDB 1
#endif
#ifndef HAS_STRING_VIEW
#define HAS_STRING_VIEW 1
#endif
#ifndef ONLY_C_LOCALE
#define ONLY_C_LOCALE 1
#endif
#include <date/tz.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <limits>
#include <utility>

#include "pipeline/timestamp.h"

static_assert(USE_OS_TZDB == 1, "libdate-tz is built to read the OS tz database");

namespace sluice {
namespace {

// Offsets are looked up for the years 1 to 9999; further out, the offset at the
// nearer end holds.
constexpr int64_t kFirstSupported = -62'135'596'800;  // 0001-01-01T00:00:00Z
constexpr int64_t kLastSupported = 253'402'300'799;   // 9999-12-31T23:59:59Z
// Every offset in the tz database is within this of UTC (the widest, local mean
// time in a few zones, is under 16 hours).
constexpr int64_t kWidestOffset = 26 * 3600;
constexpr int64_t kSecondsPerDay = 86'400;
// Where libdate-tz reads the database on Linux.
constexpr std::string_view kZoneInfoDir = "/usr/share/zoneinfo/";

// A stretch of UTC seconds [begin, end) with one offset.
struct Period {
  int64_t begin;
  int64_t end;
  int64_t offset;
};

int64_t secondsOf(date::sys_seconds t) { return t.time_since_epoch().count(); }

// What one thread remembers of its recent lookups: for a zone, a span of
// wall-clock seconds [begin, end) that all read with `offset`. Plain data,
// so the thread_local needs no guard on access.
struct CachedSpan {
  uint64_t zone_id;
  int64_t begin;
  int64_t end;
  int64_t offset;
};
constexpr size_t kCachedSpans = 4;
thread_local CachedSpan t_spans[kCachedSpans] = {};

bool readTwoDigits(std::string_view text, size_t pos, int64_t& value) {
  if (pos + 2 > text.size() || text[pos] < '0' || text[pos] > '9' || text[pos + 1] < '0' ||
      text[pos + 1] > '9') {
    return false;
  }
  value = (text[pos] - '0') * 10 + (text[pos + 1] - '0');
  return true;
}

// "+02:00", "-0530", "+02": seconds east of UTC.
std::optional<int64_t> parseFixedOffset(std::string_view text) {
  int64_t hours, minutes = 0;
  if (text.empty() || (text[0] != '+' && text[0] != '-') || !readTwoDigits(text, 1, hours)) {
    return std::nullopt;
  }
  size_t pos = 3;
  if (pos < text.size() && text[pos] == ':') ++pos;
  if (pos < text.size()) {
    if (!readTwoDigits(text, pos, minutes)) return std::nullopt;
    pos += 2;
  }
  if (pos != text.size() || hours > 23 || minutes > 59) return std::nullopt;
  return (hours * 3600 + minutes * 60) * (text[0] == '-' ? -1 : 1);
}

std::string formatOffset(int64_t offset) {
  const int64_t magnitude = offset < 0 ? -offset : offset;
  const int64_t hours = magnitude / 3600;
  const int64_t minutes = magnitude / 60 % 60;
  std::string out(1, offset < 0 ? '-' : '+');
  out += static_cast<char>('0' + hours / 10);
  out += static_cast<char>('0' + hours % 10);
  out += ':';
  out += static_cast<char>('0' + minutes / 10);
  out += static_cast<char>('0' + minutes % 10);
  return out;
}

// A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3": a standard offset
// and, optionally, a daylight-saving offset with the yearly dates it starts
// and ends, with RFC 8536's extensions (transition times from -167 to 167
// hours). The date library's own reader (ptz.h) does not compile as C++20.
class PosixRule {
 public:
  static std::optional<PosixRule> parse(std::string_view text);

  bool hasDaylightSaving() const { return has_dst_; }
  int64_t standardOffset() const { return std_offset_; }
  Period periodAt(int64_t utc) const;

 private:
  // When in a year a transition falls, and at what wall-clock time.
  struct Transition {
    enum class Kind { kMonthWeekDay, kJulian, kZeroBased };
    Kind kind = Kind::kMonthWeekDay;
    int64_t month = 0;    // Mm.w.d
    int64_t week = 0;     // 1 to 5, 5 being the last
    int64_t weekday = 0;  // 0 is Sunday
    int64_t day = 0;      // Jn counts 1 to 365 without February 29; n counts 0 to 365 with it
    int64_t time = 2 * 3600;
  };

  static bool parseName(std::string_view s, size_t& pos);
  static bool parseTime(std::string_view s, size_t& pos, int64_t max_hours, int64_t& seconds);
  static bool parseTransition(std::string_view s, size_t& pos, Transition& t);
  static int64_t dayOf(const Transition& t, int64_t year);

  int64_t std_offset_ = 0;  // seconds east of UTC
  int64_t dst_offset_ = 0;
  bool has_dst_ = false;
  Transition start_;
  Transition end_;
};

bool PosixRule::parseName(std::string_view s, size_t& pos) {
  if (pos < s.size() && s[pos] == '<') {
    const size_t close = s.find('>', pos + 1);
    if (close == std::string_view::npos || close - pos - 1 < 3) return false;
    pos = close + 1;
    return true;
  }
  const size_t start = pos;
  while (pos < s.size() && ((s[pos] | 0x20) >= 'a' && (s[pos] | 0x20) <= 'z')) ++pos;
  return pos - start >= 3;
}

bool readNumber(std::string_view s, size_t& pos, size_t max_digits, int64_t& value) {
  const size_t start = pos;
  value = 0;
  while (pos < s.size() && pos - start < max_digits && s[pos] >= '0' && s[pos] <= '9') {
    value = value * 10 + (s[pos++] - '0');
  }
  return pos > start;
}

// [+-]hh[:mm[:ss]], as seconds.
bool PosixRule::parseTime(std::string_view s, size_t& pos, int64_t max_hours, int64_t& seconds) {
  int64_t sign = 1;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) sign = s[pos++] == '-' ? -1 : 1;
  int64_t hours, minutes = 0, secs = 0;
  if (!readNumber(s, pos, 3, hours) || hours > max_hours) return false;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!readNumber(s, pos, 2, minutes) || minutes > 59) return false;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!readNumber(s, pos, 2, secs) || secs > 59) return false;
    }
  }
  seconds = sign * (hours * 3600 + minutes * 60 + secs);
  return true;
}

bool PosixRule::parseTransition(std::string_view s, size_t& pos, Transition& t) {
  if (pos < s.size() && s[pos] == 'M') {
    ++pos;
    t.kind = Transition::Kind::kMonthWeekDay;
    if (!readNumber(s, pos, 2, t.month) || t.month < 1 || t.month > 12) return false;
    if (pos >= s.size() || s[pos++] != '.') return false;
    if (!readNumber(s, pos, 1, t.week) || t.week < 1 || t.week > 5) return false;
    if (pos >= s.size() || s[pos++] != '.') return false;
    if (!readNumber(s, pos, 1, t.weekday) || t.weekday > 6) return false;
  } else if (pos < s.size() && s[pos] == 'J') {
    ++pos;
    t.kind = Transition::Kind::kJulian;
    if (!readNumber(s, pos, 3, t.day) || t.day < 1 || t.day > 365) return false;
  } else {
    t.kind = Transition::Kind::kZeroBased;
    if (!readNumber(s, pos, 3, t.day) || t.day > 365) return false;
  }
  if (pos < s.size() && s[pos] == '/') {
    ++pos;
    return parseTime(s, pos, 167, t.time);
  }
  return true;
}

std::optional<PosixRule> PosixRule::parse(std::string_view s) {
  PosixRule rule;
  size_t pos = 0;
  int64_t offset;
  // POSIX offsets count hours west of UTC.
  if (!parseName(s, pos) || !parseTime(s, pos, 24, offset)) return std::nullopt;
  rule.std_offset_ = -offset;
  if (pos == s.size()) return rule;
  // A daylight-saving name without dates would leave them to the C library's
  // defaults; only rules that say when they apply are read.
  if (!parseName(s, pos)) return std::nullopt;
  rule.dst_offset_ = rule.std_offset_ + 3600;
  if (pos < s.size() && s[pos] != ',') {
    if (!parseTime(s, pos, 24, offset)) return std::nullopt;
    rule.dst_offset_ = -offset;
  }
  if (pos >= s.size() || s[pos++] != ',' || !parseTransition(s, pos, rule.start_) ||
      pos >= s.size() || s[pos++] != ',' || !parseTransition(s, pos, rule.end_) ||
      pos != s.size()) {
    return std::nullopt;
  }
  rule.has_dst_ = true;
  return rule;
}

int64_t floorMod(int64_t a, int64_t b) { return ((a % b) + b) % b; }
int64_t floorDiv(int64_t a, int64_t b) { return (a - floorMod(a, b)) / b; }

int64_t PosixRule::dayOf(const Transition& t, int64_t year) {
  const int64_t january_first = daysFromCivil(year, 1, 1);
  switch (t.kind) {
    case Transition::Kind::kJulian: {
      const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
      return january_first + t.day - 1 + (leap && t.day >= 60 ? 1 : 0);
    }
    case Transition::Kind::kZeroBased:
      return january_first + t.day;
    case Transition::Kind::kMonthWeekDay:
      break;
  }
  const auto month = static_cast<unsigned>(t.month);
  const int64_t first = daysFromCivil(year, month, 1);
  const int64_t next_month =
      month == 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
  // 1970-01-01 was a Thursday, weekday 4.
  int64_t day = first + floorMod(t.weekday - floorMod(first + 4, 7), 7) + (t.week - 1) * 7;
  while (day >= next_month) day -= 7;
  return day;
}

Period PosixRule::periodAt(int64_t utc) const {
  if (!has_dst_) {
    return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), std_offset_};
  }
  // The transitions of the years around `utc`, in order; daylight saving
  // starts on standard time and ends on daylight time.
  struct Change {
    int64_t at;
    int64_t offset;
  };
  Change changes[6];
  size_t count = 0;
  const int64_t year = civilFromDays(floorDiv(utc + std_offset_, kSecondsPerDay)).year;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    changes[count++] = {dayOf(start_, y) * kSecondsPerDay + start_.time - std_offset_, dst_offset_};
    changes[count++] = {dayOf(end_, y) * kSecondsPerDay + end_.time - dst_offset_, std_offset_};
  }
  // Insertion sort keeps equal instants in year order, so a rule in force
  // all year (ending as it starts again) reads as daylight time throughout.
  for (size_t i = 1; i < count; ++i) {
    for (size_t j = i; j > 0 && changes[j].at < changes[j - 1].at; --j) {
      std::swap(changes[j], changes[j - 1]);
    }
  }
  size_t last = count;  // the latest change at or before `utc`
  for (size_t i = 0; i < count; ++i) {
    if (changes[i].at <= utc) last = i;
  }
  Period period{std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                changes[0].offset == dst_offset_ ? std_offset_ : dst_offset_};
  if (last < count) {
    period.begin = changes[last].at;
    period.offset = changes[last].offset;
  }
  for (size_t i = last < count ? last + 1 : 0; i < count; ++i) {
    if (changes[i].at > utc) {
      period.end = changes[i].at;
      break;
    }
  }
  return period;
}

// The POSIX TZ rule at the end of a zone's TZif file, which governs every
// instant after the last transition the file lists. libdate-tz 3.0.1 ignores
// it (HowardHinnant/date#794): with the "fat" files Debian ships, the listed
// transitions run to 2037, but "slim" files (the zic default since 2020) list
// none after the rules last changed, 1996 for most of Europe, and every later
// summer would read as winter. Empty when the file has no rule with daylight
// saving, which leaves the last listed offset in force.
std::optional<PosixRule> footerRule(const std::string& zone_name) {
  std::ifstream file(std::string(kZoneInfoDir) + zone_name, std::ios::binary);
  if (!file) return std::nullopt;
  const std::string data{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (file.bad()) return std::nullopt;
  // TZif version 2 and later end with "\n<rule>\n".
  if (data.size() < 6 || data.compare(0, 4, "TZif") != 0 || data[4] < '2' || data.back() != '\n') {
    return std::nullopt;
  }
  const size_t start = data.rfind('\n', data.size() - 2);
  if (start == std::string::npos) return std::nullopt;
  std::optional<PosixRule> rule =
      PosixRule::parse(std::string_view(data).substr(start + 1, data.size() - start - 2));
  if (!rule || !rule->hasDaylightSaving()) return std::nullopt;
  return rule;
}

}  // namespace

class TimeZone::Rules {
 public:
  // At least one of the two is set.
  Rules(const date::time_zone* zone, std::optional<PosixRule> rule)
      : id_(next_id_.fetch_add(1, std::memory_order_relaxed)),
        zone_(zone),
        rule_(std::move(rule)) {}

  // Tells the rules apart in the per-thread caches; never reused, unlike an address.
  uint64_t id() const { return id_; }

  Period periodAt(int64_t utc) const;
  // The span of wall-clock seconds around `local` that reads with one offset.
  Period spanAt(int64_t local) const;

 private:
  static inline std::atomic<uint64_t> next_id_{1};

  uint64_t id_;
  const date::time_zone* zone_;  // owned by the date library's database, never freed
  std::optional<PosixRule> rule_;
};

Period TimeZone::Rules::periodAt(int64_t utc) const {
  const int64_t clamped = std::clamp(utc, kFirstSupported, kLastSupported);
  Period listed{std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0};
  if (zone_ != nullptr) {
    const date::sys_info info = zone_->get_info(date::sys_seconds{std::chrono::seconds{clamped}});
    listed = {secondsOf(info.begin), secondsOf(info.end), info.offset.count()};
    // Only the period after the last listed transition is open-ended.
    if (!rule_ || listed.end <= kLastSupported) return listed;
  }
  const Period ruled = rule_->periodAt(clamped);
  return {std::max(ruled.begin, listed.begin), ruled.end, ruled.offset};
}

Period TimeZone::Rules::spanAt(int64_t local) const {
  // The instants that read as `local` lie within a day of it. Walk the periods
  // that overlap that window, earliest first: the first in which `local`
  // occurs wins, and when it occurs in none (a gap), the period before the gap.
  Period period = periodAt(local - kWidestOffset);
  std::optional<Period> chosen, before_gap;
  for (int i = 0; i < 8; ++i) {
    const int64_t utc = local - period.offset;
    if (utc >= period.begin && utc < period.end) {
      chosen = period;
      break;
    }
    if (utc >= period.end) before_gap = period;
    if (period.end > local + kWidestOffset || period.end > kLastSupported) break;
    period = periodAt(period.end);
  }
  const Period c = chosen ? *chosen : before_gap ? *before_gap : period;
  // With that choice, the wall-clock span of this period starts after any
  // overlap with the previous one (which the previous period wins) and ends
  // after any gap before the next one (which this period takes).
  const int64_t previous = c.begin > kFirstSupported ? periodAt(c.begin - 1).offset : c.offset;
  const int64_t next = c.end <= kLastSupported ? periodAt(c.end).offset : c.offset;
  Period span{c.begin + std::max(c.offset, previous), c.end + std::max(c.offset, next), c.offset};
  // Periods shorter than the offset change around them (none in practice) break
  // that reasoning; then nothing beyond `local` itself is remembered.
  if (local < span.begin || local >= span.end) span = {local, local + 1, c.offset};
  return span;
}

int64_t TimeZone::rulesOffset(int64_t local_seconds) const {
  const uint64_t id = rules_->id();
  CachedSpan& cached = t_spans[id % kCachedSpans];
  if (cached.zone_id == id && local_seconds >= cached.begin && local_seconds < cached.end) {
    return cached.offset;
  }
  if (local_seconds < kFirstSupported || local_seconds > kLastSupported) {
    return rules_->spanAt(std::clamp(local_seconds, kFirstSupported, kLastSupported)).offset;
  }
  const Period span = rules_->spanAt(local_seconds);
  cached = {id, span.begin, span.end, span.offset};
  return span.offset;
}

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string& error) {
  if (name == "UTC" || name == "utc" || name == "Z" || name == "z") return TimeZone();
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    if (std::optional<int64_t> offset = parseFixedOffset(name)) {
      return TimeZone(formatOffset(*offset), *offset, nullptr);
    }
    error = "time zone \"" + std::string(name) +
            "\" is not an offset such as +02:00, -0530 or +02 (hours up to 23)";
    return std::nullopt;
  }
  if (name == "Local") return loadLocal(error);
  return loadNamed(name, error);
}

std::optional<TimeZone> TimeZone::loadNamed(std::string_view name, std::string& error) {
  try {
    const date::time_zone* zone = date::locate_zone(name);
    // The library reads a zone's file on its first lookup; do that now, so
    // that a damaged file fails here and not while parsing events.
    const date::sys_info info = zone->get_info(date::sys_seconds{});
    std::optional<PosixRule> rule = footerRule(zone->name());
    if (!rule && secondsOf(info.begin) <= kFirstSupported && secondsOf(info.end) > kLastSupported) {
      // One offset for all time ("Etc/UTC", "Etc/GMT+5").
      return TimeZone(zone->name(), info.offset.count(), nullptr);
    }
    return TimeZone(zone->name(), 0, std::make_shared<const Rules>(zone, std::move(rule)));
  } catch (const std::exception& e) {
    error = "time zone \"" + std::string(name) + "\": " + e.what();
    return std::nullopt;
  }
}

std::optional<TimeZone> TimeZone::loadPosix(std::string_view text, std::string& error) {
  std::optional<PosixRule> rule = PosixRule::parse(text);
  if (!rule) {
    // Appended piecewise: GCC 12 misreports `"literal" + std::string` at -O3.
    error.assign(1, '"');
    error.append(text);
    error.append("\" is not a POSIX TZ rule");
    return std::nullopt;
  }
  if (!rule->hasDaylightSaving())
    return TimeZone(std::string(text), rule->standardOffset(), nullptr);
  return TimeZone(std::string(text), 0, std::make_shared<const Rules>(nullptr, std::move(rule)));
}

std::optional<TimeZone> TimeZone::loadLocal(std::string& error) {
  const char* tz = std::getenv("TZ");
  if (tz == nullptr) {
    try {
      const std::string host = date::current_zone()->name();
      return loadNamed(host, error);
    } catch (const std::exception& e) {
      error = std::string("cannot tell the host's time zone: ") + e.what() +
              "; set TZ or name the zone in the configuration";
      return std::nullopt;
    }
  }
  // TZ is read as the C library reads it: empty means UTC, a leading ':' is
  // dropped, and the value is a zone name, a path to a zone file, or a rule.
  std::string_view value = tz;
  if (value.empty()) return TimeZone();
  if (value[0] == ':') value.remove_prefix(1);
  if (!value.empty() && value[0] == '/') {
    const size_t at = value.find("/zoneinfo/");
    if (at != std::string_view::npos)
      value.remove_prefix(at + std::string_view("/zoneinfo/").size());
  }
  if (std::optional<TimeZone> zone = loadNamed(value, error)) return zone;
  std::string rule_error;
  if (std::optional<TimeZone> zone = loadPosix(value, rule_error)) {
    error.clear();
    return zone;
  }
  error = "TZ=\"" + std::string(tz) +
          "\" is neither a zone of the tz database nor a POSIX TZ rule; set TZ or name the zone in "
          "the configuration";
  return std::nullopt;
}

}  // namespace sluice
