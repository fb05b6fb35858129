#include "outputs/buffer/batch_codec.h"

#include <memory>

#include "outputs/buffer/little_endian.h"

namespace sluice {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kEventBytes = 4 + 4 + 8 + 8 + 8;
constexpr size_t kSpanBytes = 4 + 4;

void appendText(std::string& out, std::string_view text) {
  appendU32(out, static_cast<uint32_t>(text.size()));
  out += text;
}

bool fail(std::string& error, std::string message) {
  error = "batch payload: " + std::move(message);
  return false;
}

bool decodeEvents(ByteReader& in, uint32_t count, Batch& batch, std::string& error) {
  // Checked before reserving: a forged count cannot make us allocate more
  // than the payload holds.
  if (count > in.remaining() / kEventBytes) return fail(error, "event count exceeds payload");
  batch.events.resize(count);
  for (EventRecord& e : batch.events) {
    e.doc_offset = in.u32();
    e.doc_length = in.u32();
    e.timestamp = static_cast<TimestampNs>(in.u64());
    e.id.high = in.u64();
    e.id.low = in.u64();
    if (uint64_t{e.doc_offset} + e.doc_length > batch.documents.size()) {
      return fail(error, "event document outside the documents");
    }
  }
  return in.ok() || fail(error, "truncated events");
}

bool decodeRoutes(ByteReader& in, Batch& batch, std::string& error) {
  const uint32_t text_length = in.u32();
  batch.route_text = in.bytes(text_length);
  const uint32_t count = in.u32();
  if (!in.ok()) return fail(error, "truncated route text");
  if (uint64_t{count} != uint64_t{batch.routeFieldCount()} * batch.events.size()) {
    return fail(error, "route count does not match events times route fields");
  }
  if (count > in.remaining() / kSpanBytes) return fail(error, "route count exceeds payload");
  batch.routes.resize(count);
  for (TextSpan& span : batch.routes) {
    span.offset = in.u32();
    span.length = in.u32();
    if (span.length != TextSpan::kMissing &&
        uint64_t{span.offset} + span.length > batch.route_text.size()) {
      return fail(error, "route outside the route text");
    }
  }
  return in.ok() || fail(error, "truncated routes");
}

}  // namespace

void encodeBatch(const Batch& batch, std::string& out) {
  out.reserve(out.size() + 32 + batch.documents.size() + batch.events.size() * kEventBytes +
              batch.route_text.size() + batch.routes.size() * kSpanBytes);
  out += static_cast<char>(kVersion);
  appendU32(out, batch.routeFieldCount());
  // Batch offsets are 32-bit, so every length here fits 32 bits.
  appendText(out, batch.documents);
  appendU32(out, static_cast<uint32_t>(batch.events.size()));
  for (const EventRecord& e : batch.events) {
    appendU32(out, e.doc_offset);
    appendU32(out, e.doc_length);
    appendU64(out, static_cast<uint64_t>(e.timestamp));
    appendU64(out, e.id.high);
    appendU64(out, e.id.low);
  }
  appendText(out, batch.route_text);
  appendU32(out, static_cast<uint32_t>(batch.routes.size()));
  for (const TextSpan& span : batch.routes) {
    appendU32(out, span.offset);
    appendU32(out, span.length);
  }
}

BatchPtr decodeBatch(std::string_view payload, std::string& error) {
  ByteReader in(payload);
  const uint8_t version = in.u8();
  if (in.ok() && version != kVersion) {
    fail(error, "unknown version " + std::to_string(version));
    return nullptr;
  }
  const uint32_t route_field_count = in.u32();
  const uint32_t documents_length = in.u32();
  std::string_view documents = in.bytes(documents_length);
  const uint32_t event_count = in.u32();
  if (!in.ok()) {
    fail(error, "truncated header or documents");
    return nullptr;
  }
  auto batch = std::make_shared<Batch>(route_field_count);
  batch->documents = documents;
  if (!decodeEvents(in, event_count, *batch, error) || !decodeRoutes(in, *batch, error)) {
    return nullptr;
  }
  if (in.remaining() != 0) {
    fail(error, "trailing bytes");
    return nullptr;
  }
  return batch;
}

}  // namespace sluice
