#include "config/env_substitution.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace sluice {
namespace {

// Variables set for the whole suite; names are prefixed so they cannot
// collide with the environment the tests run in.
class EnvSubstitutionTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    setenv("SLUICE_T_HOST", "es.internal:9200", 1);
    setenv("SLUICE_T_PASSWORD", "p@ss:w0rd}{$", 1);
    setenv("SLUICE_T_EMPTY", "", 1);
    unsetenv("SLUICE_T_UNSET");
  }
  static void TearDownTestSuite() {
    unsetenv("SLUICE_T_HOST");
    unsetenv("SLUICE_T_PASSWORD");
    unsetenv("SLUICE_T_EMPTY");
  }
};

struct SubstCase {
  std::string_view text;
  std::string_view expected;
};
void PrintTo(const SubstCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class EnvSubstitutionValidTest : public EnvSubstitutionTest,
                                 public testing::WithParamInterface<SubstCase> {};

TEST_P(EnvSubstitutionValidTest, Expands) {
  std::string error;
  std::optional<std::string> out = substituteEnv(GetParam().text, error);
  ASSERT_TRUE(out) << error;
  EXPECT_EQ(*out, GetParam().expected);
  EXPECT_EQ(error, "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EnvSubstitutionValidTest,
    testing::Values(SubstCase{"", ""}, SubstCase{"no variables here", "no variables here"},
                    SubstCase{"${SLUICE_T_HOST}", "es.internal:9200"},
                    SubstCase{"http://${SLUICE_T_HOST}/", "http://es.internal:9200/"},
                    SubstCase{"${SLUICE_T_HOST}${SLUICE_T_HOST}",
                              "es.internal:9200es.internal:9200"},
                    // The value is inserted verbatim, never expanded again.
                    SubstCase{"${SLUICE_T_PASSWORD}", "p@ss:w0rd}{$"},
                    SubstCase{"${SLUICE_T_UNSET:-fallback}", "fallback"},
                    SubstCase{"${SLUICE_T_UNSET:-}", ""},
                    SubstCase{"${SLUICE_T_UNSET:-http://localhost:9200}", "http://localhost:9200"},
                    SubstCase{"${SLUICE_T_HOST:-fallback}", "es.internal:9200"},
                    // Empty counts as unset for a default, like the shell's ":-".
                    SubstCase{"${SLUICE_T_EMPTY:-fallback}", "fallback"},
                    SubstCase{"[${SLUICE_T_EMPTY}]", "[]"},
                    // "$${" is a literal "${".
                    SubstCase{"$${SLUICE_T_HOST}", "${SLUICE_T_HOST}"},
                    SubstCase{"a $${b} ${SLUICE_T_UNSET:-c}", "a ${b} c"},
                    // A lone dollar is just a dollar.
                    SubstCase{"cost: $5", "cost: $5"}, SubstCase{"$", "$"}, SubstCase{"$$", "$$"},
                    SubstCase{"{SLUICE_T_HOST}", "{SLUICE_T_HOST}"}));

TEST_F(EnvSubstitutionTest, UnsetVariableWithoutDefaultIsAnError) {
  std::string error;
  EXPECT_EQ(substituteEnv("password: ${SLUICE_T_UNSET}", error), std::nullopt);
  EXPECT_NE(error.find("SLUICE_T_UNSET"), std::string::npos) << error;
  EXPECT_NE(error.find("not set"), std::string::npos) << error;
}

TEST_F(EnvSubstitutionTest, UnclosedReferenceIsAnError) {
  for (std::string_view text : {"${SLUICE_T_HOST", "abc ${", "${SLUICE_T_UNSET:-x"}) {
    std::string error;
    EXPECT_EQ(substituteEnv(text, error), std::nullopt) << text;
    EXPECT_NE(error.find("unclosed"), std::string::npos) << error;
  }
}

TEST_F(EnvSubstitutionTest, EmptyNameIsAnError) {
  for (std::string_view text : {"${}", "${:-x}"}) {
    std::string error;
    EXPECT_EQ(substituteEnv(text, error), std::nullopt) << text;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace sluice
