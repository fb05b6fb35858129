#pragma once

#include <string_view>

#include "pipeline/parsers/parsed_line.h"

namespace sluice {

// Syslog lines as they arrive from the network and as syslog daemons write
// them to /var/log/syslog, /var/log/messages and auth.log:
//
//   RFC 5424  <165>1 2003-10-11T22:14:15.003Z host app 1234 ID47 [id k="v"] msg
//   RFC 3164  <34>Oct 11 22:14:15 host su: msg
//   files     Nov 25 06:31:20 host sshd[1234]: msg
//   rsyslog   2024-01-15T10:30:00.123456+00:00 host app[1]: msg
//
// RFC 5424 is told apart by the version number after the PRI. A PRI followed
// by no timestamp at all is accepted as a bare message, as devices send it
// when their clock stamping is off (`<166>%ASA-6-302013: Built ...`).
//
// "@timestamp" is the timestamp as written: the BSD form has no year and no
// zone, which only the caller can supply.
class SyslogParser final : public LineParser {
 public:
  bool parse(std::string_view line, ParsedLine& out) const override;
};

}  // namespace sluice
