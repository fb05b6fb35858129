#include "outputs/elasticsearch/gzip_encoder.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace sluice {
namespace {

// What a server does with Content-Encoding: gzip.
std::string gunzip(const std::string& data) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  std::string out;
  int rc = Z_OK;
  char chunk[64 * 1024];
  while (rc == Z_OK) {
    s.next_out = reinterpret_cast<Bytef*>(chunk);
    s.avail_out = sizeof chunk;
    rc = inflate(&s, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - s.avail_out);
  }
  inflateEnd(&s);
  return rc == Z_STREAM_END ? out : "<inflate failed>";
}

TEST(GzipEncoder, RoundTripsBulkBodiesAndShrinksThem) {
  std::string body;
  for (int i = 0; i < 2000; ++i) {
    body += R"({"create":{"_index":"logs-api-2026.11.25","_id":"abc)" + std::to_string(i) +
            R"("}})"
            "\n";
    body +=
        R"({"@timestamp":"2026-11-25T10:30:00.000Z","log":{"level":"INFO","message":"request )" +
        std::to_string(i) +
        R"( served"}})"
        "\n";
  }
  GzipEncoder gzip(1);
  std::string out;
  ASSERT_TRUE(gzip.compress(body, out));
  EXPECT_EQ(out.substr(0, 2), "\x1f\x8b");  // a gzip member
  EXPECT_LT(out.size(), body.size() / 5);
  EXPECT_TRUE(gunzip(out) == body) << "the round trip changed the body";
  // The stream is reused: a second body comes out whole too.
  ASSERT_TRUE(gzip.compress("{}\n", out));
  EXPECT_EQ(gunzip(out), "{}\n");
}

TEST(GzipEncoder, IncompressibleAndEmptyInput) {
  std::mt19937 random(7);
  std::string noise(100'000, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  GzipEncoder gzip(9);
  std::string out;
  ASSERT_TRUE(gzip.compress(noise, out));
  EXPECT_EQ(gunzip(out), noise);
  ASSERT_TRUE(gzip.compress("", out));
  EXPECT_EQ(gunzip(out), "");
}

}  // namespace
}  // namespace sluice
