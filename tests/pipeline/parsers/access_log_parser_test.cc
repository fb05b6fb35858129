#include "pipeline/parsers/access_log_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/pipeline/parsers/parser_test_support.h"

namespace sluice::parser_test {
namespace {

using AccessCase = RenderedCase;

class AccessLogParserTest : public testing::TestWithParam<AccessCase> {};

TEST_P(AccessLogParserTest, EmitsFields) {
  expectAppends(AccessLogParser(), GetParam().line, GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Apache, AccessLogParserTest,
    testing::Values(
        AccessCase{
            "DocsCommon",
            R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif )x"
            R"x(HTTP/1.0" 200 2326)x",
            {"client.ip=127.0.0.1", "user.name=frank", "@timestamp=10/Oct/2000:13:55:36 -0700",
             "http.method=GET", "url.original=/apache_pb.gif", "http.path=/apache_pb.gif",
             "http.version=1.0", "http.status_code=#200", "http.response.body.bytes=#2326"}},
        AccessCase{"DocsCombined",
                   R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET )x"
                   R"x(/apache_pb.gif?x=1 HTTP/1.0" 200 2326 )x"
                   R"x("http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)")x",
                   {"client.ip=127.0.0.1", "user.name=frank",
                    "@timestamp=10/Oct/2000:13:55:36 -0700", "http.method=GET",
                    "url.original=/apache_pb.gif?x=1", "http.path=/apache_pb.gif", "url.query=x=1",
                    "http.version=1.0", "http.status_code=#200", "http.response.body.bytes=#2326",
                    "http.request.referrer=http://www.example.com/start.html",
                    "user_agent.original=Mozilla/4.08 [en] (Win98; I ;Nav)"}},
        AccessCase{
            "NoBodyDash",
            R"x(192.0.2.44 - - [15/Jan/2024:10:30:02 +0100] "HEAD / HTTP/1.1" 304 -)x",
            {"client.ip=192.0.2.44", "@timestamp=15/Jan/2024:10:30:02 +0100", "http.method=HEAD",
             "url.original=/", "http.path=/", "http.version=1.1", "http.status_code=#304"}},
        AccessCase{
            "EscapedQuotes",
            R"x(192.0.2.7 - - [15/Jan/2024:10:30:03 +0000] "GET /search?q=\"x\" )x"
            R"x(HTTP/1.1" 200 12 "-" "Mozilla/5.0 \"quoted\" \\o/")x",
            {"client.ip=192.0.2.7", "@timestamp=15/Jan/2024:10:30:03 +0000", "http.method=GET",
             R"x(url.original=/search?q="x")x", "http.path=/search", R"x(url.query=q="x")x",
             "http.version=1.1", "http.status_code=#200", "http.response.body.bytes=#12",
             R"x(user_agent.original=Mozilla/5.0 "quoted" \o/)x"}},
        AccessCase{
            "VhostCombined",
            R"x(www.example.com:443 192.0.2.10 - - [15/Jan/2024:10:30:07 +0000] "GET )x"
            R"x(/index.html HTTP/1.1" 200 1024 "https://www.example.com/" )x"
            R"x("Mozilla/5.0")x",
            {"destination.domain=www.example.com", "destination.port=#443", "client.ip=192.0.2.10",
             "@timestamp=15/Jan/2024:10:30:07 +0000", "http.method=GET", "url.original=/index.html",
             "http.path=/index.html", "http.version=1.1", "http.status_code=#200",
             "http.response.body.bytes=#1024", "http.request.referrer=https://www.example.com/",
             "user_agent.original=Mozilla/5.0"}},
        AccessCase{"HostnameLookups",
                   R"x(client-42.example.net - - [15/Jan/2024:10:30:08 +0000] "GET / )x"
                   R"x(HTTP/1.1" 200 10)x",
                   {"client.address=client-42.example.net", "@timestamp=15/Jan/2024:10:30:08 +0000",
                    "http.method=GET", "url.original=/", "http.path=/", "http.version=1.1",
                    "http.status_code=#200", "http.response.body.bytes=#10"}},
        AccessCase{"Http09",
                   R"x(192.0.2.1 - - [15/Jan/2024:10:30:09 +0000] "GET /" 200 10)x",
                   {"client.ip=192.0.2.1", "@timestamp=15/Jan/2024:10:30:09 +0000",
                    "http.method=GET", "url.original=/", "http.path=/", "http.status_code=#200",
                    "http.response.body.bytes=#10"}},
        AccessCase{
            "UnencodedSpaceInTarget",
            R"x(192.0.2.1 - - [15/Jan/2024:10:30:10 +0000] "GET /files/my report.pdf )x"
            R"x(HTTP/1.1" 404 196)x",
            {"client.ip=192.0.2.1", "@timestamp=15/Jan/2024:10:30:10 +0000", "http.method=GET",
             "url.original=/files/my report.pdf", "http.path=/files/my report.pdf",
             "http.version=1.1", "http.status_code=#404", "http.response.body.bytes=#196"}},
        AccessCase{"CarriageReturn",
                   "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\r",
                   {"client.ip=127.0.0.1", "@timestamp=10/Oct/2000:13:55:36 -0700",
                    "http.method=GET", "url.original=/", "http.path=/", "http.version=1.0",
                    "http.status_code=#200", "http.response.body.bytes=#2326"}}),
    caseName<AccessCase>);

