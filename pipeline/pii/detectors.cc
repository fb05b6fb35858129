#include "pipeline/pii/detectors.h"
#include "pipeline/ascii.h"

#include <array>

#include <arpa/inet.h>
#include <netinet/in.h>

#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace sluice {
namespace {

bool isNumberOrFlag(std::string_view v) {
  if (v == "true" || v == "false") return true;
  size_t i = v.size() > 1 && v[0] == '-' ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < v.size(); ++i) {
    if (v[i] >= '0' && v[i] <= '9') {
      digits = true;
    } else if (v[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

constexpr size_t kNone = std::string_view::npos;

// byte_class_ bits.
enum : uint8_t {
  kWord = 1,     // letters, digits, '_' and bytes of non-ASCII characters
  kTrigger = 2,  // punctuation an enabled detector, or escape tracking, looks at
};

constexpr bool isDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool isLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool isAlpha(char c) { return isUpper(c) || isLower(c); }
constexpr bool isAlnum(char c) { return isAlpha(c) || isDigit(c); }
constexpr bool isHex(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool isWordByte(char c) {
  return isAlnum(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
constexpr bool isBase64Url(char c) { return isAlnum(c) || c == '_' || c == '-'; }
constexpr char lower(char c) { return isUpper(c) ? static_cast<char>(c + 32) : c; }

// Nothing glued on after `end`.
bool endsWord(std::string_view t, size_t end) { return end >= t.size() || !isWordByte(t[end]); }

bool startsWith(std::string_view t, size_t at, std::string_view prefix) {
  return at <= t.size() && t.size() - at >= prefix.size() &&
         t.compare(at, prefix.size(), prefix) == 0;
}

// How many bytes from `at` (at most `max`) `accept` takes.
size_t runOf(std::string_view t, size_t at, bool (*accept)(char), size_t max = kNone) {
  const size_t stop = std::min(t.size(), at + std::min(max, t.size()));
  size_t p = at;
  while (p < stop && accept(t[p])) ++p;
  return p - at;
}

// The escape sequence whose backslash is at `at`: 6 bytes for \uXXXX, else 2
// (an unknown escape is skipped like a known one); 0 when the text ends
// inside it.
size_t escapeLength(std::string_view t, size_t at) {
  if (at + 1 >= t.size()) return 0;
  if (t[at + 1] != 'u') return 2;
  for (size_t k = at + 2; k < at + 6; ++k) {
    if (k >= t.size()) return 0;
    if (!isHex(t[k])) return 2;
  }
  return 6;
}

// The code unit of \uXXXX at `at` (escapeLength 6).
unsigned unicodeEscape(std::string_view t, size_t at) {
  unsigned v = 0;
  for (size_t k = at + 2; k < at + 6; ++k) {
    const char c = t[k];
    v = v * 16 + (isDigit(c) ? c - '0' : lower(c) - 'a' + 10);
  }
  return v;
}

// The end of the text, or the start of an escape it cuts short.
size_t endOutsideEscape(std::string_view t, size_t from) {
  for (size_t p = from;;) {
    const size_t slash = t.find('\\', p);
    if (slash == kNone) return t.size();
    const size_t len = escapeLength(t, slash);
    if (len == 0) return slash;
    p = slash + len;
  }
}

struct Span {
  size_t begin = 0;
  size_t end = 0;  // 0: no match
};

// email: local part [A-Za-z0-9._%+-] (and non-ASCII) up to 64 bytes, left of an
// '@', leading dots dropped, not ending with a dot, not right after a '*' (a
// partially masked j***@example.com). Domain: at least two labels of
// [A-Za-z0-9-] (and non-ASCII), not starting or ending with '-', the last an
// ASCII-letter TLD of 2+; a trailing dot or a label past the last valid TLD is
// left out.

bool isLocalByte(char c) {
  return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool isLabelByte(char c) { return isAlnum(c) || c == '-' || static_cast<unsigned char>(c) >= 0x80; }

size_t emailLocalStart(std::string_view t, size_t at, size_t floor) {
  constexpr size_t kMaxLocal = 64;
  size_t b = at;
  while (b > floor && isLocalByte(t[b - 1])) {
    if (at - b == kMaxLocal) return kNone;
    --b;
  }
  if (b > 0 && b > floor && t[b - 1] == '*') return kNone;
  while (b < at && t[b] == '.') ++b;
  if (b == at || t[at - 1] == '.') return kNone;
  return b;
}

size_t emailDomainEnd(std::string_view t, size_t at) {
  size_t p = at + 1, end = 0;
  for (int labels = 1;; ++labels) {
    const size_t s = p;
    p += runOf(t, p, isLabelByte);
    if (p == s || p - s > 63 || t[s] == '-' || t[p - 1] == '-') break;
    const bool tld = p - s >= 2 && std::all_of(t.begin() + s, t.begin() + p, isAlpha);
    if (labels >= 2 && tld) end = p;
    if (p >= t.size() || t[p] != '.') break;
    ++p;
  }
  return end != 0 && endsWord(t, end) ? end : 0;
}

// ipv4: four octets 0-255 separated by dots. Leading zeros are refused ("010"),
// as inet_pton does: zero-padded quads are rarer than the dates and versions
// that look like them. Not part of a longer dotted run (1.2.3.4.5, x.1.2.3.4),
// not right after a version word ("version 1.2.3.4", "Version/1.2.3.4",
// "build=1.2.3.4"); a ":port" or "/prefix" after it is left out.

size_t octetLength(std::string_view t, size_t at) {
  const size_t len = runOf(t, at, isDigit, 4);
  if (len == 0 || len > 3 || (len > 1 && t[at] == '0')) return 0;
  int v = 0;
  for (size_t k = at; k < at + len; ++k) v = v * 10 + (t[k] - '0');
  return v <= 255 ? len : 0;
}

bool afterVersionWord(std::string_view t, size_t at) {
  static constexpr std::string_view kWords[] = {"version", "ver", "release", "build", "firmware"};
  size_t p = at, skipped = 0;
  while (p > 0 && skipped < 8 && std::string_view(" :=/\"'\\").find(t[p - 1]) != kNone) {
    --p;
    ++skipped;
  }
  if (skipped == 0) return false;
  size_t b = p;
  while (b > 0 && p - b < 9 && isAlpha(t[b - 1])) --b;
  const std::string_view word = t.substr(b, p - b);
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](std::string_view w) { return equalsIgnoreCase(word, w); });
}

size_t matchIpv4(std::string_view t, size_t at) {
  size_t p = at;
  for (int k = 0; k < 4; ++k) {
    if (k > 0) {
      if (p >= t.size() || t[p] != '.') return 0;
      ++p;
    }
    const size_t len = octetLength(t, p);
    if (len == 0) return 0;
    p += len;
  }
  if (!endsWord(t, p)) return 0;
  if (p + 1 < t.size() && t[p] == '.' && isDigit(t[p + 1])) return 0;
  if (at >= 2 && t[at - 1] == '.' && isAlnum(t[at - 2])) return 0;
  if (afterVersionWord(t, at)) return 0;
  return p;
}

// ipv6: a run of hex digits, ':' and '.' (embedded IPv4) that inet_pton
// accepts, with at least two colons and one decimal digit, not "::" alone.
// Without "::" it needs all eight groups, and eight groups of exactly two
// digits (EUI-64, fingerprints) are refused; times (10:30:00) and MAC addresses
// (six groups) fail inet_pton. A zone ("%eth0") and a trailing single ':' or
// '.' are left out. Not glued to a preceding hex group and colon
// ("12345:db8::1").

bool isIpv6Byte(char c) { return isHex(c) || c == ':' || c == '.'; }

bool looksLikeEui64(std::string_view s) {
  if (s.size() != 23) return false;
  for (size_t k = 2; k < s.size(); k += 3) {
    if (s[k] != ':') return false;
  }
  return true;
}

size_t matchIpv6(std::string_view t, size_t at) {
  constexpr size_t kMaxLength = 45;  // INET6_ADDRSTRLEN - 1
  if (t[at] != ':') {
    const size_t group = runOf(t, at, isHex, 5);
    if (group > 4 || at + group >= t.size() || t[at + group] != ':') return 0;
  }
  if (at > 0 && (t[at - 1] == '.' || (t[at - 1] == ':' && at >= 2 && isHex(t[at - 2])))) return 0;
  size_t end = at + runOf(t, at, isIpv6Byte, kMaxLength + 2);
  if (end - at > kMaxLength + 1) return 0;
  if (t[end - 1] == '.' || (t[end - 1] == ':' && end - at >= 2 && t[end - 2] != ':')) --end;
  if (end - at > kMaxLength || !endsWord(t, end)) return 0;
  const std::string_view s = t.substr(at, end - at);
  const bool compressed = s.find("::") != kNone;
  const size_t colons = static_cast<size_t>(std::count(s.begin(), s.end(), ':'));
  const bool dotted = s.find('.') != kNone;
  if (colons < 2 || s == "::" || std::none_of(s.begin(), s.end(), isDigit)) return 0;
  if (!compressed && colons != (dotted ? 6u : 7u)) return 0;
  if (!compressed && looksLikeEui64(s)) return 0;
  char buf[kMaxLength + 1];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  in6_addr addr;
  return inet_pton(AF_INET6, buf, &addr) == 1 ? end : 0;
}

// credit_card: 13-19 digits, Luhn-valid, with an issuer prefix and a length
// that issuer uses: Visa 4 (13/16/19), Mastercard 51-55 and 2221-2720 (16),
// Amex 34/37 (15), JCB 3528-3589 (16-19), Diners 300-305/36/38 (14-19), and
// 50/56-69 (Maestro, which covers Discover 6011/644-649/65 and UnionPay 62;
// 13-19). Written as one run, or in groups split by one ' ' or one '-' used
// throughout: 4-4-4-4[-1..3] or 4-6-5 / 4-6-4 (Amex, Diners). Not after '-',
// '.' or '+', not followed by '-' or ".digit" (ids, decimals). With spaces a
// leading run of groups can match when more digit groups follow. A run that is
// the value of an id key (span_id=, "traceId": ) is an id.

bool knownIssuer(const char* d, size_t len) {
  const int p2 = (d[0] - '0') * 10 + (d[1] - '0');
  const int p3 = p2 * 10 + (d[2] - '0');
  const int p4 = p3 * 10 + (d[3] - '0');
  switch (d[0]) {
    case '2':
      return len == 16 && p4 >= 2221 && p4 <= 2720;
    case '3':
      if (p2 == 34 || p2 == 37) return len == 15;
      if (p4 >= 3528 && p4 <= 3589) return len >= 16;
      return ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38) && len >= 14;
    case '4':
      return len == 13 || len == 16 || len == 19;
    case '5':
      if (p2 >= 51 && p2 <= 55) return len == 16;
      return p2 == 50 || p2 >= 56;
    case '6':
      return true;
    default:
      return false;
  }
}

bool luhnValid(const char* d, size_t len) {
  int sum = 0;
  for (size_t k = 0; k < len; ++k) {
    int v = d[len - 1 - k] - '0';
    if (k % 2 == 1) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
  }
  return sum % 10 == 0;
}

bool cardLayout(const uint8_t* groups, size_t count) {
  if (count == 1) return true;
  if (groups[0] != 4) return false;
  if (count == 3 && groups[1] == 6 && (groups[2] == 4 || groups[2] == 5)) return true;
  for (size_t g = 1; g + 1 < count; ++g) {
    if (groups[g] != 4) return false;
  }
  return groups[count - 1] >= 1 && groups[count - 1] <= 4;
}

// `at` starts the value of a pair whose key names an id (span_id=,
// \"traceId\": \", request.id:, ID=): tracers print 16-20 digit decimal ids,
// and a few percent of those pass the issuer and Luhn checks.
bool valueOfIdKey(std::string_view t, size_t at) {
  auto skip_quote = [&](size_t& p) {
    if (p > 0 && (t[p - 1] == '"' || t[p - 1] == '\'')) {
      --p;
      if (p > 0 && t[p - 1] == '\\') --p;
    }
  };
  size_t p = at;
  skip_quote(p);
  while (p > 0 && t[p - 1] == ' ') --p;
  if (p == 0 || (t[p - 1] != '=' && t[p - 1] != ':')) return false;
  --p;
  while (p > 0 && t[p - 1] == ' ') --p;
  skip_quote(p);
  if (p < 2 || lower(t[p - 1]) != 'd' || lower(t[p - 2]) != 'i') return false;
  if (p == 2) return true;
  const char before = t[p - 3];
  if (before == '_' || before == '.' || before == '-') return true;  // span_id, x-request-id
  if (t[p - 2] == 'I' && (isLower(before) || isDigit(before))) return true;  // traceId, spanID
  return !isAlnum(before);                                                   // id=
}

size_t matchCard(std::string_view t, size_t at) {
  constexpr size_t kMaxGroups = 6, kMaxDigits = 24;
  if (at > 0 && (t[at - 1] == '-' || t[at - 1] == '.' || t[at - 1] == '+')) return 0;
  char digits[kMaxDigits];
  uint8_t groups[kMaxGroups];
  size_t ends[kMaxGroups];
  size_t count = 0, total = 0, p = at;
  char sep = 0;
  for (;;) {
    const size_t len = runOf(t, p, isDigit, kMaxDigits + 1);
    if (total + len > kMaxDigits) {
      // Past any card length: another number after a space, or no card.
      if (sep != ' ') return 0;
      break;
    }
    std::memcpy(digits + total, t.data() + p, len);
    total += len;
    p += len;
    groups[count] = static_cast<uint8_t>(len);
    ends[count++] = p;
    const bool more = p + 1 < t.size() && (t[p] == ' ' || t[p] == '-') && isDigit(t[p + 1]) &&
                      (sep == 0 || t[p] == sep);
    if (!more || count == kMaxGroups) break;
    sep = t[p++];
  }
  // Only space-separated groups may be cut short: a hyphen or a longer run
  // glues them into something else.
  const size_t shortest = sep == ' ' ? 1 : count;
  for (size_t use = count, used_digits = total; use >= shortest; used_digits -= groups[--use]) {
    const size_t end = ends[use - 1];
    if (used_digits >= 13 && used_digits <= 19 && cardLayout(groups, use) &&
        knownIssuer(digits, used_digits) && luhnValid(digits, used_digits) && endsWord(t, end)) {
      const bool glued =
          end < t.size() &&
          (t[end] == '-' || (t[end] == '.' && end + 1 < t.size() && isDigit(t[end + 1])));
      return glued || (use == 1 && valueOfIdKey(t, at)) ? 0 : end;
    }
    if (use == 1) break;
  }
  return 0;
}

// ssn: ddd-dd-dddd; area not 000, 666 or 9xx, group not 00, serial not 0000.
// Not after '-', '.', '+' or '/', not followed by '-' or ".digit".

bool digitsAt(std::string_view t, size_t at, size_t count) {
  return runOf(t, at, isDigit, count) == count;
}

bool outsideDigitRun(std::string_view t, size_t at, size_t end) {
  if (at > 0 && std::string_view("-.+/").find(t[at - 1]) != kNone) return false;
  if (!endsWord(t, end)) return false;
  return end + 1 >= t.size() || !((t[end] == '-' || t[end] == '.') && isDigit(t[end + 1]));
}

size_t matchSsn(std::string_view t, size_t at) {
  if (!digitsAt(t, at, 3) || !startsWith(t, at + 3, "-") || !digitsAt(t, at + 4, 2) ||
      !startsWith(t, at + 6, "-") || !digitsAt(t, at + 7, 4)) {
    return 0;
  }
  const std::string_view area = t.substr(at, 3);
  if (area == "000" || area == "666" || area[0] == '9') return 0;
  if (t.compare(at + 4, 2, "00") == 0 || t.compare(at + 7, 4, "0000") == 0) return 0;
  return outsideDigitRun(t, at, at + 11) ? at + 11 : 0;
}

// phone: E.164: '+', a digit 1-9, then 8-15 digits in all, in groups that may
// be split by one ' ', '-' or '.', and "(ddd)" groups ("+1 (555) 123-4567").
// North American: "(555) 123-4567" and "555-123-4567" / "555.123.4567" (area
// code starting 2-9; one separator kind). A run of digits without '+' or
// separators ("5551234567") is not matched: ids, counters and epoch times look
// the same.

size_t matchE164(std::string_view t, size_t at) {
  if (at > 0 && t[at - 1] == '+') return 0;
  if (at + 1 >= t.size() || t[at + 1] < '1' || t[at + 1] > '9') return 0;
  size_t p = at + 1, digits = 0, end = p;
  // Where each group ended, for backing off when a number runs on into the
  // next one ("+1 415 555 0158 123-45-6789").
  struct GroupEnd {
    size_t end, digits;
  };
  std::array<GroupEnd, 16> groups;
  size_t group_count = 0;
  for (;;) {
    if (t[p] == '(') {
      // "(0)" or "(555)"; other parentheses end the number before them.
      const size_t len = runOf(t, p + 1, isDigit, 5);
      if (len == 0 || len > 4 || p + 1 + len >= t.size() || t[p + 1 + len] != ')') break;
      digits += len;
      p += len + 2;
    } else {
      const size_t len = runOf(t, p, isDigit, 16);
      digits += len;
      p += len;
    }
    if (digits > 15) {
      // Back off to the last group that a space ends: the rest is another number.
      while (group_count > 0 &&
             (groups[group_count - 1].digits < 8 || t[groups[group_count - 1].end] != ' ')) {
        --group_count;
      }
      if (group_count == 0) return 0;
      end = groups[group_count - 1].end;
      digits = groups[group_count - 1].digits;
      break;
    }
    end = p;
    if (group_count < groups.size()) groups[group_count++] = {end, digits};
    if (p >= t.size()) break;
    const char c = t[p];
    if (c == '(' || (t[p - 1] == ')' && isDigit(c))) continue;
    if ((c == ' ' || c == '-' || c == '.') && p + 1 < t.size() &&
        (isDigit(t[p + 1]) || t[p + 1] == '(')) {
      ++p;
      continue;
    }
    break;
  }
  return digits >= 8 && endsWord(t, end) ? end : 0;
}

size_t matchNanp(std::string_view t, size_t at) {
  if (t[at] < '2' || !digitsAt(t, at, 3) || at + 12 > t.size()) return 0;
  const char sep = t[at + 3];
  if ((sep != '-' && sep != '.') || !digitsAt(t, at + 4, 3) || t[at + 7] != sep ||
      !digitsAt(t, at + 8, 4)) {
    return 0;
  }
  return outsideDigitRun(t, at, at + 12) ? at + 12 : 0;
}

size_t matchNanpParen(std::string_view t, size_t at) {
  if (!digitsAt(t, at + 1, 3) || t[at + 1] < '2' || !startsWith(t, at + 4, ")")) return 0;
  size_t p = at + 5;
  if (p < t.size() && t[p] == ' ') ++p;
  if (!digitsAt(t, p, 3) || p + 8 > t.size()) return 0;
  const char sep = t[p + 3];
  if ((sep != '-' && sep != '.' && sep != ' ') || !digitsAt(t, p + 4, 4)) return 0;
  return outsideDigitRun(t, p, p + 8) ? p + 8 : 0;
}

// iban: country code with its registered length, two check digits, BBAN of
// [A-Z0-9], as one run or in groups of four split by single spaces; the ISO
// 7064 mod-97 check must give 1.

struct IbanCountry {
  char code[3];
  uint8_t length;
};

constexpr IbanCountry kIbanCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

constexpr std::array<uint8_t, 26 * 26> kIbanLength = [] {
  std::array<uint8_t, 26 * 26> t{};
  for (const IbanCountry& c : kIbanCountries) {
    t[(c.code[0] - 'A') * 26 + (c.code[1] - 'A')] = c.length;
  }
  return t;
}();

bool isIbanByte(char c) { return isUpper(c) || isDigit(c); }

size_t matchIban(std::string_view t, size_t at) {
  constexpr size_t kMaxLength = 34;
  if (t.size() - at < 15 || !isUpper(t[at + 1]) || !isDigit(t[at + 2]) || !isDigit(t[at + 3])) {
    return 0;
  }
  const size_t length = kIbanLength[(t[at] - 'A') * 26 + (t[at + 1] - 'A')];
  if (length == 0) return 0;
  char chars[kMaxLength];
  std::memcpy(chars, t.data() + at, 4);
  size_t count = 4, p = at + 4;
  const bool grouped = p < t.size() && t[p] == ' ';
  while (count < length) {
    if (grouped) {
      if (p >= t.size() || t[p] != ' ') return 0;
      ++p;
    }
    const size_t want = grouped ? std::min<size_t>(4, length - count) : length - count;
    if (runOf(t, p, isIbanByte, want) != want) return 0;
    std::memcpy(chars + count, t.data() + p, want);
    count += want;
    p += want;
  }
  if (p < t.size() && (isWordByte(t[p]))) return 0;
  unsigned remainder = 0;
  for (size_t k = 0; k < length; ++k) {
    const char c = chars[(k + 4) % length];
    remainder =
        isDigit(c) ? (remainder * 10 + (c - '0')) % 97 : (remainder * 100 + (c - 'A' + 10)) % 97;
  }
  return remainder == 1 ? p : 0;
}

// jwt: three base64url segments split by dots, the first two starting with
// "eyJ" (a JSON object); the signature may be empty (unsigned tokens end with
// the dot). At least 30 bytes; a fourth segment (JWE and other dotted strings)
// refuses the match.

size_t matchJwt(std::string_view t, size_t at) {
  size_t p = at;
  for (int segment = 0; segment < 2; ++segment) {
    if (!startsWith(t, p, "eyJ")) return 0;
    p += 3 + runOf(t, p + 3, isBase64Url);
    if (p >= t.size() || t[p] != '.') return 0;
    ++p;
  }
  p += runOf(t, p, isBase64Url);
  if (p + 1 < t.size() && t[p] == '.' && isBase64Url(t[p + 1])) return 0;
  return p - at >= 30 && endsWord(t, p) ? p : 0;
}

// credentials: "Bearer " / "Basic " (any case, one space) and the token after
// it, which is the match: [A-Za-z0-9._~+/=-]{8,}, a trailing dot left out. A
// bearer token needs a digit, or both cases and 16+ bytes ("Bearer
// authentication" is prose); a basic one must be padded base64 of
// "user:password".

bool isTokenByte(char c) { return isAlnum(c) || std::string_view("._~+/=-").find(c) != kNone; }

int base64Value(char c) {
  if (isUpper(c)) return c - 'A';
  if (isLower(c)) return c - 'a' + 26;
  if (isDigit(c)) return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool basicCredentials(std::string_view token) {
  if (token.size() % 4 != 0) return false;
  size_t data = token.size();
  while (data > 0 && token.size() - data < 2 && token[data - 1] == '=') --data;
  uint32_t bits = 0;
  int have = 0;
  for (size_t k = 0; k < data; ++k) {
    const int v = base64Value(token[k]);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      if (((bits >> have) & 0xff) == ':') return true;
    }
  }
  return false;
}

bool bearerToken(std::string_view token) {
  const bool digit = std::any_of(token.begin(), token.end(), isDigit);
  const bool upper = std::any_of(token.begin(), token.end(), isUpper);
  const bool low = std::any_of(token.begin(), token.end(), isLower);
  return digit || (upper && low && token.size() >= 16);
}

Span matchCredentials(std::string_view t, size_t at) {
  bool bearer = false;
  size_t p;
  if (equalsIgnoreCase(t.substr(at, 7), "bearer ")) {
    bearer = true;
    p = at + 7;
  } else if (equalsIgnoreCase(t.substr(at, 6), "basic ")) {
    p = at + 6;
  } else {
    return {};
  }
  size_t end = p + runOf(t, p, isTokenByte);
  if (!endsWord(t, end)) return {};
  while (end > p && t[end - 1] == '.') --end;
  const std::string_view token = t.substr(p, end - p);
  if (token.size() < 8) return {};
  if (bearer ? !bearerToken(token) : !basicCredentials(token)) return {};
  return {p, end};
}

// secret_token: AWS key ids AKIA/ASIA + 16 [A-Z0-9]; GitHub
// ghp_/gho_/ghu_/ghs_/ghr_ + 36 or more [A-Za-z0-9] and github_pat_ + 82 or
// more [A-Za-z0-9_]; GitLab glpat- + 20 or more [A-Za-z0-9_-]; Slack
// xox[abprs]- + 10 or more [A-Za-z0-9-]; the secret path of a Slack webhook
// (T.../B.../secret after hooks.slack.com/services/, slashes possibly written
// \/); a private key block from -----BEGIN ...PRIVATE KEY----- through its
// -----END ...PRIVATE KEY----- line over its \n escapes, or to the end of the
// text when the end line is missing. AWS secret keys have no shape of their
// own: sensitive_field masks them by key.

bool isUpperOrDigit(char c) { return isUpper(c) || isDigit(c); }
bool isAlnumOrUnderscore(char c) { return isAlnum(c) || c == '_'; }
bool isAlnumOrDash(char c) { return isAlnum(c) || c == '-'; }

// `prefix`, then `min` or more bytes `accept` takes, ending the word.
size_t prefixedToken(std::string_view t, size_t at, std::string_view prefix, size_t min,
                     bool (*accept)(char)) {
  if (!startsWith(t, at, prefix)) return 0;
  const size_t len = runOf(t, at + prefix.size(), accept);
  const size_t end = at + prefix.size() + len;
  return len >= min && endsWord(t, end) ? end : 0;
}

size_t matchAwsKeyId(std::string_view t, size_t at) {
  if (!startsWith(t, at, "AKIA") && !startsWith(t, at, "ASIA")) return 0;
  return runOf(t, at + 4, isUpperOrDigit, 17) == 16 && endsWord(t, at + 20) ? at + 20 : 0;
}

size_t matchGitToken(std::string_view t, size_t at) {
  if (startsWith(t, at, "gh") && t.size() - at > 3 && t[at + 3] == '_' &&
      std::string_view("pousr").find(t[at + 2]) != kNone) {
    return prefixedToken(t, at, t.substr(at, 4), 36, isAlnum);
  }
  if (size_t end = prefixedToken(t, at, "github_pat_", 82, isAlnumOrUnderscore)) return end;
  return prefixedToken(t, at, "glpat-", 20, isBase64Url);
}

size_t matchSlackToken(std::string_view t, size_t at) {
  if (!startsWith(t, at, "xox") || t.size() - at < 5 || t[at + 4] != '-' ||
      std::string_view("abprs").find(t[at + 3]) == kNone) {
    return 0;
  }
  return prefixedToken(t, at, t.substr(at, 5), 10, isAlnumOrDash);
}

// '/' or "\/" (encoders that escape slashes): its length, or 0.
size_t slashAt(std::string_view t, size_t p) {
  if (p < t.size() && t[p] == '/') return 1;
  return startsWith(t, p, "\\/") ? 2 : 0;
}

Span matchSlackWebhook(std::string_view t, size_t at) {
  constexpr std::string_view kHost = "hooks.slack.com", kPath = "services";
  if (!startsWith(t, at, kHost)) return {};
  size_t p = at + kHost.size(), slash = slashAt(t, p);
  if (slash == 0 || !startsWith(t, p + slash, kPath)) return {};
  p += slash + kPath.size();
  if ((slash = slashAt(t, p)) == 0) return {};
  const size_t begin = p + slash;
  p = begin;
  for (char lead : {'T', 'B'}) {
    if (p >= t.size() || t[p] != lead) return {};
    const size_t len = runOf(t, p + 1, isUpperOrDigit);
    if (len < 6 || (slash = slashAt(t, p + 1 + len)) == 0) return {};
    p += 1 + len + slash;
  }
  const size_t len = runOf(t, p, isAlnum);
  return len >= 8 && endsWord(t, p + len) ? Span{begin, p + len} : Span{};
}

bool isLabelLetter(char c) { return isUpper(c) || c == ' '; }

// The end of "[A-Z ]*PRIVATE KEY-----" at `at`, or 0.
size_t privateKeyLabelEnd(std::string_view t, size_t at) {
  constexpr std::string_view kLabel = "PRIVATE KEY";
  const size_t len = std::min<size_t>(runOf(t, at, isLabelLetter), 48);
  const std::string_view label = t.substr(at, len);
  if (label.size() < kLabel.size() || label.substr(label.size() - kLabel.size()) != kLabel) {
    return 0;
  }
  return startsWith(t, at + len, "-----") ? at + len + 5 : 0;
}

size_t matchPrivateKey(std::string_view t, size_t at) {
  constexpr std::string_view kBegin = "-----BEGIN ", kEnd = "-----END ";
  if (!startsWith(t, at, kBegin)) return 0;
  const size_t body = privateKeyLabelEnd(t, at + kBegin.size());
  if (body == 0) return 0;
  for (size_t s = t.find(kEnd, body); s != kNone; s = t.find(kEnd, s + 1)) {
    if (size_t end = privateKeyLabelEnd(t, s + kEnd.size())) return end;
  }
  return endOutsideEscape(t, body);
}

// sensitive_field: at a '=' or ':', the key is read backwards over
// [A-Za-z0-9_.-] (up to 128 bytes), past a closing quote (raw or \") and, for
// '=', spaces; it must contain a configured key (both lower-cased, without
// '_', '-' and '.'). The value starts after the separator (and spaces, unless
// it is `key= value`): quoted with \", '"' or '\'' it runs to the closing
// quote (or the end of the text), otherwise to whitespace, ',', ';', '&', a
// quote, an escape of one of these or of a control character, '}' / ']'
// after a quoted key, or the quote that opened a quoted pair ('key: value'). A `Cookie:` header
// value runs over "; " separators. An authorization scheme (Bearer, Basic, Digest, Negotiate,
// Token) is left to the credentials detector when it recognises the token, and masked together with
// the token otherwise. Empty values and earlier masking output
// ([REDACTED:...], <kind:hex>, all '*') are skipped, and so are the pairs
// inside that output.

bool isKeyByte(char c) { return isAlnum(c) || c == '_' || c == '-' || c == '.'; }

// [REDACTED:kind], <kind:hex> and all-'*' values are earlier masking output.
bool looksMasked(std::string_view v) {
  if (v.starts_with("[REDACTED") && v.ends_with("]")) return true;
  if (v.size() > 3 && v.front() == '<' && v.back() == '>' && v.find(':') != kNone) return true;
  return v.find_first_not_of('*') == kNone;
}

// Cookie headers hold several name=value pairs split by "; ", all secret.
bool containsCookie(std::string_view key) {
  constexpr std::string_view kCookie = "cookie";
  for (size_t p = 0; p + kCookie.size() <= key.size(); ++p) {
    if (equalsIgnoreCase(key.substr(p, kCookie.size()), kCookie)) return true;
  }
  return false;
}

bool isAuthScheme(std::string_view word) {
  static constexpr std::string_view kSchemes[] = {"bearer", "basic", "digest", "negotiate",
                                                  "token"};
  return std::any_of(std::begin(kSchemes), std::end(kSchemes),
                     [&](std::string_view s) { return equalsIgnoreCase(word, s); });
}

}  // namespace

// One pass of one scanner over one text.
class PiiScan {
 public:
  PiiScan(const PiiScanner& scanner, std::string_view text, std::vector<PiiMatch>& out)
      : s_(scanner), t_(text), out_(out), first_(out.size()) {}

  void run();

 private:
  bool on(PiiKind kind) const { return s_.on(kind); }
  size_t push(PiiKind kind, size_t begin, size_t end);
  bool startsMatch(size_t at) const;
  // `ipv6`: an IPv6 address may start here.
  size_t atWordStart(size_t at, bool ipv6);
  size_t atDigits(size_t at, bool ipv6);
  size_t atPunctuation(size_t at, bool after_boundary);
  size_t email(size_t at);
  size_t sensitiveField(size_t sep);
  struct ValueShape {
    char quote = 0;              // '"' or '\'', 0 when unquoted
    bool escaped_quote = false;  // quoted with \"
    bool json_key = false;       // the key was quoted: '}' and ']' end a bare value
    bool cookie = false;         // a Cookie header: "a=1; b=2" is one value
    char pair_quote = 0;         // the whole pair is quoted: 'Authorization: x'
  };
  size_t valueEnd(size_t from, ValueShape shape) const;

  const PiiScanner& s_;
  const bool ipv6_ = s_.on(PiiKind::kIpv6);
  std::string_view t_;
  std::vector<PiiMatch>& out_;
  const size_t first_;
  // Where the last two escape sequences end: what scans to the left of a
  // trigger may not go further back.
  size_t escape_end_ = 0;
  size_t prev_escape_end_ = 0;
};

namespace {

// Where in a block of up to 64 bytes a scan stops (bit k is byte k): word
// starts that some detector can begin with (digits, upper case, a-h, 'x';
// the scanner's table then drops those of disabled detectors), and the
// punctuation detectors and escapes begin at, narrowed where cheap: "--"
// for -----BEGIN, '+' and '(' before a digit.
struct BlockMasks {
  uint64_t word = 0;       // word bytes
  uint64_t startable = 0;  // bytes a word start can match at
  uint64_t digit = 0;
  uint64_t dash = 0;
  uint64_t plus_paren = 0;
  uint64_t other = 0;  // '\\', '@', ':', '='
  uint64_t hex = 0;
  uint64_t colon = 0;

  // Classifies the 64 bytes at `p`.
  static BlockMasks of64(const char* p);

  // The `len` (< 64) bytes at `p`, the last of the text; `before` bytes of
  // the text precede them.
  static BlockMasks ofTail(const char* p, size_t len, size_t before) {
    if (before + len >= 64) {
      // Classify the 64 bytes ending where the text does, and drop those
      // already seen.
      BlockMasks m = of64(p + len - 64);
      m.dropLow(64 - static_cast<unsigned>(len));
      return m;
    }
    char padded[64] = {};
    std::memcpy(padded, p, len);
    return of64(padded);
  }

  void dropLow(unsigned count) {
    for (uint64_t* m : {&word, &startable, &digit, &dash, &plus_paren, &other, &hex, &colon}) {
      *m >>= count;
    }
  }

  // Bytes `shift` further on, as seen from each byte; those past the block
  // are unknown, so taken as set.
  static uint64_t ahead(uint64_t m, unsigned shift) {
    return (m >> shift) | ~(~uint64_t{0} >> shift);
  }

  // Word starts where an IPv6 address can begin: 1-4 hex digits, then ':'.
  uint64_t ipv6Starts(bool word_before) const {
    const uint64_t v6 =
        hex & (ahead(colon, 1) |
               (ahead(hex, 1) &
                (ahead(colon, 2) |
                 (ahead(hex, 2) & (ahead(colon, 3) | (ahead(hex, 3) & ahead(colon, 4)))))));
    return v6 & wordStarts(word_before);
  }

  uint64_t wordStarts(bool word_before) const {
    return word & ~((word << 1) | (word_before ? 1 : 0));
  }

  uint64_t candidates(bool word_before) const {
    return (wordStarts(word_before) & startable) | other | (dash & ahead(dash, 1)) |
           (plus_paren & ahead(digit, 1));
  }
};

#if defined(__AVX2__)
uint64_t bits32(__m256i m, unsigned k) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(m))) << k;
}
// a - from <= span, bytes compared unsigned.
__m256i inRange32(__m256i a, char from, uint8_t span) {
  const __m256i d = _mm256_sub_epi8(a, _mm256_set1_epi8(from));
  return _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(static_cast<char>(span))), d);
}

