#include "outputs/elasticsearch/gzip_encoder.h"

namespace sluice {

GzipEncoder::GzipEncoder(int level) {
  // 15 + 16: the largest window, with a gzip header and trailer.
  ready_ = deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipEncoder::~GzipEncoder() {
  if (ready_) deflateEnd(&stream_);
}

bool GzipEncoder::compress(std::string_view in, std::string& out) {
  if (!ready_ || deflateReset(&stream_) != Z_OK) return false;
  out.resize(deflateBound(&stream_, static_cast<uLong>(in.size())) + 32);
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  stream_.avail_in = static_cast<uInt>(in.size());
  stream_.next_out = reinterpret_cast<Bytef*>(out.data());
  stream_.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) return false;
  out.resize(out.size() - stream_.avail_out);
  return true;
}

}  // namespace sluice