INSTANTIATE_TEST_SUITE_P(
    Nginx, AccessLogParserTest,
    testing::Values(
        AccessCase{
            "Ipv6Client",
            R"x(2001:db8::1 - - [15/Jan/2024:10:30:00 +0000] "GET )x"
            R"x(/api/v1/items?page=2&sort=desc HTTP/2.0" 200 5123 "-" "curl/8.5.0")x",
            {"client.ip=2001:db8::1", "@timestamp=15/Jan/2024:10:30:00 +0000", "http.method=GET",
             "url.original=/api/v1/items?page=2&sort=desc", "http.path=/api/v1/items",
             "url.query=page=2&sort=desc", "http.version=2.0", "http.status_code=#200",
             "http.response.body.bytes=#5123", "user_agent.original=curl/8.5.0"}},
        AccessCase{"Ipv4MappedIpv6",
                   R"x(::ffff:192.0.2.9 - - [15/Jan/2024:10:30:00 +0000] "GET / HTTP/1.1" )x"
                   R"x(200 1 "-" "-")x",
                   {"client.ip=::ffff:192.0.2.9", "@timestamp=15/Jan/2024:10:30:00 +0000",
                    "http.method=GET", "url.original=/", "http.path=/", "http.version=1.1",
                    "http.status_code=#200", "http.response.body.bytes=#1"}},
        AccessCase{"AllDashes",
                   R"x(203.0.113.5 - - [15/Jan/2024:10:30:01 +0000] "POST /login HTTP/1.1" )x"
                   R"x(302 0 "-" "-")x",
                   {"client.ip=203.0.113.5", "@timestamp=15/Jan/2024:10:30:01 +0000",
                    "http.method=POST", "url.original=/login", "http.path=/login",
                    "http.version=1.1", "http.status_code=#302", "http.response.body.bytes=#0"}},
        AccessCase{"HexEscapesStayAsWritten",
                   R"x(192.0.2.8 - - [15/Jan/2024:10:30:04 +0000] "GET /a?q=\x22x\x22 )x"
                   R"x(HTTP/1.1" 200 12 "-" "ua \x22q\x22 \x5C")x",
                   {"client.ip=192.0.2.8", "@timestamp=15/Jan/2024:10:30:04 +0000",
                    "http.method=GET", R"x(url.original=/a?q=\x22x\x22)x", "http.path=/a",
                    R"x(url.query=q=\x22x\x22)x", "http.version=1.1", "http.status_code=#200",
                    "http.response.body.bytes=#12", R"x(user_agent.original=ua \x22q\x22 \x5C)x"}},
        AccessCase{"TlsHandshakeOnPlainPort",
                   R"x(198.51.100.23 - - [15/Jan/2024:10:30:05 +0000] )x"
                   R"x("\x16\x03\x01\x00\xF1\x01\x00\x00\xED\x03\x03" 400 157 "-" "-")x",
                   {"client.ip=198.51.100.23", "@timestamp=15/Jan/2024:10:30:05 +0000",
                    R"x(url.original=\x16\x03\x01\x00\xF1\x01\x00\x00\xED\x03\x03)x",
                    "http.status_code=#400", "http.response.body.bytes=#157"}},
        AccessCase{
            "SshProbe",
            R"x(198.51.100.23 - - [15/Jan/2024:10:30:05 +0000] "SSH-2.0-Go" 400 157 )x"
            R"x("-" "-")x",
            {"client.ip=198.51.100.23", "@timestamp=15/Jan/2024:10:30:05 +0000",
             "url.original=SSH-2.0-Go", "http.status_code=#400", "http.response.body.bytes=#157"}},
        AccessCase{"DashRequest",
                   R"x(198.51.100.23 - - [15/Jan/2024:10:30:06 +0000] "-" 408 0 "-" "-")x",
                   {"client.ip=198.51.100.23", "@timestamp=15/Jan/2024:10:30:06 +0000",
                    "http.status_code=#408", "http.response.body.bytes=#0"}},
        AccessCase{"EmptyRequest",
                   R"x(198.51.100.23 - - [15/Jan/2024:10:30:06 +0000] "" 400 0 "-" "-")x",
                   {"client.ip=198.51.100.23", "@timestamp=15/Jan/2024:10:30:06 +0000",
                    "http.status_code=#400", "http.response.body.bytes=#0"}},
        AccessCase{
            "TrailingExtras",
            R"x(10.1.2.3 - alice [15/Jan/2024:10:30:11 +0000] "PUT /v2/x HTTP/1.1" )x"
            R"x(201 0 "https://a.example/" "kubectl/v1.29.0" 0.002 "10.0.0.1, )x"
            R"x(10.0.0.2" upstream=10.0.0.9:8080)x",
            {"client.ip=10.1.2.3", "user.name=alice", "@timestamp=15/Jan/2024:10:30:11 +0000",
             "http.method=PUT", "url.original=/v2/x", "http.path=/v2/x", "http.version=1.1",
             "http.status_code=#201", "http.response.body.bytes=#0",
             "http.request.referrer=https://a.example/", "user_agent.original=kubectl/v1.29.0"}},
        AccessCase{"CommonThenBareExtra",
                   R"x(10.1.2.3 - - [15/Jan/2024:10:30:11 +0000] "GET / HTTP/1.1" 200 5 )x"
                   R"x(0.010 "x")x",
                   {"client.ip=10.1.2.3", "@timestamp=15/Jan/2024:10:30:11 +0000",
                    "http.method=GET", "url.original=/", "http.path=/", "http.version=1.1",
                    "http.status_code=#200", "http.response.body.bytes=#5"}},
        AccessCase{"EmptyQuery",
                   R"x(10.1.2.3 - - [15/Jan/2024:10:30:11 +0000] "GET /x? HTTP/1.1" 200 5)x",
                   {"client.ip=10.1.2.3", "@timestamp=15/Jan/2024:10:30:11 +0000",
                    "http.method=GET", "url.original=/x?", "http.path=/x", "http.version=1.1",
                    "http.status_code=#200", "http.response.body.bytes=#5"}}),
    caseName<AccessCase>);