BlockMasks BlockMasks::of64(const char* p) {
  BlockMasks m;
  for (unsigned k = 0; k < 64; k += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + k));
    auto eq = [&](char c) { return _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c)); };
    const __m256i folded = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    const __m256i digits = inRange32(v, '0', 9);
    const __m256i upper = inRange32(v, 'A', 25);
    const __m256i colon = eq(':');
    m.word |=
        bits32(_mm256_or_si256(_mm256_or_si256(digits, inRange32(folded, 'a', 25)), eq('_')), k) |
        bits32(v, k);
    m.startable |= bits32(_mm256_or_si256(_mm256_or_si256(digits, upper),
                                          _mm256_or_si256(inRange32(v, 'a', 7), eq('x'))),
                          k);
    m.digit |= bits32(digits, k);
    m.hex |= bits32(_mm256_or_si256(digits, inRange32(folded, 'a', 5)), k);
    m.colon |= bits32(colon, k);
    m.dash |= bits32(eq('-'), k);
    m.plus_paren |= bits32(_mm256_or_si256(eq('+'), eq('(')), k);
    m.other |= bits32(
        _mm256_or_si256(_mm256_or_si256(eq('\\'), eq('@')), _mm256_or_si256(colon, eq('='))), k);
  }
  return m;
}
#elif defined(__SSE2__)
uint64_t bits16(__m128i m, unsigned k) {
  return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(m))) << k;
}
// a - from <= span, bytes compared unsigned.
__m128i inRange16(__m128i a, char from, uint8_t span) {
  const __m128i d = _mm_sub_epi8(a, _mm_set1_epi8(from));
  return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(static_cast<char>(span))), d);
}

