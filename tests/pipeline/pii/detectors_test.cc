#include "pipeline/pii/detectors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

const std::vector<std::string> kSensitiveKeys = {
    "password", "passwd", "secret", "token", "api_key", "authorization", "cookie", "set-cookie",
};

PiiKindSet allBuiltIn() {
  PiiKindSet set;
  set.set();
  set.reset(static_cast<size_t>(PiiKind::kCustom));
  return set;
}

const PiiScanner& defaultScanner() {
  static const PiiScanner scanner(allBuiltIn(), kSensitiveKeys);
  return scanner;
}

// One expected match: the detector's name and the exact text replaced.
struct Found {
  std::string kind;
  std::string text;
  bool operator==(const Found&) const = default;
};

void PrintTo(const Found& f, std::ostream* os) { *os << f.kind << "[" << f.text << "]"; }

std::vector<Found> describe(std::string_view text, const std::vector<PiiMatch>& matches) {
  std::vector<Found> found;
  for (const PiiMatch& m : matches) {
    found.push_back(
        {std::string(piiKindName(m.kind)), std::string(text.substr(m.begin, m.end - m.begin))});
  }
  return found;
}

// Scans a copy in a buffer of exactly the text's size, so that ASan sees any
// read past the end.
std::vector<PiiMatch> scanExact(const PiiScanner& scanner, std::string_view text) {
  auto buffer = std::make_unique<char[]>(text.size());
  if (!text.empty()) std::memcpy(buffer.get(), text.data(), text.size());
  std::vector<PiiMatch> matches;
  scanner.scan(std::string_view(buffer.get(), text.size()), matches);
  return matches;
}

std::vector<Found> findAll(std::string_view text, const PiiScanner& scanner = defaultScanner()) {
  return describe(text, scanExact(scanner, text));
}

// Offsets that fall strictly inside an escape sequence, read as the scanner
// reads them: \uXXXX is six bytes, any other backslash pair two.
std::vector<bool> insideEscape(std::string_view t) {
  std::vector<bool> inside(t.size() + 1, false);
  for (size_t i = 0; i < t.size();) {
    if (t[i] != '\\') {
      ++i;
      continue;
    }
    size_t len = 2;
    if (i + 1 < t.size() && t[i + 1] == 'u') {
      len = 6;
      for (size_t k = i + 2; k < i + 6 && k < t.size(); ++k) {
        if (!std::isxdigit(static_cast<unsigned char>(t[k]))) len = 2;
      }
    }
    const size_t end = std::min(i + len, t.size() + 1);
    for (size_t k = i + 1; k < end && k <= t.size(); ++k) inside[k] = true;
    i += len;
  }
  return inside;
}

// What every scan must give, whatever the input.
void expectWellFormed(std::string_view text, const std::vector<PiiMatch>& matches) {
  const std::vector<bool> inside = insideEscape(text);
  uint32_t previous_end = 0;
  for (const PiiMatch& m : matches) {
    ASSERT_LT(m.begin, m.end);
    ASSERT_LE(m.end, text.size());
    EXPECT_GE(m.begin, previous_end) << "overlapping or unordered";
    EXPECT_FALSE(inside[m.begin]) << "starts inside an escape at " << m.begin;
    EXPECT_FALSE(inside[m.end]) << "ends inside an escape at " << m.end;
    const std::string_view body = text.substr(m.begin, m.end - m.begin);
    // A quote only as part of an escape, and only where the detector spans
    // escapes.
    for (size_t k = m.begin; k < m.end; ++k) {
      if (text[k] == '"' && m.kind != PiiKind::kSecretToken) {
        EXPECT_TRUE(inside[k]) << piiKindName(m.kind) << " " << body;
      }
    }
    if (m.kind != PiiKind::kSecretToken && m.kind != PiiKind::kSensitiveField) {
      EXPECT_EQ(body.find('\\'), std::string_view::npos) << piiKindName(m.kind) << " " << body;
    }
    previous_end = m.end;
  }
}

struct ScanCase {
  std::string_view name;
  std::string text;
  std::vector<Found> expected;
};
void PrintTo(const ScanCase& c, std::ostream* os) { *os << c.text; }

std::string caseName(const testing::TestParamInfo<ScanCase>& info) {
  return std::string(info.param.name);
}

class PiiScanTest : public testing::TestWithParam<ScanCase> {};

TEST_P(PiiScanTest, FindsExactlyTheseMatches) {
  const ScanCase& c = GetParam();
  const std::vector<PiiMatch> matches = scanExact(defaultScanner(), c.text);
  EXPECT_EQ(describe(c.text, matches), c.expected) << c.text;
  expectWellFormed(c.text, matches);
}

// Replaces every match the way the masker's redact and hash modes do.
std::string masked(std::string_view text, const std::vector<PiiMatch>& matches, bool hash) {
  std::string out;
  size_t at = 0;
  for (const PiiMatch& m : matches) {
    out.append(text.substr(at, m.begin - at));
    const std::string kind(piiKindName(m.kind));
    out += hash ? "<" + kind + ":3f9a1c0b7e>" : "[REDACTED:" + kind + "]";
    at = m.end;
  }
  out.append(text.substr(at));
  return out;
}

