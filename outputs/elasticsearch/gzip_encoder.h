#pragma once

#include <zlib.h>

#include <string>
#include <string_view>

namespace sluice {

// gzip for request bodies (`compression: gzip`): one deflate stream per
// worker, reset between requests, so compressing allocates nothing once warm.
class GzipEncoder {
 public:
  explicit GzipEncoder(int level);
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  // Replaces `out` with the gzip member of `in`; false when zlib fails.
  bool compress(std::string_view in, std::string& out);

 private:
  z_stream stream_{};
  bool ready_ = false;
};

}  // namespace sluice