BlockMasks BlockMasks::of64(const char* p) {
  BlockMasks m;
  for (unsigned k = 0; k < 64; k += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + k));
    auto eq = [&](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i digits = inRange16(v, '0', 9);
    const __m128i upper = inRange16(v, 'A', 25);
    const __m128i colon = eq(':');
    m.word |= bits16(_mm_or_si128(_mm_or_si128(digits, inRange16(folded, 'a', 25)), eq('_')), k) |
              bits16(v, k);
    m.startable |= bits16(
        _mm_or_si128(_mm_or_si128(digits, upper), _mm_or_si128(inRange16(v, 'a', 7), eq('x'))), k);
    m.digit |= bits16(digits, k);
    m.hex |= bits16(_mm_or_si128(digits, inRange16(folded, 'a', 5)), k);
    m.colon |= bits16(colon, k);
    m.dash |= bits16(eq('-'), k);
    m.plus_paren |= bits16(_mm_or_si128(eq('+'), eq('(')), k);
    m.other |=
        bits16(_mm_or_si128(_mm_or_si128(eq('\\'), eq('@')), _mm_or_si128(colon, eq('='))), k);
  }
  return m;
}
#else
BlockMasks BlockMasks::of64(const char* p) {
  BlockMasks m;
  for (unsigned k = 0; k < 64; ++k) {
    const char c = p[k];
    const uint64_t bit = uint64_t{1} << k;
    if (isWordByte(c)) m.word |= bit;
    if (isDigit(c) || isUpper(c) || (c >= 'a' && c <= 'h') || c == 'x') m.startable |= bit;
    if (isDigit(c)) m.digit |= bit;
    if (isHex(c)) m.hex |= bit;
    if (c == ':') m.colon |= bit;
    if (c == '-') m.dash |= bit;
    if (c == '+' || c == '(') m.plus_paren |= bit;
    if (c == '\\' || c == '@' || c == ':' || c == '=') m.other |= bit;
  }
  return m;
}
#endif

}  // namespace

