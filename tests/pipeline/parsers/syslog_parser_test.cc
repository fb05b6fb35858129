#include "pipeline/parsers/syslog_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/pipeline/parsers/parser_test_support.h"

namespace sluice::parser_test {
namespace {

using SyslogCase = RenderedCase;

class SyslogParserTest : public testing::TestWithParam<SyslogCase> {};

TEST_P(SyslogParserTest, EmitsFields) {
  expectAppends(SyslogParser(), GetParam().line, GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc5424, SyslogParserTest,
    testing::Values(
        SyslogCase{
            "Example1",
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
            "\xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
            {"log.syslog.priority=#34", "log.syslog.facility.code=#4",
             "log.syslog.facility.name=auth", "log.syslog.severity.code=#2", "log.level=crit",
             "log.syslog.version=#1", "@timestamp=2003-10-11T22:14:15.003Z",
             "log.syslog.hostname=mymachine.example.com", "log.syslog.appname=su",
             "log.syslog.msgid=ID47", "log.message='su root' failed for lonvick on /dev/pts/8"}},
        SyslogCase{
            "Example2",
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% "
            "It's time to make the do-nuts.",
            {"log.syslog.priority=#165", "log.syslog.facility.code=#20",
             "log.syslog.facility.name=local4", "log.syslog.severity.code=#5", "log.level=notice",
             "log.syslog.version=#1", "@timestamp=2003-08-24T05:14:15.000003-07:00",
             "log.syslog.hostname=192.0.2.1", "log.syslog.appname=myproc", "log.syslog.procid=8710",
             "log.message=%% It's time to make the do-nuts."}},
        SyslogCase{
            "Example3StructuredData",
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
            "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
            "eventID=\"1011\"] \xEF\xBB\xBF"
            "An application event log entry...",
            {"log.syslog.priority=#165", "log.syslog.facility.code=#20",
             "log.syslog.facility.name=local4", "log.syslog.severity.code=#5", "log.level=notice",
             "log.syslog.version=#1", "@timestamp=2003-10-11T22:14:15.003Z",
             "log.syslog.hostname=mymachine.example.com", "log.syslog.appname=evntslog",
             "log.syslog.msgid=ID47", "log.syslog.structured_data.exampleSDID@32473.iut=3",
             "log.syslog.structured_data.exampleSDID@32473.eventSource=Application",
             "log.syslog.structured_data.exampleSDID@32473.eventID=1011",
             "log.message=An application event log entry..."}},
        SyslogCase{
            "Example4TwoElementsNoMessage",
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
            "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
            "eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
            {"log.syslog.priority=#165", "log.syslog.facility.code=#20",
             "log.syslog.facility.name=local4", "log.syslog.severity.code=#5", "log.level=notice",
             "log.syslog.version=#1", "@timestamp=2003-10-11T22:14:15.003Z",
             "log.syslog.hostname=mymachine.example.com", "log.syslog.appname=evntslog",
             "log.syslog.msgid=ID47", "log.syslog.structured_data.exampleSDID@32473.iut=3",
             "log.syslog.structured_data.exampleSDID@32473.eventSource=Application",
             "log.syslog.structured_data.exampleSDID@32473.eventID=1011",
             "log.syslog.structured_data.examplePriority@32473.class=high"}},
        SyslogCase{"EscapedParamValues",
                   R"x(<14>1 2024-01-15T10:30:00Z web01 app - - [meta@1 a="say \"hi\"" )x"
                   R"x(b="a\]b" c="C:\\temp" d="keep\n" e=""] done)x",
                   {"log.syslog.priority=#14", "log.syslog.facility.code=#1",
                    "log.syslog.facility.name=user", "log.syslog.severity.code=#6",
                    "log.level=info", "log.syslog.version=#1", "@timestamp=2024-01-15T10:30:00Z",
                    "log.syslog.hostname=web01", "log.syslog.appname=app",
                    R"x(log.syslog.structured_data.meta@1.a=say "hi")x",
                    "log.syslog.structured_data.meta@1.b=a]b",
                    R"x(log.syslog.structured_data.meta@1.c=C:\temp)x",
                    R"x(log.syslog.structured_data.meta@1.d=keep\n)x",
                    "log.syslog.structured_data.meta@1.e=", "log.message=done"}},
        SyslogCase{
            "ElementWithoutParams",
            "<13>1 2024-01-15T10:30:00.5+05:30 h a p m [origin] text",
            {"log.syslog.priority=#13", "log.syslog.facility.code=#1",
             "log.syslog.facility.name=user", "log.syslog.severity.code=#5", "log.level=notice",
             "log.syslog.version=#1", "@timestamp=2024-01-15T10:30:00.5+05:30",
             "log.syslog.hostname=h", "log.syslog.appname=a", "log.syslog.procid=p",
             "log.syslog.msgid=m", "log.message=text"}},
        SyslogCase{"AllNil",
                   "<14>1 - - - - - -",
                   {"log.syslog.priority=#14", "log.syslog.facility.code=#1",
                    "log.syslog.facility.name=user", "log.syslog.severity.code=#6",
                    "log.level=info", "log.syslog.version=#1"}},
        SyslogCase{
            "RsyslogForwarded",
            "<30>1 2024-01-15T10:30:00.123456+00:00 web01 nginx 812 - - worker process "
            "815 exited on signal 9",
            {"log.syslog.priority=#30", "log.syslog.facility.code=#3",
             "log.syslog.facility.name=daemon", "log.syslog.severity.code=#6", "log.level=info",
             "log.syslog.version=#1", "@timestamp=2024-01-15T10:30:00.123456+00:00",
             "log.syslog.hostname=web01", "log.syslog.appname=nginx", "log.syslog.procid=812",
             "log.message=worker process 815 exited on signal 9"}}),
    caseName<SyslogCase>);

INSTANTIATE_TEST_SUITE_P(
    Rfc3164, SyslogParserTest,
    testing::Values(
        SyslogCase{
            "Example1",
            "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
            {"log.syslog.priority=#34", "log.syslog.facility.code=#4",
             "log.syslog.facility.name=auth", "log.syslog.severity.code=#2", "log.level=crit",
             "@timestamp=Oct 11 22:14:15", "log.syslog.hostname=mymachine", "log.syslog.appname=su",
             "log.message='su root' failed for lonvick on /dev/pts/8"}},
        SyslogCase{"Example2NoTag",
                   "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!",
                   {"log.syslog.priority=#13", "log.syslog.facility.code=#1",
                    "log.syslog.facility.name=user", "log.syslog.severity.code=#5",
                    "log.level=notice", "@timestamp=Feb  5 17:32:18",
                    "log.syslog.hostname=10.0.0.99", "log.message=Use the BFG!"}},
        // The RFC's relayed example: what follows the timestamp is taken as
        // written, so the zone becomes the host.
        SyslogCase{"Example3",
                   "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make "
                   "the do-nuts.  %%  Ingredients: Mix=OK, Jumbo=OK, Grease=OK",
                   {"log.syslog.priority=#165", "log.syslog.facility.code=#20",
                    "log.syslog.facility.name=local4", "log.syslog.severity.code=#5",
                    "log.level=notice", "@timestamp=Aug 24 05:34:00", "log.syslog.hostname=CST",
                    "log.message=1987 mymachine myproc[10]: %% It's time to make the do-nuts.  "
                    "%%  Ingredients: Mix=OK, Jumbo=OK, Grease=OK"}},
        // The RFC's example of a timestamp a relay does not recognise.
        SyslogCase{
            "Example4NoValidTimestamp",
            "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: "
            "That's All Folks!",
            {"log.syslog.priority=#0", "log.syslog.facility.code=#0",
             "log.syslog.facility.name=kern", "log.syslog.severity.code=#0", "log.level=emerg",
             "log.message=1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 "
             "sched[0]: That's All Folks!"}},
        SyslogCase{"LocalSenderWithoutHost",
                   "<38>Jan 15 10:30:00 sshd[1234]: Server listening on 0.0.0.0 port 22.",
                   {"log.syslog.priority=#38", "log.syslog.facility.code=#4",
                    "log.syslog.facility.name=auth", "log.syslog.severity.code=#6",
                    "log.level=info", "@timestamp=Jan 15 10:30:00", "log.syslog.appname=sshd",
                    "log.syslog.procid=1234", "log.message=Server listening on 0.0.0.0 port 22."}},
        SyslogCase{"CiscoAsaWithoutTimestamp",
                   "<166>%ASA-6-302013: Built outbound TCP connection 1234 for "
                   "outside:192.0.2.1/443 (192.0.2.1/443) to inside:10.0.0.5/51234",
                   {"log.syslog.priority=#166", "log.syslog.facility.code=#20",
                    "log.syslog.facility.name=local4", "log.syslog.severity.code=#6",
                    "log.level=info", "log.syslog.appname=%ASA-6-302013",
                    "log.message=Built outbound TCP connection 1234 for outside:192.0.2.1/443 "
                    "(192.0.2.1/443) to inside:10.0.0.5/51234"}},
        SyslogCase{
            "IsoTimestampAfterPri",
            "<134>2024-01-15T10:30:00.123+01:00 fw01 filterlog[4242]: "
            "5,,,1000000103,igb0,match,block,in,4,0x0",
            {"log.syslog.priority=#134", "log.syslog.facility.code=#16",
             "log.syslog.facility.name=local0", "log.syslog.severity.code=#6", "log.level=info",
             "@timestamp=2024-01-15T10:30:00.123+01:00", "log.syslog.hostname=fw01",
             "log.syslog.appname=filterlog", "log.syslog.procid=4242",
             "log.message=5,,,1000000103,igb0,match,block,in,4,0x0"}},
        SyslogCase{"FractionalBsdSeconds",
                   "<189>Mar  1 18:46:11.123 sw01 %LINK-3-UPDOWN: Interface Gi0/1, changed "
                   "state to up",
                   {"log.syslog.priority=#189", "log.syslog.facility.code=#23",
                    "log.syslog.facility.name=local7", "log.syslog.severity.code=#5",
                    "log.level=notice", "@timestamp=Mar  1 18:46:11.123",
                    "log.syslog.hostname=sw01", "log.syslog.appname=%LINK-3-UPDOWN",
                    "log.message=Interface Gi0/1, changed state to up"}},
        SyslogCase{"PriWithLeadingZero",
                   "<034>Oct 11 22:14:15 mymachine su: x",
                   {"log.syslog.priority=#34", "log.syslog.facility.code=#4",
                    "log.syslog.facility.name=auth", "log.syslog.severity.code=#2",
                    "log.level=crit", "@timestamp=Oct 11 22:14:15", "log.syslog.hostname=mymachine",
                    "log.syslog.appname=su", "log.message=x"}}),
    caseName<SyslogCase>);

INSTANTIATE_TEST_SUITE_P(
    Files, SyslogParserTest,
    testing::Values(
        SyslogCase{"DebianSshd",
                   "Nov 25 06:31:20 myhost sshd[1234]: Accepted publickey for bob from "
                   "192.0.2.10 port 52144 ssh2: RSA SHA256:abcdef",
                   {"@timestamp=Nov 25 06:31:20", "log.syslog.hostname=myhost",
                    "log.syslog.appname=sshd", "log.syslog.procid=1234",
                    "log.message=Accepted publickey for bob from 192.0.2.10 port 52144 ssh2: "
                    "RSA SHA256:abcdef"}},
        SyslogCase{"KernelPaddedDay",
                   "Dec  1 06:55:46 host kernel: [12345.678] message",
                   {"@timestamp=Dec  1 06:55:46", "log.syslog.hostname=host",
                    "log.syslog.appname=kernel", "log.message=[12345.678] message"}},
        SyslogCase{
            "CronWithoutPid",
            "May  7 00:00:01 web01 cron: (root) CMD (run-parts /etc/cron.hourly)",
            {"@timestamp=May  7 00:00:01", "log.syslog.hostname=web01", "log.syslog.appname=cron",
             "log.message=(root) CMD (run-parts /etc/cron.hourly)"}},
        SyslogCase{"DebianCron",
                   "Jan 15 10:30:01 web01 CRON[5678]: (root) CMD (command -v debian-sa1 > "
                   "/dev/null && debian-sa1 1 1)",
                   {"@timestamp=Jan 15 10:30:01", "log.syslog.hostname=web01",
                    "log.syslog.appname=CRON", "log.syslog.procid=5678",
                    "log.message=(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 "
                    "1)"}},
        SyslogCase{
            "AuthLogSudo",
            "Feb 12 08:15:02 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; "
            "USER=root ; COMMAND=/usr/bin/apt update",
            {"@timestamp=Feb 12 08:15:02", "log.syslog.hostname=bastion", "log.syslog.appname=sudo",
             "log.message=   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
             "COMMAND=/usr/bin/apt update"}},
        SyslogCase{
            "AuthLogPamSession",
            "Feb 12 08:15:03 bastion sudo: pam_unix(sudo:session): session opened for "
            "user root(uid=0) by alice(uid=1000)",
            {"@timestamp=Feb 12 08:15:03", "log.syslog.hostname=bastion", "log.syslog.appname=sudo",
             "log.message=pam_unix(sudo:session): session opened for user root(uid=0) by "
             "alice(uid=1000)"}},
        SyslogCase{"PostfixSlashInTag",
                   "Apr  9 23:59:59 mx01 postfix/smtpd[4312]: connect from unknown[198.51.100.7]",
                   {"@timestamp=Apr  9 23:59:59", "log.syslog.hostname=mx01",
                    "log.syslog.appname=postfix/smtpd", "log.syslog.procid=4312",
                    "log.message=connect from unknown[198.51.100.7]"}},
        SyslogCase{
            "Systemd",
            "Mar  3 14:02:11 db02 systemd[1]: Started Session 42 of user alice.",
            {"@timestamp=Mar  3 14:02:11", "log.syslog.hostname=db02", "log.syslog.appname=systemd",
             "log.syslog.procid=1", "log.message=Started Session 42 of user alice."}},
        SyslogCase{
            "MarkWithoutTag",
            "Jul 14 12:00:00 nas01 -- MARK --",
            {"@timestamp=Jul 14 12:00:00", "log.syslog.hostname=nas01", "log.message=-- MARK --"}},
        SyslogCase{"TagEndsLine",
                   "Sep  9 09:09:09 h app[7]:",
                   {"@timestamp=Sep  9 09:09:09", "log.syslog.hostname=h", "log.syslog.appname=app",
                    "log.syslog.procid=7"}},
        SyslogCase{"RsyslogIso",
                   "2024-01-15T10:30:00.123456+00:00 myhost app[1]: msg",
                   {"@timestamp=2024-01-15T10:30:00.123456+00:00", "log.syslog.hostname=myhost",
                    "log.syslog.appname=app", "log.syslog.procid=1", "log.message=msg"}},
        SyslogCase{"RsyslogIsoSystemd",
                   "2024-03-04T09:15:27.651234+01:00 debian12 systemd-logind[612]: New session "
                   "3 of user alice.",
                   {"@timestamp=2024-03-04T09:15:27.651234+01:00", "log.syslog.hostname=debian12",
                    "log.syslog.appname=systemd-logind", "log.syslog.procid=612",
                    "log.message=New session 3 of user alice."}},
        SyslogCase{"RsyslogIsoKernel",
                   "2024-03-04T09:15:27.651234+01:00 debian12 kernel: [    0.000000] Linux "
                   "version 6.1.0-18-amd64",
                   {"@timestamp=2024-03-04T09:15:27.651234+01:00", "log.syslog.hostname=debian12",
                    "log.syslog.appname=kernel",
                    "log.message=[    0.000000] Linux version 6.1.0-18-amd64"}}),
    caseName<SyslogCase>);

TEST(SyslogParser, PriorityNamesEveryFacilityAndSeverity) {
  constexpr std::string_view kFacilities[] = {
      "kern",   "user",   "mail",     "daemon", "auth",   "syslog",   "lpr",     "news",
      "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "security", "console", "solaris-cron",
      "local0", "local1", "local2",   "local3", "local4", "local5",   "local6",  "local7"};
  constexpr std::string_view kSeverities[] = {"emerg",   "alert",  "crit", "err",
                                              "warning", "notice", "info", "debug"};
  for (int pri = 0; pri <= 191; ++pri) {
    std::string line = "<" + std::to_string(pri) + ">Oct 11 22:14:15 h m";
    ParsedLine out;
    ASSERT_TRUE(SyslogParser().parse(line, out)) << line;
    std::vector<std::string> fields = render(out);
    ASSERT_GE(fields.size(), 5u);
    EXPECT_EQ(fields[0], "log.syslog.priority=#" + std::to_string(pri));
    EXPECT_EQ(fields[1], "log.syslog.facility.code=#" + std::to_string(pri / 8));
    EXPECT_EQ(fields[2], "log.syslog.facility.name=" + std::string(kFacilities[pri / 8]));
    EXPECT_EQ(fields[3], "log.syslog.severity.code=#" + std::to_string(pri % 8));
    EXPECT_EQ(fields[4], "log.level=" + std::string(kSeverities[pri % 8]));
  }
}

class SyslogRejectTest : public testing::TestWithParam<std::string_view> {};

TEST_P(SyslogRejectTest, LeavesFieldsAsTheyWere) { expectRefused(SyslogParser(), GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Malformed, SyslogRejectTest,
    testing::Values("", "<", "<>", "<34", "<34>", "<a>Oct 11 22:14:15 h m",
                    "<1234>Oct 11 22:14:15 h m", "<192>Oct 11 22:14:15 mymachine su: x",
                    "<999>1 - - - - - -", "<34 Oct 11 22:14:15 mymachine su: x",
                    "<34>Oct 11 22:14:15", "<34>Oct 11 22:14:15 ", "<34>Oct 32 22:14:15 h m",
                    "<34>Oct 11 24:14:15 h m", "<34>Oct 11 22:60:15 h m", "<34>Oct 11 22:14 h m",
                    "<34>Oct 11 22:14:15x h m", "<34>2024-01-15 10:30:00 host app: x",
                    "<34>2024-13-15T10:30:00Z host app: x", "<34>2024-01-15T10:30:00+0 host app: x",
                    "<34>0 - - - - - -", "<34>1 2003-10-11T22:14:15.003Z host app - ID47",
                    "<34>1 2003-10-11T22:14:15.003Z host app - ID47 ",
                    "<34>1 2003-10-11 host app - ID47 - msg", "<34>1 - host app - ID47 -x",
                    "<34>1 - host  app - ID47 - msg", "<34>1 - host app - ID47 [id k=\"v] x",
                    "<34>1 - host app - ID47 [id k=v] x", "<34>1 - host app - ID47 [ k=\"v\"] x",
                    "<34>1 - host app - ID47 [id k=\"v\" x",
                    "<34>1 - host app - ID47 [id k=\"v\"]x",
                    "<34>1 - host app - ID47 [id  k=\"v\"] x", "<34>1 - ho\x01st app - ID47 - x"),
    lineIndexName);

INSTANTIATE_TEST_SUITE_P(
    OtherShapes, SyslogRejectTest,
    testing::Values(
        R"x({"level":"info","msg":"hello","ts":"2024-01-15T10:30:00Z"})x",
        R"x(level=info msg="hello world" ts=2024-01-15T10:30:00Z)x",
        R"x(ts=2024-01-15T10:30:00Z level=info msg=started)x",
        "2024-01-15T10:30:00Z INFO main: started", "2024-01-15T10:30:00.123Z WARN something",
        "2024-01-15T10:30:00Z myhost just some text", "2024-01-15T10:30:00Z [main] app: x",
        "2024-01-15 10:30:00,123 INFO [main] app: started",
        "2024/01/15 10:30:00 [error] 1234#0: *1 open() failed",
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326",
        "Mon Jan 15 10:30:00 2024 something happened", "oct 11 22:14:15 host su: x",
        "Foo 11 22:14:15 host su: x", "Oct 11 22:14:15  host su: x", "Oct 11 22:14:15 ho\x7fst x",
        "Traceback (most recent call last):", "    at com.example.Main.run(Main.java:42)",
        std::string_view("\0\x01\xff\xfe", 4), "\x16\x03\x01\x00\xf1\x01\x00\x00\xed\x03\x03"),
    lineIndexName);

bool hasKey(const ParsedLine& out, std::string_view key) {
  for (const ParsedField& field : out.fields) {
    if (field.key == key) return true;
  }
  return false;
}

class SyslogTruncationTest : public testing::TestWithParam<TruncationCase> {};

// Shorter prefixes are refused, except that a PRI followed by text that has
// not yet become a timestamp is the bare-message form; never is a truncated
// header taken for a timestamp, host or version.
TEST_P(SyslogTruncationTest, EveryPrefix) {
  const TruncationCase& c = GetParam();
  ASSERT_TRUE(c.line.starts_with(c.valid_from));
  forEachPrefix(
      SyslogParser(), c.line, [&](std::string_view prefix, bool parsed, const ParsedLine& out) {
        if (prefix.size() >= c.valid_from.size()) {
          EXPECT_TRUE(parsed) << prefix;
        } else if (parsed) {
          EXPECT_EQ(c.line[0], '<') << prefix;
          for (std::string_view key : {"@timestamp", "log.syslog.hostname", "log.syslog.version"}) {
            EXPECT_FALSE(hasKey(out, key)) << key << " in " << prefix;
          }
        }
      });
}

INSTANTIATE_TEST_SUITE_P(
    Samples, SyslogTruncationTest,
    testing::Values(
        TruncationCase{"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                       "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] "
                       "\xEF\xBB\xBF"
                       "An application event log entry...",
                       "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                       "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"]"},
        TruncationCase{"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su "
                       "root' failed",
                       "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 -"},
        TruncationCase{"<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
                       "<34>Oct 11 22:14:15 m"},
        TruncationCase{"<134>2024-01-15T10:30:00.123+01:00 fw01 filterlog[4242]: 5,,,igb0",
                       "<134>2024-01-15T10:30:00.123+01:00 f"},
        TruncationCase{"Nov 25 06:31:20 myhost sshd[1234]: Accepted publickey for bob",
                       "Nov 25 06:31:20 m"},
        TruncationCase{"Dec  1 06:55:46 host kernel: [12345.678] message", "Dec  1 06:55:46 h"},
        TruncationCase{"2024-01-15T10:30:00.123456+00:00 myhost app[1]: msg",
                       "2024-01-15T10:30:00.123456+00:00 myhost app[1]:"}));

TEST(SyslogParser, BorrowsFromTheLineWhenNothingIsUnescaped) {
  std::string_view line = "Nov 25 06:31:20 myhost sshd[1234]: Accepted publickey for bob";
  ParsedLine out;
  ASSERT_TRUE(SyslogParser().parse(line, out));
  for (const ParsedField& field : out.fields) {
    EXPECT_TRUE(borrowedFrom(line, field.value)) << field.key;
  }
}

TEST(SyslogParser, ReusedParsedLineGivesTheSameFields) {
  const std::string_view lines[] = {
      "<165>1 2003-10-11T22:14:15.003Z h evntslog - ID47 [a@1 k=\"x\\\"y\"] m",
      "Nov 25 06:31:20 myhost sshd[1234]: Accepted publickey for bob",
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
  };
  expectReuseMatchesFresh(SyslogParser(), lines);
}

TEST(SyslogParser, RandomBytesNeverCrash) {
  std::mt19937 random(20240115);
  SyslogParser parser;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = randomBytes(random, 120);
    // Half the inputs open like syslog so that the deeper states are reached.
    if (i % 2 == 0) bytes.insert(0, i % 4 == 0 ? "<13>" : "<13>1 ");
    tryParse(parser, bytes);
  }
}

TEST(SyslogParser, MutatedSamplesNeverCrash) {
  const std::string_view samples[] = {
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
      "iut=\"3\" eventSource=\"App\\\"lication\"][p@1 class=\"high\"] \xEF\xBB\xBFmsg",
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      "Dec  1 06:55:46 host kernel: [12345.678] message",
      "2024-01-15T10:30:00.123456+00:00 myhost app[1]: msg",
  };
  const char kInteresting[] = {'<', '>', ' ', '[', ']', '"', '\\', ':', '-', '=', '0', 'T', '\0'};
  std::mt19937 random(7);
  SyslogParser parser;
  for (std::string_view sample : samples) {
    for (int i = 0; i < 5000; ++i) tryParse(parser, mutate(random, sample, kInteresting));
  }
}

}  // namespace
}  // namespace sluice::parser_test
