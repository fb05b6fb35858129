#include "pipeline/log_level.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(LevelFromWord, NormalizesWordsAndAbbreviations) {
  struct Case {
    const char* word;
    const char* level;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"info", "INFO"},   {"INFO", "INFO"},      {"Information", "INFO"}, {"notice", "INFO"},
           {"I", "INFO"},      {"warning", "WARN"},   {"WRN", "WARN"},         {"W", "WARN"},
           {"err", "ERROR"},   {"Error", "ERROR"},    {"severe", "ERROR"},     {"E", "ERROR"},
           {"crit", "FATAL"},  {"critical", "FATAL"}, {"emerg", "FATAL"},      {"Fatal", "FATAL"},
           {"panic", "FATAL"}, {"F", "FATAL"},        {"debug", "DEBUG"},      {"fine", "DEBUG"},
           {"DBG", "DEBUG"},   {"trace", "TRACE"},    {"Verbose", "TRACE"},    {"finest", "TRACE"},
       }) {
    EXPECT_EQ(levelFromWord(c.word), c.level) << c.word;
  }
  for (const char* unknown : {"", "hello", "information-ish", "x", "warnings"}) {
    EXPECT_EQ(levelFromWord(unknown), "") << unknown;
  }
}

TEST(LevelFromNumber, ReadsSyslogSeveritiesAndPinoLevels) {
  EXPECT_EQ(levelFromNumber(0), "FATAL");
  EXPECT_EQ(levelFromNumber(3), "ERROR");
  EXPECT_EQ(levelFromNumber(4), "WARN");
  EXPECT_EQ(levelFromNumber(6), "INFO");
  EXPECT_EQ(levelFromNumber(7), "DEBUG");
  EXPECT_EQ(levelFromNumber(10), "TRACE");
  EXPECT_EQ(levelFromNumber(20), "DEBUG");
  EXPECT_EQ(levelFromNumber(30), "INFO");
  EXPECT_EQ(levelFromNumber(40), "WARN");
  EXPECT_EQ(levelFromNumber(50), "ERROR");
  EXPECT_EQ(levelFromNumber(60), "FATAL");
  EXPECT_EQ(levelFromNumber(61), "");
  EXPECT_EQ(levelFromNumber(-1), "");
}

TEST(LevelFromOtelSeverity, MapsFourStepsPerLevel) {
  EXPECT_EQ(levelFromOtelSeverity(1), "TRACE");
  EXPECT_EQ(levelFromOtelSeverity(5), "DEBUG");
  EXPECT_EQ(levelFromOtelSeverity(9), "INFO");
  EXPECT_EQ(levelFromOtelSeverity(12), "INFO");
  EXPECT_EQ(levelFromOtelSeverity(13), "WARN");
  EXPECT_EQ(levelFromOtelSeverity(17), "ERROR");
  EXPECT_EQ(levelFromOtelSeverity(24), "FATAL");
  EXPECT_EQ(levelFromOtelSeverity(0), "");
  EXPECT_EQ(levelFromOtelSeverity(25), "");
}

}  // namespace
}  // namespace sluice
