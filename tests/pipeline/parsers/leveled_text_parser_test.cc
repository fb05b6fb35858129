#include "pipeline/parsers/leveled_text_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/pipeline/parsers/parser_test_support.h"

namespace sluice::parser_test {
namespace {

using Case = LineCase;
using Bad = BadLine;

Field Ts(std::string value) { return S("@timestamp", std::move(value)); }
Field Level(std::string value) { return S("log.level", std::move(value)); }
Field Msg(std::string value) { return S("log.message", std::move(value)); }
Field Logger(std::string value) { return S("log.logger", std::move(value)); }
Field Thread(std::string value) { return S("process.thread.name", std::move(value)); }

class LeveledTextParses : public testing::TestWithParam<Case> {};

TEST_P(LeveledTextParses, EmitsFieldsAfterExistingOnes) {
  const Case& c = GetParam();
  ExactBuffer line(c.line);
  ParsedLine out;
  expectAppends(LeveledTextParser(), line.view(), c.fields, out);
  for (size_t i = 1; i < out.fields.size(); ++i) {
    if (out.fields[i].key == "@timestamp_format") continue;
    EXPECT_TRUE(borrowedFrom(line.view(), out.fields[i].value))
        << out.fields[i].key << " is borrowed from the line";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Log4jAndLogback, LeveledTextParses,
    testing::Values(
        Case{"log4j default",
             "2016-09-28 04:30:30,123 ERROR [main] com.example.Foo - Connection refused",
             {Ts("2016-09-28 04:30:30,123"), Level("ERROR"), Thread("main"),
              Logger("com.example.Foo"), Msg("Connection refused")}},
        Case{"log4j padded level, no thread",
             "2016-09-28 04:30:30,123 WARN  com.example.Foo - Pool exhausted - waiting",
             {Ts("2016-09-28 04:30:30,123"), Level("WARN"), Logger("com.example.Foo"),
              Msg("Pool exhausted - waiting")}},
        Case{"logback default file pattern",
             "2024-01-15 10:30:00.123 [main] INFO  com.example.Foo - Started",
             {Ts("2024-01-15 10:30:00.123"), Thread("main"), Level("INFO"),
              Logger("com.example.Foo"), Msg("Started")}},
        Case{"logback default console pattern (time only)",
             "10:30:00.123 [http-nio-8080-exec-1] DEBUG c.e.web.Controller - GET /api/users",
             {Ts("10:30:00.123"), Thread("http-nio-8080-exec-1"), Level("DEBUG"),
              Logger("c.e.web.Controller"), Msg("GET /api/users")}},
        Case{"padded logger",
             "2024-01-15 10:30:00,001 INFO  [main] o.a.k.c.Producer          - Sent",
             {Ts("2024-01-15 10:30:00,001"), Level("INFO"), Thread("main"),
              Logger("o.a.k.c.Producer"), Msg("Sent")}},
        Case{"undotted word before a dash is text",
             "2024-01-15 10:30:00 INFO Retrying - attempt 2",
             {Ts("2024-01-15 10:30:00"), Level("INFO"), Msg("Retrying - attempt 2")}},
        Case{"bracket without a logger stays in the message",
             "2024-01-15 10:30:00 INFO [main] Starting server",
             {Ts("2024-01-15 10:30:00"), Level("INFO"), Msg("[main] Starting server")}},
        Case{"level before the timestamp",
             "INFO  2024-01-15 10:30:00,123 [main] com.foo.Bar - started",
             {Level("INFO"), Ts("2024-01-15 10:30:00,123"), Thread("main"), Logger("com.foo.Bar"),
              Msg("started")}}));

INSTANTIATE_TEST_SUITE_P(
    SpringBoot, LeveledTextParses,
    testing::Values(
        Case{"spring boot 2",
             "2024-01-15 10:30:00.123  INFO 1234 --- [           main] c.e.demo.Application     "
             "               : Started Application",
             {Ts("2024-01-15 10:30:00.123"), Level("INFO"), N("process.pid", "1234"),
              Thread("main"), Logger("c.e.demo.Application"), Msg("Started Application")}},
        Case{"spring boot long thread name",
             "2024-01-15 10:30:00.123  WARN 1234 --- [nio-8080-exec-1] "
             "o.s.web.servlet.PageNotFound             : No mapping for GET /favicon.ico",
             {Ts("2024-01-15 10:30:00.123"), Level("WARN"), N("process.pid", "1234"),
              Thread("nio-8080-exec-1"), Logger("o.s.web.servlet.PageNotFound"),
              Msg("No mapping for GET /favicon.ico")}},
        Case{"spring boot 3.2 with application name",
             "2024-01-15T10:30:00.123+01:00  INFO 1234 --- [myapp] [           main] "
             "c.e.demo.Application                     : Started Application in 2.1 seconds",
             {Ts("2024-01-15T10:30:00.123+01:00"), Level("INFO"), N("process.pid", "1234"),
              S("service.name", "myapp"), Thread("main"), Logger("c.e.demo.Application"),
              Msg("Started Application in 2.1 seconds")}},
        Case{"spring boot 3.2 correlation after the thread",
             "2024-01-15T10:30:00.123Z ERROR 7 --- [           main] "
             "[65a1c2b3d4e5f6a7-1f2e3d4c5b6a7980] c.e.demo.Service : Failed",
             {Ts("2024-01-15T10:30:00.123Z"), Level("ERROR"), N("process.pid", "7"), Thread("main"),
              Logger("c.e.demo.Service"), Msg("Failed")}}));

INSTANTIATE_TEST_SUITE_P(
    PlainAndBracketed, LeveledTextParses,
    testing::Values(
        Case{"iso timestamp and level",
             "2024-01-15T10:30:00.123Z INFO Server started on port 8080",
             {Ts("2024-01-15T10:30:00.123Z"), Level("INFO"), Msg("Server started on port 8080")}},
        Case{"bracketed timestamp, level with colon",
             "[2024-01-15 10:30:00] ERROR: something failed",
             {Ts("2024-01-15 10:30:00"), Level("ERROR"), Msg("something failed")}},
        Case{"bracketed timestamp and level",
             "[2024-01-15T10:30:00Z] [warn] text",
             {Ts("2024-01-15T10:30:00Z"), Level("warn"), Msg("text")}},
        Case{"lower case level",
             "2024-01-15T10:30:00Z warning disk almost full",
             {Ts("2024-01-15T10:30:00Z"), Level("warning"), Msg("disk almost full")}},
        Case{"title case level",
             "2024-01-15 10:30:00 Error: connection lost",
             {Ts("2024-01-15 10:30:00"), Level("Error"), Msg("connection lost")}},
        Case{"three-letter level",
             "2024-01-15T10:30:00Z DBG cache miss key=abc",
             {Ts("2024-01-15T10:30:00Z"), Level("DBG"), Msg("cache miss key=abc")}},
        Case{"zone without colon",
             "2024-01-15T10:30:00+0100 DEBUG x",
             {Ts("2024-01-15T10:30:00+0100"), Level("DEBUG"), Msg("x")}},
        Case{"zone with colon",
             "2024-01-15T10:30:00-05:00 TRACE x",
             {Ts("2024-01-15T10:30:00-05:00"), Level("TRACE"), Msg("x")}},
        Case{"nanoseconds",
             "2024-01-15T10:30:00.123456789Z FATAL out of memory",
             {Ts("2024-01-15T10:30:00.123456789Z"), Level("FATAL"), Msg("out of memory")}},
        Case{"tab separated",
             "2024-01-15 10:30:00\tNOTICE\tconfig reloaded",
             {Ts("2024-01-15 10:30:00"), Level("NOTICE"), Msg("config reloaded")}},
        Case{"timestamp and level only",
             "2024-01-15 10:30:00 INFO",
             {Ts("2024-01-15 10:30:00"), Level("INFO")}},
        Case{"syslog-style timestamp with a level",
             "Jan  5 10:30:00 CRIT disk failure",
             {Ts("Jan  5 10:30:00"), Level("CRIT"), Msg("disk failure")}},
        Case{"monolog",
             R"([2024-01-15 10:30:00] production.ERROR: Database unavailable {"code":2002} [])",
             {Ts("2024-01-15 10:30:00"), Logger("production"), Level("ERROR"),
              Msg(R"(Database unavailable {"code":2002} [])")}},
        Case{"serilog console",
             "[10:30:00 INF] Starting web host",
             {Ts("10:30:00"), Level("INF"), Msg("Starting web host")}}));

INSTANTIATE_TEST_SUITE_P(
    NginxAndGo, LeveledTextParses,
    testing::Values(
        Case{"nginx error with connection",
             R"(2024/01/15 10:30:00 [error] 1234#0: *1 open() "/x" failed)",
             {Ts("2024/01/15 10:30:00"), Level("error"), N("process.pid", "1234"),
              N("process.thread.id", "0"), N("nginx.error.connection_id", "1"),
              Msg(R"(open() "/x" failed)")}},
        Case{
            "nginx error, real world",
            R"(2024/01/15 10:30:00 [error] 28#28: *7 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 172.17.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080")",
            {Ts("2024/01/15 10:30:00"), Level("error"), N("process.pid", "28"),
             N("process.thread.id", "28"), N("nginx.error.connection_id", "7"),
             Msg(R"(open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 172.17.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080")")}},
        Case{"nginx notice without connection",
             "2024/01/15 10:30:00 [notice] 1#1: start worker processes",
             {Ts("2024/01/15 10:30:00"), Level("notice"), N("process.pid", "1"),
              N("process.thread.id", "1"), Msg("start worker processes")}},
        Case{"go log",
             "2009/11/10 23:00:00 message without level",
             {Ts("2009/11/10 23:00:00"), Msg("message without level")}},
        Case{"go log with microseconds",
             "2009/11/10 23:00:00.123456 hello",
             {Ts("2009/11/10 23:00:00.123456"), Msg("hello")}},
        Case{"go log with Lshortfile",
             "2009/11/10 23:00:00 main.go:23: listening on :8080",
             {Ts("2009/11/10 23:00:00"), S("log.origin.file.name", "main.go"),
              N("log.origin.file.line", "23"), Msg("listening on :8080")}},
        Case{"go log with Llongfile",
             "2009/11/10 23:00:00 /src/app/server.go:118: ready",
             {Ts("2009/11/10 23:00:00"), S("log.origin.file.name", "/src/app/server.go"),
              N("log.origin.file.line", "118"), Msg("ready")}},
        Case{"timestamp only", "2009/11/10 23:00:00", {Ts("2009/11/10 23:00:00")}},
        Case{"dated timestamp and an unknown bracket",
             "2024-01-15 10:30:00 [main] Starting",
             {Ts("2024-01-15 10:30:00"), Msg("[main] Starting")}}));

INSTANTIATE_TEST_SUITE_P(
    Python, LeveledTextParses,
    testing::Values(
        Case{"basicConfig default",
             "INFO:root:message",
             {Level("INFO"), Logger("root"), Msg("message")}},
        Case{"basicConfig named logger",
             "WARNING:myapp.db:slow query: 2.5s",
             {Level("WARNING"), Logger("myapp.db"), Msg("slow query: 2.5s")}},
        Case{"basicConfig empty message", "ERROR:root:", {Level("ERROR"), Logger("root")}},
        Case{"asctime - name - level - message",
             "2024-01-15 10:30:00,123 - myapp - INFO - Started",
             {Ts("2024-01-15 10:30:00,123"), Logger("myapp"), Level("INFO"), Msg("Started")}},
        Case{"asctime - level - message",
             "2024-01-15 10:30:00,123 - ERROR - Failed - retrying",
             {Ts("2024-01-15 10:30:00,123"), Level("ERROR"), Msg("Failed - retrying")}},
        Case{"airflow task log",
             "[2024-01-15 10:30:00,123] {taskinstance.py:1157} INFO - Dependencies all met",
             {Ts("2024-01-15 10:30:00,123"), S("log.origin.file.name", "taskinstance.py"),
              N("log.origin.file.line", "1157"), Level("INFO"), Msg("Dependencies all met")}},
        Case{"loguru default",
             "2024-01-15 10:30:00.123 | INFO     | myapp.db:connect:42 - Connected",
             {Ts("2024-01-15 10:30:00.123"), Level("INFO"), Logger("myapp.db"),
              S("log.origin.function", "connect"), N("log.origin.file.line", "42"),
              Msg("Connected")}},
        Case{"loguru from __main__",
             "2024-01-15 10:30:00.123 | WARNING  | __main__:<module>:10 - low disk",
             {Ts("2024-01-15 10:30:00.123"), Level("WARNING"), Logger("__main__"),
              S("log.origin.function", "<module>"), N("log.origin.file.line", "10"),
              Msg("low disk")}}));

INSTANTIATE_TEST_SUITE_P(
    KlogAndRuby, LeveledTextParses,
    testing::Values(
        Case{"klog",
             "I1125 10:30:00.123456    1 main.go:42] Starting controller",
             {Level("I"), Ts("1125 10:30:00.123456"), S("@timestamp_format", "klog"),
              N("process.thread.id", "1"), S("log.origin.file.name", "main.go"),
              N("log.origin.file.line", "42"), Msg("Starting controller")}},
        Case{"klog error from client-go",
             "E0115 10:30:00.123456   12345 reflector.go:138] k8s.io/client-go/informers/"
             "factory.go:134: Failed to watch *v1.Pod: unauthorized",
             {Level("E"), Ts("0115 10:30:00.123456"), S("@timestamp_format", "klog"),
              N("process.thread.id", "12345"), S("log.origin.file.name", "reflector.go"),
              N("log.origin.file.line", "138"),
              Msg("k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: "
                  "unauthorized")}},
        Case{"klog structured",
             R"(W0115 10:30:00.000001       7 server.go:9] "Slow" latency="2s")",
             {Level("W"), Ts("0115 10:30:00.000001"), S("@timestamp_format", "klog"),
              N("process.thread.id", "7"), S("log.origin.file.name", "server.go"),
              N("log.origin.file.line", "9"), Msg(R"("Slow" latency="2s")")}},
        Case{"ruby logger",
             "I, [2024-01-15T10:30:00.123456 #1234]  INFO -- myprog: message",
             {Ts("2024-01-15T10:30:00.123456"), N("process.pid", "1234"), Level("INFO"),
              Logger("myprog"), Msg("message")}},
        Case{"ruby logger without progname",
             "E, [2024-01-15T10:30:00.123456 #99] ERROR -- : boom: again",
             {Ts("2024-01-15T10:30:00.123456"), N("process.pid", "99"), Level("ERROR"),
              Msg("boom: again")}},
        Case{"ruby logger ANY",
             "A, [2024-01-15T10:30:00.123456 #5]   ANY -- app: hi",
             {Ts("2024-01-15T10:30:00.123456"), N("process.pid", "5"), Level("ANY"), Logger("app"),
              Msg("hi")}}));

INSTANTIATE_TEST_SUITE_P(
    LevelOnly, LeveledTextParses,
    testing::Values(
        Case{
            "bare upper case", "ERROR something failed", {Level("ERROR"), Msg("something failed")}},
        Case{"bracketed", "[WARN] disk almost full", {Level("WARN"), Msg("disk almost full")}},
        Case{"bracketed lower case",
             "[error] disk almost full",
             {Level("error"), Msg("disk almost full")}},
        Case{"colon", "WARN: x", {Level("WARN"), Msg("x")}},
        Case{"lower case colon",
             "warning: unused variable 'x'",
             {Level("warning"), Msg("unused variable 'x'")}},
        Case{"level alone", "ERROR", {Level("ERROR")}},
        Case{"colon without a logger",
             "ERROR:something failed",
             {Level("ERROR"), Msg("something failed")}},
        Case{"leading zero pid stays a string",
             "2024/01/15 10:30:00 [error] 0123#0: x",
             {Ts("2024/01/15 10:30:00"), Level("error"), S("process.pid", "0123"),
              N("process.thread.id", "0"), Msg("x")}}));

class LeveledTextRejects : public testing::TestWithParam<Bad> {};

TEST_P(LeveledTextRejects, LeavesFieldsAsTheyWere) {
  expectRefused(LeveledTextParser(), GetParam().line);
}

INSTANTIATE_TEST_SUITE_P(
    OtherFormats, LeveledTextRejects,
    testing::Values(
        Bad{"empty", ""}, Bad{"spaces", "   "}, Bad{"tab", "\t"},
        Bad{"stack trace continuation", "\tat java.lang.Thread.run(Thread.java:748)"},
        Bad{"json", R"({"level":"info","msg":"x"})"},
        Bad{"access log",
            R"(127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326)"},
        Bad{"access log with vhost",
            R"(example.com 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2)"},
        Bad{"syslog", "Jan 15 10:30:00 myhost sshd[123]: Accepted password for root"},
        Bad{"rfc 5424", "<34>1 2024-01-15T10:30:00Z host app 123 - - msg"},
        Bad{"logfmt", "level=info msg=x"}, Bad{"prose", "The quick brown fox"},
        Bad{"prose starting with a level word", "Error handling is hard"},
        Bad{"lower case level word without colon", "info about the release"},
        Bad{"mixed case level", "eRRoR x"}, Bad{"level glued to digits", "ERROR123 x"},
        Bad{"longer word", "INFORMATION x"}, Bad{"level with odd separator", "ERROR/x"},
        Bad{"date only", "2024-01-15"}, Bad{"date and hour", "2024-01-15 10:30 x"},
        Bad{"timestamp glued to text", "2024-01-15T10:30:00Zfoo bar"},
        Bad{"clock without a level", "10:30:00 lunch with bob"},
        Bad{"clock and bracket without a level", "10:30:00 [main] hi"},
        Bad{"bracket that is neither", "[main] INFO x"},
        Bad{"unterminated bracket", "[2024-01-15 10:30:00 INFO x"},
        Bad{"klog-like garbage", "I1125 garbage"},
        Bad{"klog without origin", "I1125 10:30:00.123456    1 main.go] x"},
        Bad{"ruby-like garbage", "I, [broken"},
        Bad{"ruby without pid", "I, [2024-01-15T10:30:00.123456]  INFO -- p: m"},
        Bad{"binary", std::string("\0\x01\x02", 3)},
        Bad{"high bytes",
            "\xff\xfe"
            "ERROR x"},
        Bad{"bracketed level too far", "[                 WARN] x"}));

TEST(LeveledTextParser, LongLines) {
  LeveledTextParser parser;
  const std::string big(1'000'000, 'x');
  const std::string line = "2024-01-15T10:30:00Z ERROR " + big;
  ParsedLine out;
  ASSERT_TRUE(parser.parse(line, out));
  EXPECT_EQ(fieldsOf(out), (Fields{Ts("2024-01-15T10:30:00Z"), Level("ERROR"), Msg(big)}));
  out.reset();
  for (char repeated : {'a', '[', '1'}) {
    EXPECT_FALSE(parser.parse(std::string(1'000'000, repeated), out)) << repeated;
  }
  EXPECT_TRUE(out.fields.empty());
}

TEST(LeveledTextParser, SurvivesTruncatedAndRandomInput) {
  const std::vector<std::string> samples = {
      "2016-09-28 04:30:30,123 ERROR [main] com.example.Foo - Connection refused",
      "2024-01-15 10:30:00.123  INFO 1234 --- [myapp] [   main] c.e.demo.App  : Started",
      "[2024-01-15T10:30:00+01:00] [warn] text",
      "2024/01/15 10:30:00 [error] 1234#0: *1 open() failed",
      "2009/11/10 23:00:00 main.go:23: x",
      "INFO:root:message",
      "2024-01-15 10:30:00,123 - myapp - INFO - Started",
      "I1125 10:30:00.123456    1 main.go:42] Starting controller",
      "I, [2024-01-15T10:30:00.123456 #1234]  INFO -- myprog: message",
      "[2024-01-15 10:30:00,123] {taskinstance.py:1157} INFO - ok",
      "2024-01-15 10:30:00.123 | INFO     | a.b:c:42 - Connected",
      "[10:30:00 INF] hi",
      "[2024-01-15 10:30:00] production.ERROR: x",
  };
  const std::vector<std::string_view> pieces = {
      "2024-01-15", " ",          "10:30:00",   ".123",     "Z",
      "+01:00",     "[",          "]",          "INFO",     "warn",
      ":",          "-",          " - ",        "#",        "*",
      "|",          "{",          "}",          "1234",     "--- ",
      "I",          ", [",        "main.go:42", "\xff",     std::string_view("\0", 1),
      "\t",         "2024/01/15", "Jan  5",     "a.b.ERROR"};
  LeveledTextParser parser;
  size_t accepted = 0;
  for (const std::string& s : samples) accepted += tryEveryCut(parser, s);
  std::mt19937 rng(20240115);
  for (int round = 0; round < 50'000; ++round) {
    accepted += tryParse(parser, randomJoin(rng, pieces, 16));
    accepted += tryParse(parser, withRandomByte(rng, samples[round % samples.size()]));
  }
  EXPECT_GT(accepted, 0u);
}

}  // namespace
}  // namespace sluice::parser_test
