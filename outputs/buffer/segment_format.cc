#include "outputs/buffer/segment_format.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "outputs/buffer/crc32c.h"
#include "outputs/buffer/little_endian.h"

namespace sluice {
namespace {

constexpr std::string_view kSegmentMagic = "SLBUF";
constexpr std::string_view kRecordMarker = "SLRC";
constexpr size_t kRecordCrcOffset = kRecordHeaderSize - 4;
constexpr size_t kSegmentCrcOffset = kSegmentHeaderSize - 4;
constexpr std::string_view kSegmentSuffix = ".seg";
constexpr size_t kSegmentDigits = 20;  // every uint64_t, zero-padded so names sort

}  // namespace

std::string encodeSegmentHeader(uint64_t first_record) {
  std::string header(kSegmentMagic);
  header += static_cast<char>(kSegmentFormatVersion);
  header.append(2, '\0');
  appendU64(header, first_record);
  appendU32(header, crc32c(header));
  return header;
}

bool parseSegmentHeader(std::string_view bytes, uint64_t& first_record, std::string& reason) {
  if (bytes.size() < kSegmentHeaderSize) {
    reason = "truncated segment header";
    return false;
  }
  if (bytes.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
    reason = "not a segment (bad magic)";
    return false;
  }
  if (loadU32(bytes.data() + kSegmentCrcOffset) != crc32c(bytes.substr(0, kSegmentCrcOffset))) {
    reason = "segment header checksum mismatch";
    return false;
  }
  if (static_cast<uint8_t>(bytes[kSegmentMagic.size()]) != kSegmentFormatVersion) {
    reason = "unknown segment format version " +
             std::to_string(static_cast<uint8_t>(bytes[kSegmentMagic.size()]));
    return false;
  }
  first_record = loadU64(bytes.data() + 8);
  return true;
}

bool parseRecordHeader(std::string_view bytes, RecordHeader& h, std::string& reason) {
  if (bytes.size() < kRecordHeaderSize) {
    reason = "truncated record header";
    return false;
  }
  if (bytes.substr(0, kRecordMarker.size()) != kRecordMarker) {
    reason = "bad record marker";
    return false;
  }
  const char* p = bytes.data();
  h.stored_length = loadU32(p + 4);
  h.raw_length = loadU32(p + 8);
  h.events = loadU32(p + 12);
  h.number = loadU64(p + 16);
  h.flags = static_cast<uint8_t>(p[24]);
  h.crc = loadU32(p + kRecordCrcOffset);
  if ((h.flags & ~kRecordCompressed) != 0) {
    reason = "unknown record flags";
    return false;
  }
  if (h.raw_length > kMaxRecordRawSize) {
    reason = "record length over the limit";
    return false;
  }
  // The writer compresses only when that saves space, so these hold for
  // every record it wrote.
  if (h.compressed() ? h.stored_length >= h.raw_length : h.stored_length != h.raw_length) {
    reason = "inconsistent record lengths";
    return false;
  }
  return true;
}

bool recordCrcMatches(std::string_view header_bytes, std::string_view stored) {
  const uint32_t expected = loadU32(header_bytes.data() + kRecordCrcOffset);
  return crc32c(stored, crc32c(header_bytes.substr(0, kRecordCrcOffset))) == expected;
}

std::string segmentFileName(uint64_t first_record) {
  std::string digits = std::to_string(first_record);
  return std::string(kSegmentDigits - digits.size(), '0') + digits + std::string(kSegmentSuffix);
}

std::optional<uint64_t> parseSegmentFileName(std::string_view name) {
  if (name.size() != kSegmentDigits + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : name.substr(0, kSegmentDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

bool listSegments(const std::string& dir, std::vector<SegmentName>& segments, std::string& error) {
  segments.clear();
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) {
    error = "cannot list " + dir + ": " + std::strerror(errno);
    return false;
  }
  std::unique_ptr<DIR, int (*)(DIR*)> closer(handle, ::closedir);
  errno = 0;
  while (const dirent* entry = ::readdir(handle)) {
    if (std::optional<uint64_t> first = parseSegmentFileName(entry->d_name)) {
      segments.push_back({*first, entry->d_name});
    }
  }
  if (errno != 0) {
    error = "cannot list " + dir + ": " + std::strerror(errno);
    return false;
  }
  std::sort(segments.begin(), segments.end(), [](const SegmentName& a, const SegmentName& b) {
    return a.first_record < b.first_record;
  });
  return true;
}

RecordEncoder::RecordEncoder(int level) : context_(ZSTD_createCCtx()), level_(level) {}

bool RecordEncoder::encode(uint64_t number, uint32_t events, std::string_view payload,
                           bool compress, std::string& head, std::string_view& raw_body,
                           std::string& error) {
  if (payload.size() > kMaxRecordRawSize) {
    error = "record of " + std::to_string(payload.size()) +
            " bytes is over the buffer's limit of " + std::to_string(kMaxRecordRawSize);
    return false;
  }
  std::string_view body = payload;
  uint8_t flags = 0;
  // Level 0 means no compression (buffer.compression: none). Without a
  // context (out of memory) the record is stored raw too: bigger, never lost.
  if (compress && context_ && level_ != 0 && !payload.empty()) {
    // Grown, never shrunk: resizing a buffer zero-fills what it adds.
    const size_t bound = ZSTD_compressBound(payload.size());
    if (compressed_.size() < bound) compressed_.resize(bound);
    const size_t n = ZSTD_compressCCtx(context_.get(), compressed_.data(), compressed_.size(),
                                       payload.data(), payload.size(), level_);
    if (!ZSTD_isError(n) && n < payload.size()) {
      body = std::string_view(compressed_.data(), n);
      flags = kRecordCompressed;
    }
  }
  head.assign(kRecordMarker);
  appendU32(head, static_cast<uint32_t>(body.size()));
  appendU32(head, static_cast<uint32_t>(payload.size()));
  appendU32(head, events);
  appendU64(head, number);
  head += static_cast<char>(flags);
  appendU32(head, crc32c(body, crc32c(head)));
  // A compressed body is small: it joins the header. A raw one is written
  // from where it is, not copied.
  if (flags != 0) {
    head.append(body);
    raw_body = {};
  } else {
    raw_body = body;
  }
  return true;
}

bool RecordEncoder::encode(uint64_t number, uint32_t events, std::string_view payload,
                           std::string& out, std::string& error) {
  std::string_view raw_body;
  if (!encode(number, events, payload, true, out, raw_body, error)) return false;
  out.append(raw_body);
  return true;
}

RecordDecoder::RecordDecoder() : context_(ZSTD_createDCtx()) {}

bool RecordDecoder::decode(const RecordHeader& header, std::string_view stored,
                           std::string& payload, std::string& reason) {
  if (!header.compressed()) {
    payload.assign(stored);
    return true;
  }
  if (!context_) {
    reason = "zstd: cannot allocate a decompression context";
    return false;
  }
  payload.resize(header.raw_length);
  const size_t n = ZSTD_decompressDCtx(context_.get(), payload.data(), payload.size(),
                                       stored.data(), stored.size());
  if (ZSTD_isError(n)) {
    reason = std::string("zstd: ") + ZSTD_getErrorName(n);
    return false;
  }
  if (n != header.raw_length) {
    reason = "decompressed to " + std::to_string(n) + " bytes, header says " +
             std::to_string(header.raw_length);
    return false;
  }
  return true;
}

}  // namespace sluice