void PiiScan::run() {
  const size_t n = t_.size();
  const std::array<uint8_t, 256>& cls = s_.byte_class_;
  size_t i = 0;  // bytes before i are inside a match or an escape already seen
  for (size_t block = 0; block < n;) {
    const BlockMasks m = n - block >= 64 ? BlockMasks::of64(t_.data() + block)
                                         : BlockMasks::ofTail(t_.data() + block, n - block, block);
    const bool word_before = block > 0 && isWordByte(t_[block - 1]);
    const uint64_t ipv6 = ipv6_ ? m.ipv6Starts(word_before) : 0;
    uint64_t candidates = m.candidates(word_before) | ipv6;
    while (candidates != 0) {
      const unsigned k = static_cast<unsigned>(std::countr_zero(candidates));
      const size_t at = block + k;
      candidates &= candidates - 1;
      if (at < i) continue;
      const uint8_t c = cls[static_cast<unsigned char>(t_[at])];
      size_t end = 0;
      if (c & kWord) {
        const bool ipv6_here = (ipv6 >> k) & 1;
        if (ipv6_here || startsMatch(at)) end = atWordStart(at, ipv6_here);
      } else if (t_[at] == '\\') {
        const size_t len = escapeLength(t_, at);
        i = len == 0 ? n : at + len;
        prev_escape_end_ = escape_end_;
        escape_end_ = i;
        // An escape ends a word, but its last byte ("\n") looks like a
        // letter to the block masks.
        if (i < n && isWordByte(t_[i - 1]) && isWordByte(t_[i])) end = atWordStart(i, ipv6_);
      } else if (c & kTrigger) {
        const bool after_boundary = at == 0 || at == escape_end_ || !isWordByte(t_[at - 1]);
        end = atPunctuation(at, after_boundary);
      }
      if (end != 0) i = end;
    }
    block += 64;
    if (i > block) block = i & ~size_t{63};
  }
}

