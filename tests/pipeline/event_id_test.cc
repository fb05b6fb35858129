#include "pipeline/event_id.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

namespace sluice {
namespace {

bool urlSafe(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string idText(const EventId& id) {
  std::string out;
  id.appendTo(out);
  return out;
}

TEST(EventId, AppendToWritesTwentyTwoUrlSafeCharacters) {
  const SourceKey source = SourceKey::fromParts("dev=2049;ino=1234567;fp=abcdef");
  for (uint64_t offset : {uint64_t{0}, uint64_t{1}, uint64_t{4096}, UINT64_MAX}) {
    std::string out = "prefix/";
    EventId::forOffset(source, offset).appendTo(out);
    ASSERT_EQ(out.size(), 7u + 22u);
    EXPECT_EQ(out.substr(0, 7), "prefix/");
    for (char c : out.substr(7)) EXPECT_TRUE(urlSafe(c)) << out;
  }
}

struct KnownId {
  EventId id;
  std::string_view text;
};

TEST(EventId, EncodesAll128BitsLittleEndFirst) {
  const KnownId cases[] = {
      {{0, 0}, "AAAAAAAAAAAAAAAAAAAAAA"},
      {{0, 1}, "BAAAAAAAAAAAAAAAAAAAAA"},
      {{0, 63}, "_AAAAAAAAAAAAAAAAAAAAA"},
      {{0, 64}, "ABAAAAAAAAAAAAAAAAAAAA"},
      // Bit 64 (the lowest bit of `high`) is bit 4 of the 11th character.
      {{1, 0}, "AAAAAAAAAAQAAAAAAAAAAA"},
      // The top two bits end up in the last character.
      {{uint64_t{3} << 62, 0}, "AAAAAAAAAAAAAAAAAAAAAD"},
      {{UINT64_MAX, UINT64_MAX}, "_____________________D"},
  };
  for (const KnownId& c : cases) {
    EXPECT_EQ(idText(c.id), c.text) << c.id.high << ":" << c.id.low;
  }
}

TEST(EventId, DeterministicPerSourceAndOffset) {
  const SourceKey a = SourceKey::fromParts("file:/var/log/app.log#fingerprint-1");
  const SourceKey a_again = SourceKey::fromParts("file:/var/log/app.log#fingerprint-1");
  EXPECT_EQ(a, a_again);
  EXPECT_EQ(EventId::forOffset(a, 1234), EventId::forOffset(a_again, 1234));
  EXPECT_EQ(idText(EventId::forOffset(a, 1234)), idText(EventId::forOffset(a_again, 1234)));
}

TEST(EventId, DistinctForDistinctInputs) {
  std::set<std::string> seen;
  const char* sources[] = {"a", "b", "file:/var/log/app.log", "file:/var/log/app.log ", ""};
  for (const char* s : sources) {
    const SourceKey key = SourceKey::fromParts(s);
    for (uint64_t offset = 0; offset < 200; ++offset) {
      EXPECT_TRUE(seen.insert(idText(EventId::forOffset(key, offset))).second)
          << s << " @ " << offset;
    }
  }
  EXPECT_NE(SourceKey::fromParts("a"), SourceKey::fromParts("b"));
}

TEST(EventId, ParseReadsWhatAppendToWrote) {
  for (const KnownId& c :
       {KnownId{{0, 0}, "AAAAAAAAAAAAAAAAAAAAAA"}, KnownId{{1, 0}, "AAAAAAAAAAQAAAAAAAAAAA"},
        KnownId{{UINT64_MAX, UINT64_MAX}, "_____________________D"}}) {
    EventId parsed{7, 7};
    ASSERT_TRUE(EventId::parse(c.text, parsed)) << c.text;
    EXPECT_EQ(parsed, c.id) << c.text;
  }
  const SourceKey source = SourceKey::fromParts("kafka:logs:3");
  for (uint64_t offset = 0; offset < 500; ++offset) {
    const EventId id = EventId::forOffset(source, offset);
    EventId parsed;
    ASSERT_TRUE(EventId::parse(idText(id), parsed)) << idText(id);
    EXPECT_EQ(parsed, id);
  }
}

TEST(EventId, ParseRejectsWhatAppendToNeverWrites) {
  const std::string_view bad[] = {
      "",
      "AAAAAAAAAAAAAAAAAAAAA",    // 21 characters
      "AAAAAAAAAAAAAAAAAAAAAAA",  // 23
      "AAAAAAAAAAAAAAAAAAAAAE",   // the last character holds 2 bits: A-D only
      "AAAAAAAAAAAAAAAAAAAAA_",
      "AAAAAAAAAA+AAAAAAAAAAA",  // standard base64, not URL-safe
      "AAAAAAAAAA/AAAAAAAAAAA",
      "AAAAAAAAAAAAAAAAAAAA=A",
      "AAAAAAAAAA AAAAAAAAAAA",
      "550e8400-e29b-41d4-a716-446655440000",  // a UUID
  };
  for (std::string_view text : bad) {
    EventId parsed{7, 7};
    EXPECT_FALSE(EventId::parse(text, parsed)) << text;
    EXPECT_EQ(parsed, (EventId{7, 7})) << text;
  }
  std::string with_nul = "AAAAAAAAAAAAAAAAAAAAAA";
  with_nul[5] = '\0';
  EventId parsed;
  EXPECT_FALSE(EventId::parse(with_nul, parsed));
}

}  // namespace
}  // namespace sluice
