#include "pipeline/timestamp.h"

#include <chrono>

namespace sluice {
namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

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

std::optional<TimestampNs> parseIsoTimestamp(std::string_view t) {
  int64_t year, month, day, hour, minute, second = 0;
  if (!readDigits(t, 0, 4, year) || t.size() < 16 || t[4] != '-' || !readDigits(t, 5, 2, month) ||
      t[7] != '-' || !readDigits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      !readDigits(t, 11, 2, hour) || t[13] != ':' || !readDigits(t, 14, 2, minute)) {
    return std::nullopt;
  }
  size_t pos = 16;
  if (pos < t.size() && t[pos] == ':') {
    if (!readDigits(t, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
  }
  int64_t nanos = 0;
  if (pos < t.size() && (t[pos] == '.' || t[pos] == ',')) {
    size_t end = readFraction(t, pos + 1, nanos);
    if (end == pos + 1) return std::nullopt;
    pos = end;
  }
  int64_t offset_seconds = 0;
  if (pos < t.size()) {
    char z = t[pos];
    if (z == 'Z' || z == 'z') {
      ++pos;
    } else if (z == '+' || z == '-') {
      int64_t oh, om = 0;
      if (!readDigits(t, pos + 1, 2, oh)) return std::nullopt;
      pos += 3;
      if (pos < t.size() && t[pos] == ':') ++pos;
      if (pos < t.size()) {
        if (!readDigits(t, pos, 2, om)) return std::nullopt;
        pos += 2;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_seconds = (oh * 3600 + om * 60) * (z == '+' ? 1 : -1);
    }
  }
  if (pos != t.size()) return std::nullopt;
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1] || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * kNsPerSecond + nanos;
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

std::optional<TimestampNs> parseTimestamp(std::string_view text) {
  if (text.size() >= 16 && text[4] == '-') return parseIsoTimestamp(text);
  return parseEpochTimestamp(text);
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