size_t PiiScan::push(PiiKind kind, size_t begin, size_t end) {
  out_.push_back(PiiMatch{kind, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
  return end;
}

// Whether a detector other than ipv6 can match at the word start `at`, from
// its first two bytes.
bool PiiScan::startsMatch(size_t at) const {
  if (at + 1 >= t_.size()) return false;
  const unsigned pair =
      static_cast<unsigned char>(t_[at]) << 8 | static_cast<unsigned char>(t_[at + 1]);
  return (s_.start_pairs_[pair / 64] >> (pair % 64)) & 1;
}

size_t PiiScan::atWordStart(size_t at, bool ipv6) {
  const char c = t_[at];
  size_t best = 0;
  PiiKind kind = PiiKind::kCount;
  auto consider = [&](PiiKind k, size_t end) {
    if (end > best) {
      best = end;
      kind = k;
    }
  };
  if (isDigit(c)) {
    if (size_t end = atDigits(at, ipv6)) return end;
  } else if (isUpper(c)) {
    if (c == 'A' && on(PiiKind::kSecretToken)) {
      consider(PiiKind::kSecretToken, matchAwsKeyId(t_, at));
    }
    if (on(PiiKind::kIban)) consider(PiiKind::kIban, matchIban(t_, at));
  } else if (c == 'e') {
    if (on(PiiKind::kJwt)) consider(PiiKind::kJwt, matchJwt(t_, at));
  } else if (c == 'g') {
    if (on(PiiKind::kSecretToken)) consider(PiiKind::kSecretToken, matchGitToken(t_, at));
  } else if (c == 'x') {
    if (on(PiiKind::kSecretToken)) consider(PiiKind::kSecretToken, matchSlackToken(t_, at));
  }
  if (ipv6 && !isDigit(c) && isHex(c)) consider(PiiKind::kIpv6, matchIpv6(t_, at));
  if (best != 0) return push(kind, at, best);
  // Matches that begin further on: the credential after its scheme, the
  // secret path of a webhook URL.
  Span span;
  if ((c == 'B' || c == 'b') && on(PiiKind::kCredentials)) {
    span = matchCredentials(t_, at);
    if (span.end) return push(PiiKind::kCredentials, span.begin, span.end);
  }
  if (c == 'h' && on(PiiKind::kSecretToken)) {
    span = matchSlackWebhook(t_, at);
    if (span.end) return push(PiiKind::kSecretToken, span.begin, span.end);
  }
  return 0;
}

// Digits at a word start: what follows the first run decides which detectors
// can apply, so a plain number costs one short look.
size_t PiiScan::atDigits(size_t at, bool ipv6) {
  const size_t run = runOf(t_, at, isDigit, 20);
  const char next = at + run < t_.size() ? t_[at + run] : '\0';
  size_t best = 0;
  PiiKind kind = PiiKind::kCount;
  auto consider = [&](PiiKind k, size_t end) {
    if (end > best) {
      best = end;
      kind = k;
    }
  };
  if (next == '.' && run <= 3 && on(PiiKind::kIpv4)) consider(PiiKind::kIpv4, matchIpv4(t_, at));
  if (run == 3 && (next == '-' || next == '.') && on(PiiKind::kPhone)) {
    consider(PiiKind::kPhone, matchNanp(t_, at));
  }
  if (run == 3 && next == '-' && on(PiiKind::kSsn)) consider(PiiKind::kSsn, matchSsn(t_, at));
  if (((run >= 13 && run <= 19) || (run == 4 && (next == ' ' || next == '-'))) &&
      on(PiiKind::kCreditCard)) {
    consider(PiiKind::kCreditCard, matchCard(t_, at));
  }
  if (ipv6 && run <= 4 && (next == ':' || isHex(next))) {
    consider(PiiKind::kIpv6, matchIpv6(t_, at));
  }
  return best != 0 ? push(kind, at, best) : 0;
}

size_t PiiScan::atPunctuation(size_t at, bool after_boundary) {
  switch (t_[at]) {
    case '@':
      return on(PiiKind::kEmail) ? email(at) : 0;
    case '+':
      if (!after_boundary || !on(PiiKind::kPhone)) return 0;
      if (const size_t end = matchE164(t_, at)) return push(PiiKind::kPhone, at, end);
      return 0;
    case '(':
      if (!after_boundary || !on(PiiKind::kPhone)) return 0;
      if (const size_t end = matchNanpParen(t_, at)) return push(PiiKind::kPhone, at, end);
      return 0;
    case '-':
      if (!on(PiiKind::kSecretToken)) return 0;
      if (const size_t end = matchPrivateKey(t_, at)) return push(PiiKind::kSecretToken, at, end);
      return 0;
    case ':':
      if (after_boundary && on(PiiKind::kIpv6) && at + 1 < t_.size() && t_[at + 1] == ':' &&
          (at == 0 || t_[at - 1] != ':')) {
        if (const size_t end = matchIpv6(t_, at)) return push(PiiKind::kIpv6, at, end);
      }
      return sensitiveField(at);
    case '=':
      return sensitiveField(at);
    default:
      return 0;
  }
}

// The local part is found by looking back from the '@', so it may start
// inside matches already taken: it replaces those that start within it, and
// gives way to one that starts before it.
size_t PiiScan::email(size_t at) {
  const size_t begin = emailLocalStart(t_, at, escape_end_);
  if (begin == kNone) return 0;
  const size_t end = emailDomainEnd(t_, at);
  if (end == 0) return 0;
  while (out_.size() > first_ && out_.back().end > begin) {
    if (out_.back().begin < begin) return 0;
    out_.pop_back();
  }
  return push(PiiKind::kEmail, begin, end);
}

// `sep` is the '=' or ':' of a possible pair (rules with isKeyByte).
size_t PiiScan::sensitiveField(size_t sep) {
  constexpr size_t kMaxKey = 128;
  if (!on(PiiKind::kSensitiveField) || s_.keys_.empty()) return 0;
  size_t key_end = sep, floor = escape_end_;
  if (t_[sep] == '=') {
    while (key_end > floor && t_[key_end - 1] == ' ') --key_end;
  }
  // Spaces after the separator belong to `key: value` and `key = value`; in
  // `key= next` the value is empty.
  const bool spaced = t_[sep] == ':' || key_end < sep;
  bool json_key = false;
  if (key_end >= 2 && key_end == escape_end_ && t_[key_end - 1] == '"' && t_[key_end - 2] == '\\') {
    json_key = true;
    key_end -= 2;
    floor = prev_escape_end_;
  } else if (key_end > floor && (t_[key_end - 1] == '"' || t_[key_end - 1] == '\'')) {
    json_key = true;
    --key_end;
  }
  size_t key_begin = key_end;
  while (key_begin > floor && isKeyByte(t_[key_begin - 1])) {
    if (key_end - key_begin == kMaxKey) return 0;
    --key_begin;
  }
  const std::string_view key = t_.substr(key_begin, key_end - key_begin);
  if (key.size() < s_.shortest_key_) return 0;
  // <kind:hex> and [REDACTED:kind] from an earlier pass are not pairs.
  if (key_begin > 0 && t_[sep] == ':' &&
      (t_[key_begin - 1] == '<' || (t_[key_begin - 1] == '[' && key == "REDACTED"))) {
    return 0;
  }
  if (!s_.keyIsSensitive(key)) return 0;

  size_t v = sep + 1;
  while (spaced && v < t_.size() && t_[v] == ' ') ++v;
  if (v >= t_.size() || startsWith(t_, v, "[REDACTED")) return 0;
  ValueShape shape{.json_key = json_key};
  size_t begin = v, end;
  if (t_[v] == '\\' && v + 1 < t_.size() && t_[v + 1] == '"') {
    begin = v + 2;
    shape.quote = '"';
    shape.escaped_quote = true;
    end = valueEnd(begin, shape);
  } else if (t_[v] == '"' || t_[v] == '\'') {
    begin = v + 1;
    shape.quote = t_[v];
    end = valueEnd(begin, shape);
  } else {
    shape.cookie = t_[sep] == ':' && containsCookie(key);
    if (!json_key && key_begin > 0 && t_[key_begin - 1] == '\'') shape.pair_quote = '\'';
    end = valueEnd(begin, shape);
    // "Authorization: Bearer xyz": the credential detector masks just the
    // token when it recognises it; otherwise the scheme and the token go.
    if (end < t_.size() && t_[end] == ' ' && isAuthScheme(t_.substr(begin, end - begin))) {
      if (on(PiiKind::kCredentials) && matchCredentials(t_, begin).end != 0) return 0;
      const size_t token_end = valueEnd(end + 1, shape);
      if (token_end > end + 1) {
        if (looksMasked(t_.substr(end + 1, token_end - end - 1))) return 0;
        end = token_end;
      }
    }
  }
  if (end <= begin || looksMasked(t_.substr(begin, end - begin))) return 0;
  // Numbers and flags under a name that only contains a secret's
  // (max_tokens=500, token_valid=true) are metrics, as in JSON fields.
  if (shape.quote == 0 && isNumberOrFlag(t_.substr(begin, end - begin)) &&
      !s_.keyIsExactlySensitive(key)) {
    return 0;
  }
  return push(PiiKind::kSensitiveField, begin, end);
}

// Where a value starting at `from` ends. Quoted: at the closing quote, or at
// the end of the text; escapes inside belong to the value. Unquoted: at
// whitespace or a control character, ',', ';' (not in a Cookie header), '&',
// a quote, or '}' and ']' after a JSON key, whether written as they are or as
// escapes (Go's encoder writes '&' as \u0026).
size_t PiiScan::valueEnd(size_t from, ValueShape shape) const {
  size_t p = from;
  while (p < t_.size()) {
    size_t len = 1;
    char c = t_[p];
    if (c == '\\') {
      len = escapeLength(t_, p);
      if (len == 0) return p;
      const char e = t_[p + 1];
      if (shape.escaped_quote && e == '"') return p;
      // What the escape stands for, as far as the end of a value cares.
      if (len == 6) {
        const unsigned code = unicodeEscape(t_, p);
        c = code < 0x80 ? static_cast<char>(code) : 'x';
      } else {
        c = e == '\\' || e == '/' || e == '"' ? e : '\n';
      }
    } else if (shape.quote != 0 && (c == '"' || (!shape.escaped_quote && c == shape.quote))) {
      return p;
    }
    if (shape.quote == 0) {
      if (c == ';' && shape.cookie) {
        p += len;
        if (p < t_.size() && t_[p] == ' ') ++p;
        continue;
      }
      if (static_cast<unsigned char>(c) <= ' ' || c == ',' || c == ';' || c == '&' || c == '"' ||
          (shape.json_key && (c == '}' || c == ']')) ||
          (shape.pair_quote != 0 && c == shape.pair_quote)) {
        return p;
      }
    }
    p += len;
  }
  return p;
}

PiiScanner::PiiScanner(PiiKindSet enabled, std::vector<std::string> sensitive_keys)
    : enabled_(enabled) {
  for (std::string& key : sensitive_keys) {
    std::string squashed;
    for (char c : key) {
      if (c != '_' && c != '-' && c != '.') squashed.push_back(lower(c));
    }
    if (!squashed.empty()) keys_.push_back(std::move(squashed));
  }
  std::sort(keys_.begin(), keys_.end());
  keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
  keys_.resize(std::min<size_t>(keys_.size(), std::numeric_limits<uint16_t>::max()));
  shortest_key_ = keys_.empty() ? 0 : kNone;
  for (size_t k = 0; k < keys_.size(); ++k) {
    const auto first = static_cast<unsigned char>(keys_[k][0]);
    if (key_to_[first] == 0) key_from_[first] = static_cast<uint16_t>(k);
    key_to_[first] = static_cast<uint16_t>(k + 1);
    shortest_key_ = std::min(shortest_key_, keys_[k].size());
  }

  const bool pairs = on(PiiKind::kSensitiveField) && !keys_.empty();
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    uint8_t v = isWordByte(c) ? kWord : 0;
    const bool trigger = c == '\\' || (c == '@' && on(PiiKind::kEmail)) ||
                         ((c == '+' || c == '(') && on(PiiKind::kPhone)) ||
                         (c == '-' && on(PiiKind::kSecretToken)) ||
                         (c == ':' && (pairs || on(PiiKind::kIpv6))) || (c == '=' && pairs);
    if (trigger) v |= kTrigger;
    byte_class_[b] = v;
  }
  for (unsigned pair = 0; pair < 65536; ++pair) {
    if (startsMatch(static_cast<char>(pair >> 8), static_cast<char>(pair & 0xff))) {
      start_pairs_[pair / 64] |= uint64_t{1} << (pair % 64);
    }
  }
  for (const std::string& key : keys_) {
    if (key.size() < 2) {
      for (unsigned next = 0; next < 256; ++next) setKeyPair(key[0], static_cast<char>(next));
    } else {
      setKeyPair(key[0], key[1]);
    }
  }
}

// The first two bytes of a word tell which detectors (ipv6 apart, which the
// block masks find) can match there.
bool PiiScanner::startsMatch(char c, char next) const {
  const bool digits =
      on(PiiKind::kIpv4) || on(PiiKind::kCreditCard) || on(PiiKind::kSsn) || on(PiiKind::kPhone);
  const char lower_next = lower(next);
  switch (c) {
    case 'A':
      if (on(PiiKind::kSecretToken) && (next == 'K' || next == 'S')) return true;
      break;
    case 'B':
    case 'b':
      if (on(PiiKind::kCredentials) && (lower_next == 'e' || lower_next == 'a')) return true;
      break;
    case 'e':
      return on(PiiKind::kJwt) && next == 'y';
    case 'g':
      return on(PiiKind::kSecretToken) && (next == 'h' || next == 'l' || next == 'i');
    case 'h':
    case 'x':
      return on(PiiKind::kSecretToken) && next == 'o';
    default:
      break;
  }
  if (isDigit(c)) {
    return digits && (isDigit(next) || next == '.' || next == ' ' || next == '-');
  }
  return isUpper(c) && on(PiiKind::kIban) && isUpper(next);
}

void PiiScanner::setKeyPair(char c, char next) {
  const unsigned pair = static_cast<unsigned char>(c) << 8 | static_cast<unsigned char>(next);
  key_pairs_[pair / 64] |= uint64_t{1} << (pair % 64);
}

bool PiiScanner::keyIsExactlySensitive(std::string_view key) const {
  char squashed[128];
  size_t len = 0;
  for (char c : key) {
    if (c == '_' || c == '-' || c == '.') continue;
    if (len == sizeof squashed) return false;  // longer than any name
    squashed[len++] = lower(c);
  }
  const std::string_view name(squashed, len);
  return std::find(keys_.begin(), keys_.end(), name) != keys_.end();
}

bool PiiScanner::keyIsSensitive(std::string_view key) const {
  char squashed[128];
  size_t len = 0;
  for (char c : key) {
    if (c != '_' && c != '-' && c != '.' && len < sizeof squashed) squashed[len++] = lower(c);
  }
  for (size_t p = 0; p + shortest_key_ <= len; ++p) {
    const unsigned pair = static_cast<unsigned char>(squashed[p]) << 8 |
                          static_cast<unsigned char>(p + 1 < len ? squashed[p + 1] : 0);
    if (!((key_pairs_[pair / 64] >> (pair % 64)) & 1)) continue;
    const auto first = static_cast<unsigned char>(squashed[p]);
    for (size_t j = key_from_[first]; j < key_to_[first]; ++j) {
      const std::string& k = keys_[j];
      if (k.size() <= len - p && std::equal(k.begin(), k.end(), squashed + p)) return true;
    }
  }
  return false;
}

void PiiScanner::scan(std::string_view text, std::vector<PiiMatch>& out) const {
  text = text.substr(0, std::min<size_t>(text.size(), std::numeric_limits<uint32_t>::max()));
  PiiScan(*this, text, out).run();
}

}  // namespace sluice