TEST_P(PiiScanTest, MaskedOutputHasNothingLeftToMask) {
  const ScanCase& c = GetParam();
  const std::vector<PiiMatch> matches = scanExact(defaultScanner(), c.text);
  for (bool hash : {false, true}) {
    const std::string once = masked(c.text, matches, hash);
    EXPECT_EQ(findAll(once), std::vector<Found>{}) << once;
  }
}

Found email(std::string text) { return {"email", std::move(text)}; }
Found ipv4(std::string text) { return {"ipv4", std::move(text)}; }
Found ipv6(std::string text) { return {"ipv6", std::move(text)}; }
Found card(std::string text) { return {"credit_card", std::move(text)}; }
Found iban(std::string text) { return {"iban", std::move(text)}; }
Found phone(std::string text) { return {"phone", std::move(text)}; }
Found ssn(std::string text) { return {"ssn", std::move(text)}; }
Found jwt(std::string text) { return {"jwt", std::move(text)}; }
Found credentials(std::string text) { return {"credentials", std::move(text)}; }
Found secret(std::string text) { return {"secret_token", std::move(text)}; }
Found field(std::string text) { return {"sensitive_field", std::move(text)}; }

INSTANTIATE_TEST_SUITE_P(
    Email, PiiScanTest,
    testing::Values(
        ScanCase{"Plain", "contact bob@example.com today", {email("bob@example.com")}},
        ScanCase{"SubdomainsAndTag",
                 "from x.y+tag@mail.example.co.uk.",
                 {email("x.y+tag@mail.example.co.uk")}},
        ScanCase{"AngleBrackets",
                 "<alice_smith%ops@example.org>",
                 {email("alice_smith%ops@example.org")}},
        ScanCase{"EscapedQuotes", R"({\"user\":\"bob@example.com\"})", {email("bob@example.com")}},
        ScanCase{"AfterNewlineEscape", R"(line one\nbob@example.com)", {email("bob@example.com")}},
        ScanCase{"Mailto", "mailto:bob@example.com", {email("bob@example.com")}},
        ScanCase{
            "GoHtmlEscapedBrackets", R"(\u003cbob@example.com\u003e)", {email("bob@example.com")}},
        ScanCase{"UrlCredentials",
                 "postgres://app:hunter2@db.example.com:5432/app",
                 {email("hunter2@db.example.com")}},
        ScanCase{"LeadingDotsLeftOut", "...bob@example.com", {email("bob@example.com")}},
        ScanCase{
            "NonAsciiLocalPart", "jos\xc3\xa9@example.com", {email("jos\xc3\xa9@example.com")}},
        ScanCase{"TwoInARow",
                 "a@example.com,b@example.net",
                 {email("a@example.com"), email("b@example.net")}},
        ScanCase{"PartiallyMasked", "user j***@example.com logged in", {}},
        ScanCase{"MaskedAllStars", "***@example.com", {}},
        ScanCase{"Redacted", "user [REDACTED:email] logged in", {}},
        ScanCase{"Hashed", "user <email:3f9a1c0b7e> logged in", {}},
        ScanCase{"UnicodeEscapedAt", R"(bob\u0040example.com)", {}},
        ScanCase{"NoTld", "root@localhost", {}}, ScanCase{"DigitInTld", "user@example.c0m", {}},
        ScanCase{"LabelStartsWithDash", "user@-example.com", {}},
        ScanCase{"GluedUnderscore", "bob@example.com_x", {}},
        ScanCase{"LocalEndsWithDot", "bob.@example.com", {}},
        ScanCase{"PackageVersion", "npm i @scope/pkg@1.2.3", {}},
        ScanCase{"Decorator", "@Override @example.com", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Ipv4, PiiScanTest,
    testing::Values(
        ScanCase{"Plain", "client 192.0.2.1 connected", {ipv4("192.0.2.1")}},
        ScanCase{"PortLeftOut", "from 198.51.100.23:8080", {ipv4("198.51.100.23")}},
        ScanCase{"PrefixLeftOut", "route 203.0.113.0/24", {ipv4("203.0.113.0")}},
        ScanCase{"InUrl", "GET http://192.0.2.10/health", {ipv4("192.0.2.10")}},
        ScanCase{"InUrlPath", "/v1/hosts/192.0.2.10/status", {ipv4("192.0.2.10")}},
        ScanCase{"EscapedJson", R"({\"ip\":\"203.0.113.255\"})", {ipv4("203.0.113.255")}},
        ScanCase{"SentenceEnd", "blocked 192.0.2.7.", {ipv4("192.0.2.7")}},
        ScanCase{"Broadcast", "255.255.255.255", {ipv4("255.255.255.255")}},
        ScanCase{"BareQuadIsAnAddress", "peer 1.2.3.4", {ipv4("1.2.3.4")}},
        ScanCase{"FiveParts", "1.2.3.4.5", {}},
        ScanCase{"VersionWithV", "v10.0.0.1 and V1.2.3.4", {}},
        ScanCase{"VersionWord", "version 1.2.3.4, build=10.0.0.1", {}},
        ScanCase{"ProductVersion", "Version/1.2.3.4 Safari", {}},
        ScanCase{"EscapedVersionKey", R"(\"version\": \"1.2.3.4\")", {}},
        ScanCase{"OctetTooLarge", "256.1.1.1", {}}, ScanCase{"ThreeParts", "192.168.1", {}},
        ScanCase{"LeadingZero", "010.0.0.1", {}}, ScanCase{"AfterDottedWord", "x.10.0.0.1", {}},
        ScanCase{"Glued", "192.0.2.1a", {}}, ScanCase{"PartiallyMasked", "client 10.1.x.x", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Ipv6, PiiScanTest,
    testing::Values(
        ScanCase{"Compressed", "peer 2001:db8::1 up", {ipv6("2001:db8::1")}},
        ScanCase{"Bracketed", "[2001:db8::1]:443", {ipv6("2001:db8::1")}},
        ScanCase{"ZoneLeftOut", "fe80::1%eth0", {ipv6("fe80::1")}},
        ScanCase{"Loopback", "listen ::1", {ipv6("::1")}},
        ScanCase{"MappedIpv4", "::ffff:192.0.2.1", {ipv6("::ffff:192.0.2.1")}},
        ScanCase{"Full",
                 "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                 {ipv6("2001:0db8:85a3:0000:0000:8a2e:0370:7334")}},
        ScanCase{"UpperCase", "2001:DB8::8:800:200C:417A", {ipv6("2001:DB8::8:800:200C:417A")}},
        ScanCase{"TrailingColonLeftOut", "fe80::1: refused", {ipv6("fe80::1")}},
        ScanCase{"EscapedJson", R"({\"ip\":\"2001:db8::42\"})", {ipv6("2001:db8::42")}},
        ScanCase{"Time", "at 10:30:00 and 23:59:59.999", {}},
        ScanCase{"MacAddress", "mac 00:1a:2b:3c:4d:5e", {}},
        ScanCase{"Eui64", "01:23:45:67:89:ab:cd:ef", {}},
        ScanCase{"DoubleColonAlone", "a :: b", {}},
        ScanCase{"CppScope", "std::vector Data::Dumper", {}}, ScanCase{"NoDigit", "a::b", {}},
        ScanCase{"HexWordAndColon", "dead:beef cafe: failed", {}},
        ScanCase{"GroupTooLong", "12345:db8::1", {}}, ScanCase{"Glued", "2001:db8::1g", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    CreditCard, PiiScanTest,
    testing::Values(
        ScanCase{"VisaSpaces", "card 4111 1111 1111 1111 ok", {card("4111 1111 1111 1111")}},
        ScanCase{"VisaDashes", "4111-1111-1111-1111", {card("4111-1111-1111-1111")}},
        ScanCase{"VisaRun", "pan=4111111111111111;", {card("4111111111111111")}},
        ScanCase{"Visa13", "4222222222222", {card("4222222222222")}},
        ScanCase{"Mastercard", "5555 5555 5555 4444", {card("5555 5555 5555 4444")}},
        ScanCase{"Mastercard2Series", "2221000000000009", {card("2221000000000009")}},
        ScanCase{"Amex", "3782 822463 10005", {card("3782 822463 10005")}},
        ScanCase{"AmexRun", "378282246310005", {card("378282246310005")}},
        ScanCase{"Discover", "6011 1111 1111 1117", {card("6011 1111 1111 1117")}},
        ScanCase{"Diners", "3056 930902 5904", {card("3056 930902 5904")}},
        ScanCase{"Jcb", "3530111333300000", {card("3530111333300000")}},
        ScanCase{"UnionPay", "6200000000000005", {card("6200000000000005")}},
        ScanCase{"EscapedJson", R"({\"pan\":\"5105105105105100\"})", {card("5105105105105100")}},
        ScanCase{"YearAfterSpace", "4111 1111 1111 1111 2025", {card("4111 1111 1111 1111")}},
        ScanCase{"TwoCards",
                 "3782 822463 10005 6011111111111117",
                 {card("3782 822463 10005"), card("6011111111111117")}},
        ScanCase{"NotAnIdKey",
                 "paid=4111111111111111 ids: 4111111111111111",
                 {card("4111111111111111"), card("4111111111111111")}},
        ScanCase{
            "TracerIds",
            R"(span_id=5025711738337858 dd.trace_id=4111111111111111 spanId: 4111111111111111)",
            {}},
        ScanCase{"TracerIdsInJson",
                 R"({\"traceID\": \"4111111111111111\", \"id\":4111111111111111})",
                 {}},
        ScanCase{"LuhnWithoutIssuer", "1234567812345670 9999999999999995", {}},
        ScanCase{"EpochMillis", "ts=1705314600123", {}},
        ScanCase{"EpochNanos", "1705314600123456789", {}},
        ScanCase{"BadLuhn", "4111111111111112", {}},
        ScanCase{"WrongLengthForIssuer", "41111111111111111", {}},
        ScanCase{"GluedHyphenAfter", "4111111111111111-2", {}},
        ScanCase{"OrderId", "ORD-4111111111111111", {}},
        ScanCase{"GluedLetters", "id=4111111111111111abc", {}},
        ScanCase{"UuidShaped", "41111111-1111-1111-1111-111111111111", {}},
        ScanCase{"MixedSeparators", "4111 1111-1111 1111", {}},
        ScanCase{"Decimal", "4111111111111111.5", {}},
        ScanCase{"Masked", "**** **** **** 4242", {}}, ScanCase{"Date", "2024-01-15", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Iban, PiiScanTest,
    testing::Values(
        ScanCase{"GbGrouped",
                 "iban GB82 WEST 1234 5698 7654 32.",
                 {iban("GB82 WEST 1234 5698 7654 32")}},
        ScanCase{"GbRun", "GB82WEST12345698765432", {iban("GB82WEST12345698765432")}},
        ScanCase{"DeGrouped", "DE89 3704 0044 0532 0130 00", {iban("DE89 3704 0044 0532 0130 00")}},
        ScanCase{"DeRun", "to DE89370400440532013000,", {iban("DE89370400440532013000")}},
        ScanCase{"FrLetterInBban",
                 "FR14 2004 1010 0505 0001 3M02 606",
                 {iban("FR14 2004 1010 0505 0001 3M02 606")}},
        ScanCase{"Nl", "NL91ABNA0417164300", {iban("NL91ABNA0417164300")}},
        ScanCase{"ShortestNo", "NO9386011117947", {iban("NO9386011117947")}},
        ScanCase{"Keyed", "iban=BE68539007547034;", {iban("BE68539007547034")}},
        ScanCase{"WrongChecksum", "GB82 WEST 1234 5698 7654 33 DE89370400440532013001", {}},
        ScanCase{"UnknownCountry", "XX82WEST12345698765432", {}},
        ScanCase{"TooShort", "GB82WEST1234569876543", {}},
        ScanCase{"TooLong", "GB82WEST123456987654321", {}},
        ScanCase{"BadGrouping", "GB82 WEST 123 45698 7654 32", {}},
        ScanCase{"LowerCase", "gb82west12345698765432", {}},
        ScanCase{"UpperWords", "ERROR INFO GET POST AB12 CD34", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Phone, PiiScanTest,
    testing::Values(
        ScanCase{"E164Spaces", "call +44 20 7946 0958, please", {phone("+44 20 7946 0958")}},
        ScanCase{"E164Parens", "+1 (555) 123-4567", {phone("+1 (555) 123-4567")}},
        ScanCase{"E164Run", "+33612345678", {phone("+33612345678")}},
        ScanCase{"E164FollowedByAnotherNumber",
                 "+1 415 555 0158 123-45-6789",
                 {phone("+1 415 555 0158"), ssn("123-45-6789")}},
        ScanCase{"E164Dashes", "+49-30-1234567", {phone("+49-30-1234567")}},
        ScanCase{"E164Dots", "+1.555.123.4567.", {phone("+1.555.123.4567")}},
        ScanCase{"TelUri", "tel:+14155552671", {phone("+14155552671")}},
        ScanCase{"E164TrunkPrefix", "+44 (0) 20 7946 0958", {phone("+44 (0) 20 7946 0958")}},
        ScanCase{"E164BeforeParenthesisedWord",
                 "+44 20 7946 0958 (mobile)",
                 {phone("+44 20 7946 0958")}},
        ScanCase{"EscapedJson", R"({\"phone\":\"+14155552671\"})", {phone("+14155552671")}},
        ScanCase{"NanpParens", "(555) 123-4567", {phone("(555) 123-4567")}},
        ScanCase{"NanpDashes", "555-123-4567", {phone("555-123-4567")}},
        ScanCase{"NanpDots", "555.123.4567", {phone("555.123.4567")}},
        ScanCase{"PlainRun", "5551234567", {}},
        ScanCase{"Dates", "2024-01-15 2024/01/15 15.01.2024", {}},
        ScanCase{"Times", "10:30:00 took 1234ms", {}},
        ScanCase{"TimeZoneOffsets", "+0100 2024-01-15T10:30:00+01:00", {}},
        ScanCase{"ScoreDelta", "+100500 points", {}},
        ScanCase{"Arithmetic", "1 + 12345678 x+12345678", {}},
        ScanCase{"E164TooShort", "+1234567", {}}, ScanCase{"E164TooLong", "+1234567890123456", {}},
        ScanCase{"E164Glued", "+12345678ms", {}},
        ScanCase{"AreaCodeStartsWithOne", "155-123-4567", {}},
        ScanCase{"LongerDashRun", "555-123-4567-89 555-123-45678", {}},
        ScanCase{"FiveDottedParts", "1.555.123.4567", {}},
        ScanCase{"Ipv4Like", "192.168.100.200", {ipv4("192.168.100.200")}},
        ScanCase{"VersionString", "1.2.3-456.789", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Ssn, PiiScanTest,
    testing::Values(ScanCase{"Plain", "ssn 123-45-6789 on file", {ssn("123-45-6789")}},
                    ScanCase{"Keyed", "ssn=078-05-1120,", {ssn("078-05-1120")}},
                    ScanCase{"EscapedJson", R"({\"ssn\":\"219-09-9999\"})", {ssn("219-09-9999")}},
                    ScanCase{"AreaZero", "000-12-3456", {}}, ScanCase{"Area666", "666-12-3456", {}},
                    ScanCase{"Area9xx", "900-12-3456", {}},
                    ScanCase{"GroupZero", "123-00-4567", {}},
                    ScanCase{"SerialZero", "123-45-0000", {}},
                    ScanCase{"OtherShape", "12-345-6789 1234-56-789", {}},
                    ScanCase{"InLongerRun", "1-123-45-6789 123-45-6789-0 123-45-67890", {}},
                    ScanCase{"Glued", "x123-45-6789", {}}, ScanCase{"Masked", "***-**-6789", {}}),
    caseName);

constexpr char kJwt[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
    "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

INSTANTIATE_TEST_SUITE_P(
    Jwt, PiiScanTest,
    testing::Values(
        ScanCase{"Signed", std::string("jwt ") + kJwt + " ok", {jwt(kJwt)}},
        ScanCase{"Unsigned",
                 "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.",
                 {jwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.")}},
        ScanCase{"SentenceEnd", std::string("got ") + kJwt + ".", {jwt(kJwt)}},
        ScanCase{"EscapedJson", std::string(R"({\"jwt\":\")") + kJwt + R"(\"})", {jwt(kJwt)}},
        ScanCase{"Base64JsonNoDots", "eyJmb28iOiJiYXIifQ== dXNlcjpwYXNzd29yZA==", {}},
        ScanCase{"TwoSegments", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0", {}},
        ScanCase{"FourSegments", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl.ZXh0cmE", {}},
        ScanCase{"TooShort", "eyJ9.eyJ9.", {}},
        ScanCase{"SecondNotJson", "eyJhbGciOiJIUzI1NiJ9.aGVsbG8gd29ybGQ.c2lnbmF0dXJl", {}},
        ScanCase{"Glued", std::string("x") + kJwt, {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Credentials, PiiScanTest,
    testing::Values(
        ScanCase{
            "BearerHeader", "Authorization: Bearer abcdef123456", {credentials("abcdef123456")}},
        ScanCase{"BearerRfcExample", "bearer mF_9.B5f-4.1JqM", {credentials("mF_9.B5f-4.1JqM")}},
        ScanCase{"BearerUpperCase", "BEARER XYZ0123456789", {credentials("XYZ0123456789")}},
        ScanCase{"BearerMixedCaseNoDigit",
                 "Bearer abcdEFGHijklMNOPqrst",
                 {credentials("abcdEFGHijklMNOPqrst")}},
        ScanCase{"BearerJwt", std::string("Bearer ") + kJwt, {credentials(kJwt)}},
        ScanCase{"BearerSentenceEnd", "sent Bearer abcdef123456.", {credentials("abcdef123456")}},
        ScanCase{"Basic",
                 "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l",
                 {credentials("YWxhZGRpbjpvcGVuc2VzYW1l")}},
        ScanCase{
            "BasicPadded", "basic dXNlcjpwYXNzd29yZA==", {credentials("dXNlcjpwYXNzd29yZA==")}},
        ScanCase{"Prose", "Bearer token expired; basic authentication failed", {}},
        ScanCase{"ProseLongWord", "bearer authentication required", {}},
        ScanCase{"BasicWithoutColon", "Basic YWJjZGVmZ2g=", {}},
        ScanCase{"TwoSpaces", "Bearer  abcdef123456", {}},
        ScanCase{"TooShort", "Bearer abc123", {}}, ScanCase{"Glued", "xBearer abcdef123456", {}},
        ScanCase{"Redacted", "Authorization: Bearer [REDACTED:credentials]", {}},
        ScanCase{"Hashed", "Authorization: Bearer <credentials:3f9a1c0b7e>", {}}),
    caseName);

const std::string kGithubPat = "github_pat_11ABCDEFG0abcdefghijkl_" +
                               std::string("0123456789abcdefghijABCDEFGHIJ") +
                               "0123456789abcdefghijABCDEFGHI";

INSTANTIATE_TEST_SUITE_P(
    SecretToken, PiiScanTest,
    testing::Values(
        ScanCase{"AwsKeyId", "key AKIAIOSFODNN7EXAMPLE used", {secret("AKIAIOSFODNN7EXAMPLE")}},
        ScanCase{"AwsSessionKeyId", "ASIAY34FZKBOKMUTVV7A", {secret("ASIAY34FZKBOKMUTVV7A")}},
        ScanCase{"GithubClassic",
                 "ghp_0123456789abcdefghijABCDEFGHIJ012345",
                 {secret("ghp_0123456789abcdefghijABCDEFGHIJ012345")}},
        ScanCase{"GithubOauth",
                 "token gho_0123456789abcdefghijABCDEFGHIJ012345",
                 {secret("gho_0123456789abcdefghijABCDEFGHIJ012345")}},
        ScanCase{"GithubFineGrained", kGithubPat, {secret(kGithubPat)}},
        ScanCase{"Gitlab", "glpat-Ab1_cD2-eF3gH4iJ5kL6", {secret("glpat-Ab1_cD2-eF3gH4iJ5kL6")}},
        ScanCase{"Slack", "xoxb-1234567890-abcdefghij", {secret("xoxb-1234567890-abcdefghij")}},
        ScanCase{
            "SlackWebhookPath",
            "POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            {secret("T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX")}},
        ScanCase{
            "PrivateKeyBlock",
            R"(key -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbC+/=\n-----END RSA PRIVATE KEY-----\n tail)",
            {secret(
                R"(-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbC+/=\n-----END RSA PRIVATE KEY-----)")}},
        ScanCase{"PrivateKeyAfterEscapedBackslash",
                 R"(C:\\n-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----)",
                 {secret(R"(-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----)")}},
        ScanCase{"OpenSshWithoutEnd",
                 R"(-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk)",
                 {secret(R"(-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk)")}},
        ScanCase{"WithoutEndStopsBeforeCutEscape",
                 R"(-----BEGIN EC PRIVATE KEY-----\nMHc\u00)",
                 {secret(R"(-----BEGIN EC PRIVATE KEY-----\nMHc)")}},
        ScanCase{"WithoutEndStopsBeforeLoneBackslash",
                 "-----BEGIN ENCRYPTED PRIVATE KEY-----\\nMHc\\",
                 {secret(R"(-----BEGIN ENCRYPTED PRIVATE KEY-----\nMHc)")}},
        ScanCase{"AwsTooShort", "AKIA1234", {}}, ScanCase{"AwsGlued", "AKIAIOSFODNN7EXAMPLEX", {}},
        ScanCase{"GithubTooShort", "ghp_short", {}},
        ScanCase{"GithubGlued", "ghp_0123456789abcdefghijABCDEFGHIJ012345_x", {}},
        ScanCase{"GitlabTooShort", "glpat-abc", {}},
        ScanCase{"SlackTooShort", "xoxb-123 xoxz-1234567890abc", {}},
        ScanCase{"SlackWebhookEscapedSlashes",
                 R"(https:\/\/hooks.slack.com\/services\/T00000000\/B00000000\/XXXXXXXXXXXXXXXX)",
                 {secret(R"(T00000000\/B00000000\/XXXXXXXXXXXXXXXX)")}},
        ScanCase{"SlackWebhookShortPath", "https://hooks.slack.com/services/T0/B0/x", {}},
        ScanCase{"PublicKey", R"(-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----)", {}},
        ScanCase{"Certificate", R"(-----BEGIN CERTIFICATE-----\nMIIB)", {}},
        ScanCase{"Dashes", "---------- section ----------", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    SensitiveField, PiiScanTest,
    testing::Values(
        ScanCase{"Equals", "login password=hunter2 ok", {field("hunter2")}},
        // Numbers and flags under names that only contain a secret's are
        // metrics; under the name itself they are secrets.
        ScanCase{"MetricsUnderContainedNames",
                 "max_tokens=500 token_valid=true prompt_tokens=12.5 pin_token=abc passwd=1234",
                 {field("abc"), field("1234")}},
        ScanCase{"ColonSpace", "passwd: hunter2", {field("hunter2")}},
        ScanCase{"ColonNoSpace", "api_key:abc123", {field("abc123")}},
        ScanCase{"EscapedJson", R"({\"token\": \"s3cr3t value\"})", {field("s3cr3t value")}},
        ScanCase{"EscapedJsonCompact", R"({\"user\":\"bob\",\"passwd\":\"x\"})", {field("x")}},
        ScanCase{"EscapedJsonNumber", R"({\"password\":12345})", {field("12345")}},
        ScanCase{"RawQuotes", R"(secret="a b" next)", {field("a b")}},
        ScanCase{"SingleQuotes", "secret='a b'", {field("a b")}},
        ScanCase{"RawQuotedKey", R"("password": "hunter 2")", {field("hunter 2")}},
        ScanCase{"KeyContainsAndSquashed", "X-Api-Key=zzz", {field("zzz")}},
        ScanCase{"DottedKey", "db.password = hunter2", {field("hunter2")}},
        ScanCase{"QueryString", "GET /cb?token=abc&x=1", {field("abc")}},
        ScanCase{"SetCookieHeader",
                 "Set-Cookie: session=abc123; Path=/",
                 {field("session=abc123; Path=/")}},
        ScanCase{
            "CookieHeaderKeepsEveryPair", "Cookie: a=1; b=2 sent upstream", {field("a=1; b=2")}},
        ScanCase{"CookieAsPair", "cookie=abc123; path=/", {field("abc123")}},
        ScanCase{"AwsSecretByKey",
                 "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                 {field("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")}},
        ScanCase{"SchemeWithShortToken", "Authorization: Bearer xyz", {field("Bearer xyz")}},
        ScanCase{"OtherScheme", "authorization=Digest abc", {field("Digest abc")}},
        ScanCase{"QuotedPair",
                 "curl -H 'Authorization: token ghp_0123' -H 'X-Api-Key: k1'",
                 {field("token ghp_0123"), field("k1")}},
        ScanCase{"QuotedAuthorization",
                 R"(\"authorization\": \"Bearer abcdef123456\")",
                 {field("Bearer abcdef123456")}},
        ScanCase{"ValueSpansEscapedBackslash", R"(password=p\\ss next)", {field(R"(p\\ss)")}},
        ScanCase{"ValueSpansUnicodeEscape", R"(password=p\u00e4ss)", {field(R"(p\u00e4ss)")}},
        ScanCase{"ValueStopsAtNewlineEscape", R"(password=abc\ndef)", {field("abc")}},
        ScanCase{"ValueStopsAtEscapedAmpersand", R"(GET /cb?token=abc\u0026x=1)", {field("abc")}},
        ScanCase{"ValueStopsAtEscapedQuote", R"(msg=\"password=abc\")", {field("abc")}},
        ScanCase{"QuotedValueSpansEscapes", R"(token=\"a\tb\")", {field(R"(a\tb)")}},
        ScanCase{"UnterminatedQuoteToTheEnd",
                 R"(password=\"hunter2 and more)",
                 {field("hunter2 and more")}},
        ScanCase{"ValueIsEmail", "password=bob@example.com", {field("bob@example.com")}},
        ScanCase{"Redacted", "password=[REDACTED:sensitive_field] ok", {}},
        ScanCase{"Hashed", "password=<sensitive_field:3f9a1c0b7e>", {}},
        ScanCase{"Stars", "password=********", {}},
        ScanCase{"EmptyQuoted", R"({\"password\":\"\"})", {}},
        ScanCase{"EmptyValue", "password= next", {}},
        ScanCase{"NoSeparator", "passwordless login; the password is wrong", {}},
        ScanCase{"OtherKeys", "user=bob keyword=token status: ok", {}},
        ScanCase{"HashedKey", "<token:3f9a1c0b7e>", {}}),
    caseName);

INSTANTIATE_TEST_SUITE_P(
    Overlaps, PiiScanTest,
    testing::Values(
        ScanCase{"EmailOverCardInLocalPart",
                 "4111111111111111@example.com",
                 {email("4111111111111111@example.com")}},
        ScanCase{"EmailOverPhoneInLocalPart",
                 "sip:+14155552671@sip.example.com",
                 {email("+14155552671@sip.example.com")}},
        ScanCase{"SeveralKinds",
                 "bob@example.com from 192.0.2.1 paid with 4111 1111 1111 1111, ssn 123-45-6789",
                 {email("bob@example.com"), ipv4("192.0.2.1"), card("4111 1111 1111 1111"),
                  ssn("123-45-6789")}},
        ScanCase{"KeyedJwtIsTheField", std::string("id_token=") + kJwt, {field(kJwt)}}),
    caseName);

TEST(PiiKindNames, RoundTrip) {
  const std::vector<std::string_view> names = {
      "email", "ipv4",        "ipv6",         "credit_card",     "iban",  "phone", "ssn",
      "jwt",   "credentials", "secret_token", "sensitive_field", "custom"};
  ASSERT_EQ(names.size(), static_cast<size_t>(PiiKind::kCount));
  for (size_t i = 0; i < names.size(); ++i) {
    const auto kind = static_cast<PiiKind>(i);
    EXPECT_EQ(piiKindName(kind), names[i]);
    EXPECT_EQ(piiKindFromName(names[i]), kind);
  }
  EXPECT_EQ(piiKindFromName("Email"), std::nullopt);
  EXPECT_EQ(piiKindFromName(""), std::nullopt);
  EXPECT_EQ(piiKindName(PiiKind::kCount), "");
}

TEST(PiiScanner, OnlyEnabledDetectorsRun) {
  PiiKindSet email_only;
  email_only.set(static_cast<size_t>(PiiKind::kEmail));
  const PiiScanner scanner(email_only, kSensitiveKeys);
  EXPECT_EQ(findAll("bob@example.com 4111111111111111 192.0.2.1 password=x", scanner),
            std::vector<Found>{email("bob@example.com")});

  PiiKindSet cards;
  cards.set(static_cast<size_t>(PiiKind::kCreditCard));
  // With the email detector off, the card in the local part is found on its own.
  EXPECT_EQ(findAll("4111111111111111@example.com", PiiScanner(cards, {})),
            std::vector<Found>{card("4111111111111111")});
  EXPECT_EQ(findAll("nothing here", PiiScanner(PiiKindSet(), kSensitiveKeys)),
            std::vector<Found>{});
}

TEST(PiiScanner, SensitiveKeysAreSquashedAndLowered) {
  PiiKindSet fields;
  fields.set(static_cast<size_t>(PiiKind::kSensitiveField));
  const PiiScanner scanner(fields, {"Client_Secret", "", "x-session.id"});
  EXPECT_EQ(findAll("clientsecret=a CLIENT-SECRET=b xsessionid=c session_id=d", scanner),
            (std::vector<Found>{field("a"), field("b"), field("c")}));
  EXPECT_EQ(findAll("password=x", PiiScanner(fields, {})), std::vector<Found>{});
}

TEST(PiiScanner, AuthorizationWithoutCredentialsDetectorMasksSchemeAndToken) {
  PiiKindSet fields;
  fields.set(static_cast<size_t>(PiiKind::kSensitiveField));
  const PiiScanner scanner(fields, kSensitiveKeys);
  EXPECT_EQ(findAll("Authorization: Bearer abcdef123456", scanner),
            std::vector<Found>{field("Bearer abcdef123456")});
}

TEST(PiiScanner, AppendsAfterExistingMatches) {
  std::vector<PiiMatch> out = {PiiMatch{PiiKind::kCustom, 0, 3, 7}};
  const std::string text = "abc bob@example.com";
  defaultScanner().scan(text, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].custom_index, 7);
  EXPECT_EQ(out[1].kind, PiiKind::kEmail);
  EXPECT_EQ(out[1].begin, 4u);
}

std::filesystem::path piiDataDir() {
  if (const char* root = std::getenv("SLUICE_SOURCE_DIR")) {
    return std::filesystem::path(root) / "tests" / "data" / "pii";
  }
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "data" / "pii";
}

// Realistic string values without personal data: each line must give no
// match at all.
TEST(PiiScanner, CorpusWithoutPiiHasNoMatch) {
  const std::filesystem::path path = piiDataDir() / "no_pii.txt";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " (set SLUICE_SOURCE_DIR)";
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++lines;
    EXPECT_EQ(findAll(line), std::vector<Found>{}) << line;
  }
  EXPECT_GT(lines, 50u);
}

TEST(PiiScanner, RandomBytesStayInBounds) {
  std::mt19937 rng(20240115);
  for (int round = 0; round < 20000; ++round) {
    std::string text(rng() % 300, '\0');
    for (char& c : text) c = static_cast<char>(rng());
    const std::vector<PiiMatch> matches = scanExact(defaultScanner(), text);
    expectWellFormed(text, matches);
    if (testing::Test::HasFailure()) FAIL() << "input of " << text.size() << " bytes";
  }
}

// Random mixes of the pieces detectors look for reach far more of their
// branches than uniform bytes do.
TEST(PiiScanner, RandomFragmentsStayWellFormed) {
  static const std::vector<std::string> kPieces = {
      "4111",
      "1111",
      " ",
      "-",
      ".",
      "@",
      "example",
      "com",
      "\\",
      "\\n",
      "\\\"",
      "\\u00",
      "\\u0040",
      "\\\\",
      "u",
      "\"",
      "'",
      ":",
      "::",
      "=",
      "+",
      "(",
      ")",
      "555",
      "123",
      "45",
      "6789",
      "192",
      "0",
      "2001",
      "db8",
      "ffff",
      "GB82",
      "WEST",
      "eyJ",
      "eyJhbGciOiJIUzI1NiJ9",
      "Bearer ",
      "Basic ",
      "AKIA",
      "ghp_",
      "glpat-",
      "xoxb-",
      "hooks.slack.com/services/",
      "T0000000",
      "/",
      "-----BEGIN PRIVATE KEY-----",
      "-----END PRIVATE KEY-----",
      "password",
      "token",
      "&",
      ",",
      ";",
      "*",
      "[REDACTED:email]",
      "\xc3\xa9",
      "_",
      "a",
      "Z",
      "9",
      "\t",
      "version ",
      "v",
      "%",
      "]",
  };
  std::mt19937 rng(42);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t pieces = rng() % 24;
    for (size_t k = 0; k < pieces; ++k) text += kPieces[rng() % kPieces.size()];
    const std::vector<PiiMatch> matches = scanExact(defaultScanner(), text);
    expectWellFormed(text, matches);
    if (testing::Test::HasFailure()) FAIL() << text;
  }
}

TEST(PiiScanner, LongRunsStayLinear) {
  // Inputs that would make a careless scanner rescan: every position looks
  // like a start of something.
  for (const std::string& unit :
       {std::string("1:"), std::string("a@"), std::string("1.1."), std::string("4111 "),
        std::string("eyJa."), std::string("-----BEGIN PRIVATE KEY-----"), std::string("password="),
        std::string("\\u0041")}) {
    std::string text;
    while (text.size() < (1u << 20)) text += unit;
    const auto start = std::chrono::steady_clock::now();
    const std::vector<PiiMatch> matches = scanExact(defaultScanner(), text);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(std::chrono::duration<double>(elapsed).count(), 5.0) << unit;
    expectWellFormed(text, matches);
  }
}

}  // namespace
}  // namespace sluice
