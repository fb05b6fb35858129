#pragma once

#include <string_view>

#include "pipeline/parsers/parsed_line.h"

namespace sluice {

// Apache and nginx access logs in the "common" and "combined" formats:
//
//   127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.0" 200 2326
//   ... "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"
//
// and Apache's "vhost_combined", which puts "host:port" first. Fields that
// follow the combined ones (nginx's $request_time, $http_x_forwarded_for,
// ...) are skipped. A request line that is not "METHOD target HTTP/x.y" (TLS
// handshakes sent to a plain port, scanners) is kept whole as url.original.
class AccessLogParser final : public LineParser {
 public:
  bool parse(std::string_view line, ParsedLine& out) const override;
};

}  // namespace sluice