class AccessLogRejectTest : public testing::TestWithParam<std::string_view> {};

TEST_P(AccessLogRejectTest, LeavesFieldsAsTheyWere) {
  expectRefused(AccessLogParser(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, AccessLogRejectTest,
    testing::Values(
        "", "-", "127.0.0.1", "127.0.0.1 - frank",
        "127.0.0.1 - [10/Oct/2000:13:55:36 -0700] "
        "\"GET / HTTP/1.0\" 200 1",
        "127.0.0.1  - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1",
        "a b c d e [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1",
        "127.0.0.1 - frank [] \"GET / HTTP/1.0\" 200 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700 \"GET / HTTP/1.0\" 200 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] GET / HTTP/1.0 200 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700]\"GET / HTTP/1.0\" 200 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0 200 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" abc 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 20 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 2000 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 ",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 12a",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 012",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1 \"-",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1 \"-\"\"-\"",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /\x01 HTTP/1.0\" 200 1",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36\n-0700] \"GET / HTTP/1.0\" 200 1"),
    lineIndexName);

INSTANTIATE_TEST_SUITE_P(
    OtherShapes, AccessLogRejectTest,
    testing::Values(
        R"x({"remote_addr":"127.0.0.1","request":"GET / HTTP/1.1","status":200})x",
        R"x(level=info msg="hello world" ts=2024-01-15T10:30:00Z)x",
        R"x(time="2024-01-15T10:30:00Z" level=info msg="GET / 200" )x"
        R"x(client=127.0.0.1)x",
        "Nov 25 06:31:20 myhost sshd[1234]: Accepted publickey for bob",
        "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
        "2024/01/15 10:30:00 [error] 1234#0: *1 open() \"/x\" failed (2: No such file)",
        "[Mon Jan 15 10:30:00.123456 2024] [core:error] [pid 1234] [client 192.0.2.1:5555] "
        "AH00126: Invalid URI in request",
        "2024-01-15T10:30:00Z INFO main: started", std::string_view("\0\x01\xff\xfe", 4),
        "\x16\x03\x01\x00\xf1\x01\x00\x00\xed\x03\x03"),
    lineIndexName);

class AccessLogTruncationTest : public testing::TestWithParam<TruncationCase> {};

// A prefix cut before the body size is refused; one cut later either parses
// or (inside a quoted trailing field) is refused, and never crashes.
TEST_P(AccessLogTruncationTest, EveryPrefix) {
  const TruncationCase& c = GetParam();
  ASSERT_TRUE(c.line.starts_with(c.valid_from));
  forEachPrefix(AccessLogParser(), c.line,
                [&](std::string_view prefix, bool parsed, const ParsedLine&) {
                  if (prefix.size() < c.valid_from.size() || prefix.size() == c.line.size()) {
                    EXPECT_EQ(parsed, prefix.size() == c.line.size()) << prefix;
                  }
                });
}

INSTANTIATE_TEST_SUITE_P(
    Samples, AccessLogTruncationTest,
    testing::Values(
        TruncationCase{
            R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET )x"
            R"x(/apache_pb.gif?x=1 HTTP/1.0" 200 2326 )x"
            R"x("http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)")x",
            R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET )x"
            R"x(/apache_pb.gif?x=1 HTTP/1.0" 200 2)x"},
        TruncationCase{R"x(www.example.com:443 2001:db8::1 - - [15/Jan/2024:10:30:07 +0000] "GET )x"
                       R"x(/q?\"a\" HTTP/2.0" 200 1024 "-" "Mozilla/5.0" 0.002)x",
                       R"x(www.example.com:443 2001:db8::1 - - [15/Jan/2024:10:30:07 +0000] "GET )x"
                       R"x(/q?\"a\" HTTP/2.0" 200 1)x"},
        TruncationCase{R"x(198.51.100.23 - - [15/Jan/2024:10:30:05 +0000] "\x16\x03\x01\x00\xF1" )x"
                       R"x(400 -)x",
                       R"x(198.51.100.23 - - [15/Jan/2024:10:30:05 +0000] "\x16\x03\x01\x00\xF1" )x"
                       R"x(400 -)x"}));

