#pragma once

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// A disk buffer is a directory:
//   lock                      flock()ed by the one agent that owns the buffer
//   ack                       the acknowledgement cursor (ack_cursor.h)
//   <20 digits>.seg           segments, named by their first record number
//   quarantine/               damaged segments copied aside for forensics
//
// A segment is a header followed by records back to back:
//   header  "SLBUF", u8 version, u16 zero, u64 first record number,
//           u32 crc32c of the 16 bytes before it                  (20 bytes)
//   record  u32 marker "SLRC", u32 stored length, u32 raw length,
//           u32 event count, u64 record number, u8 flags,
//           u32 crc32c of the 25 bytes before it and the stored payload
//                                                                 (29 bytes)
//           then the stored payload (zstd-compressed when flags bit 0 is set)
// All integers are little-endian. The record's checksum covers its header,
// so a flipped length cannot send the reader off to parse garbage as records.
inline constexpr size_t kSegmentHeaderSize = 20;
inline constexpr size_t kRecordHeaderSize = 29;
inline constexpr uint8_t kSegmentFormatVersion = 1;
inline constexpr uint8_t kRecordCompressed = 1;
// Batches are a few MiB at most; the cap bounds what a forged length can
// make a reader allocate.
inline constexpr uint32_t kMaxRecordRawSize = 256u << 20;

struct RecordHeader {
  uint32_t stored_length = 0;
  uint32_t raw_length = 0;
  uint32_t events = 0;
  uint64_t number = 0;
  uint8_t flags = 0;
  uint32_t crc = 0;

  bool compressed() const { return (flags & kRecordCompressed) != 0; }
  uint64_t framedSize() const { return kRecordHeaderSize + uint64_t{stored_length}; }
};

std::string encodeSegmentHeader(uint64_t first_record);
// False, with the reason, when `bytes` (kSegmentHeaderSize of them) are not a
// valid segment header.
bool parseSegmentHeader(std::string_view bytes, uint64_t& first_record, std::string& reason);

// Checks the fixed fields of a record header (marker, flags, lengths); the
// checksum needs the payload too: recordCrcMatches.
bool parseRecordHeader(std::string_view bytes, RecordHeader& header, std::string& reason);
bool recordCrcMatches(std::string_view header_bytes, std::string_view stored);

std::string segmentFileName(uint64_t first_record);
std::optional<uint64_t> parseSegmentFileName(std::string_view name);

struct SegmentName {
  uint64_t first_record = 0;
  std::string name;
};
// The segment files of `dir`, oldest first; other files are ignored.
bool listSegments(const std::string& dir, std::vector<SegmentName>& segments, std::string& error);

// Frames payloads into records, compressing each with zstd. One per writer:
// the compression context is reused, so framing allocates nothing once warm.
class RecordEncoder {
 public:
  // `level`: a zstd level; 0 stores every record uncompressed.
  explicit RecordEncoder(int level);

  // Replaces `out` with the framed record. A payload that zstd cannot make
  // smaller is stored raw. False when the payload is over kMaxRecordRawSize.
  bool encode(uint64_t number, uint32_t events, std::string_view payload, std::string& out,
              std::string& error);
  // The same without copying a raw payload: the record is `head` followed by
  // `raw_body` (a view of the payload when it is stored raw, else empty: a
  // compressed body is in `head`). `compress`: false stores it raw.
  bool encode(uint64_t number, uint32_t events, std::string_view payload, bool compress,
              std::string& head, std::string_view& raw_body, std::string& error);

 private:
  struct FreeContext {
    void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
  };
  std::unique_ptr<ZSTD_CCtx, FreeContext> context_;
  int level_;
  std::vector<char> compressed_;
};

// Turns a record's stored bytes back into its payload.
class RecordDecoder {
 public:
  RecordDecoder();

  // False, with the reason, when the stored bytes do not decompress to
  // exactly the raw length the header promised.
  bool decode(const RecordHeader& header, std::string_view stored, std::string& payload,
              std::string& reason);

 private:
  struct FreeContext {
    void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
  };
  std::unique_ptr<ZSTD_DCtx, FreeContext> context_;
};

}  // namespace sluice
