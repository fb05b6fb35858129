#pragma once

#include <string_view>

#include "pipeline/parsers/parsed_line.h"

namespace sluice {

// Application log lines that start with a timestamp, a level word, or both.
// Keys are emitted in line order; log.message only when there is text left.
//
//   log4j / logback:  `2016-09-28 04:30:30,123 ERROR [main] com.example.Foo - text`
//                     `2024-01-15 10:30:00.123 [main] INFO  com.example.Foo - text`
//       @timestamp, log.level, process.thread.name, log.logger, log.message
//       ([thread] and logger only when `logger - ` follows, or the thread
//       comes before the level; otherwise they stay in the message)
//   Spring Boot:      `2024-01-15 10:30:00.123  INFO 1234 --- [  main] c.e.App  : text`
//       @timestamp, log.level, process.pid, [service.name,] process.thread.name,
//       log.logger, log.message (Spring Boot 3.2+ puts `[app]` before the
//       thread, which is told apart by its padding)
//   plain:            `2024-01-15T10:30:00.123Z INFO text`, `[ts] ERROR: text`,
//                     `[ts] [warn] text`
//       @timestamp, log.level, log.message
//   nginx error log:  `2024/01/15 10:30:00 [error] 1234#0: *1 text`
//       @timestamp, log.level, process.pid, process.thread.id,
//       nginx.error.connection_id, log.message (Filebeat's names)
//   Go log package:   `2009/11/10 23:00:00 text`, `2009/11/10 23:00:00 main.go:23: text`
//       @timestamp, [log.origin.file.name, log.origin.file.line,] log.message
//   Python logging:   `INFO:root:text` -> log.level, log.logger, log.message
//                     `ts - name - LEVEL - text` -> @timestamp, log.logger,
//                     log.level, log.message (the name is optional)
//   Airflow:          `[ts] {file.py:12} INFO - text` -> @timestamp,
//                     log.origin.file.name, log.origin.file.line, log.level, log.message
//   loguru:           `ts | INFO     | mod:func:42 - text` -> @timestamp, log.level,
//                     log.logger, log.origin.function, log.origin.file.line, log.message
//   Monolog:          `[ts] channel.ERROR: text` -> @timestamp, log.logger,
//                     log.level, log.message
//   Serilog console:  `[10:30:00 INF] text` -> @timestamp, log.level, log.message
//   klog / glog:      `I1125 10:30:00.123456    1 main.go:42] text`
//       log.level ("I"), @timestamp ("1125 10:30:00.123456"), @timestamp_format
//       ("klog": no year, the caller needs klog's rules), process.thread.id,
//       log.origin.file.name, log.origin.file.line, log.message
//   Ruby Logger:      `I, [2024-01-15T10:30:00.123456 #1234]  INFO -- prog: text`
//       @timestamp, process.pid, log.level, log.logger (when not empty), log.message
//   level only:       `ERROR text`, `[WARN] text`, `WARN: text`
//       log.level, log.message
//
// @timestamp is the text as written; the caller parses it. Leading
// timestamps are `YYYY-MM-DD[T ]hh:mm:ss[.,frac][Z|±hh[:mm]|±hhmm]`,
// `YYYY/MM/DD hh:mm:ss[.frac]`, `Mon dd hh:mm:ss` and `hh:mm:ss[.,frac]`,
// optionally in brackets. A dated timestamp is enough on its own (Go's log
// package); the other two also need a level word, so that syslog lines are
// left to the syslog parser.
//
// Level words: TRACE DEBUG INFO NOTICE WARN WARNING ERROR ERR CRITICAL CRIT
// FATAL SEVERE PANIC EMERG EMERGENCY ALERT FINE FINER FINEST VERBOSE and the
// three-letter INF WRN DBG TRC FTL PNC, emitted as written. They may be
// upper, lower or title case ("Warning"); a line that starts with a bare
// word and no timestamp needs it in upper case, in brackets or before a
// colon, so that prose such as "Error handling is hard" is not a log line.
// Numbers (pid, thread id, line) are marked as numbers when they are valid
// JSON numbers.
class LeveledTextParser final : public LineParser {
 public:
  bool parse(std::string_view line, ParsedLine& out) const override;
};

}  // namespace sluice