TEST(AccessLogParser, BorrowsFromTheLineWhenNothingIsUnescaped) {
  std::string_view line =
      R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a?x=1 HTTP/1.0" )x"
      R"x(200 2326 "http://r/" "UA")x";
  ParsedLine out;
  ASSERT_TRUE(AccessLogParser().parse(line, out));
  ASSERT_EQ(out.fields.size(), 12u);
  for (const ParsedField& field : out.fields) {
    EXPECT_TRUE(borrowedFrom(line, field.value)) << field.key;
  }
}

TEST(AccessLogParser, ReusedParsedLineGivesTheSameFields) {
  const std::string_view lines[] = {
      R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a?x=1 HTTP/1.0" )x"
      R"x(200 2326 "http://r/" "UA")x",
      R"x(192.0.2.7 - - [15/Jan/2024:10:30:03 +0000] "GET /search?q=\"x\" )x"
      R"x(HTTP/1.1" 200 12 "-" "M \"q\"")x",
      R"x(198.51.100.23 - - [15/Jan/2024:10:30:05 +0000] "\x16\x03\x01" 400 157 )x"
      R"x("-" "-")x",
  };
  expectReuseMatchesFresh(AccessLogParser(), lines);
}

TEST(AccessLogParser, RandomBytesNeverCrash) {
  std::mt19937 random(20240115);
  AccessLogParser parser;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = randomBytes(random, 120);
    // Half the inputs open like an access log so that the deeper states are
    // reached.
    if (i % 2 == 0) bytes.insert(0, "1.2.3.4 - - [x] \"");
    tryParse(parser, bytes);
  }
}

TEST(AccessLogParser, MutatedSamplesNeverCrash) {
  const std::string_view samples[] = {
      R"x(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a?x=1 HTTP/1.0" )x"
      R"x(200 2326 "http://r/" "U\"A\\")x",
      R"x(www.example.com:443 2001:db8::1 - - [15/Jan/2024:10:30:07 +0000] "GET )x"
      R"x(/ HTTP/2.0" 200 1 "-" "-" 0.1)x",
  };
  const char kInteresting[] = {'"', ' ', '[', ']', '\\', '-', '?', ':', '0', '\0', '\r'};
  std::mt19937 random(7);
  AccessLogParser parser;
  for (std::string_view sample : samples) {
    for (int i = 0; i < 10000; ++i) tryParse(parser, mutate(random, sample, kInteresting));
  }
}

}  // namespace
}  // namespace sluice::parser_test
