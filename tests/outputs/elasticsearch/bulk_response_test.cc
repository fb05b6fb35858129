#include "outputs/elasticsearch/bulk_response.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <ostream>
#include <string>

namespace sluice {
namespace {

// As the HTTP client hands it over: with SIMDJSON_PADDING spare capacity.
std::optional<BulkResponse> parse(const std::string& text, size_t expected, std::string& error) {
  std::string body;
  body.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  body.append(text);
  return parseBulkResponse(body, expected, error);
}

struct ClassifyCase {
  int status;
  ItemOutcome outcome;
};
void PrintTo(const ClassifyCase& c, std::ostream* os) { *os << c.status; }

class ClassifyItemTest : public testing::TestWithParam<ClassifyCase> {};

TEST_P(ClassifyItemTest, Classifies) {
  EXPECT_EQ(classifyItem(GetParam().status), GetParam().outcome);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, ClassifyItemTest,
    testing::Values(
        ClassifyCase{200, ItemOutcome::kDelivered}, ClassifyCase{201, ItemOutcome::kDelivered},
        ClassifyCase{299, ItemOutcome::kDelivered},
        ClassifyCase{409, ItemOutcome::kDelivered},  // already indexed with this _id
        ClassifyCase{429, ItemOutcome::kRetry}, ClassifyCase{500, ItemOutcome::kRetry},
        ClassifyCase{502, ItemOutcome::kRetry}, ClassifyCase{503, ItemOutcome::kRetry},
        ClassifyCase{504, ItemOutcome::kRetry}, ClassifyCase{400, ItemOutcome::kReject},
        ClassifyCase{401, ItemOutcome::kReject}, ClassifyCase{403, ItemOutcome::kReject},
        ClassifyCase{404, ItemOutcome::kReject}, ClassifyCase{413, ItemOutcome::kReject}));

TEST(BulkResponse, NoErrorsFastPath) {
  std::string error;
  auto r = parse(
      R"({"took":30,"errors":false,"items":[{"create":{"_index":"logs","_id":"a","status":201}},)"
      R"({"create":{"_index":"logs","_id":"b","status":201}}]})",
      2, error);
  ASSERT_TRUE(r) << error;
  EXPECT_FALSE(r->errors);
  EXPECT_TRUE(r->items.empty());
}

TEST(BulkResponse, MixedItemStatuses) {
  // As Elasticsearch 8 answers a _bulk of five `create` actions.
  const std::string body = R"json({
  "took": 486,
  "errors": true,
  "items": [
    {"create": {"_index": "logs-api-2024.01.15", "_id": "AAAA", "_version": 1, "result": "created",
                "_shards": {"total": 2, "successful": 1, "failed": 0}, "_seq_no": 0, "_primary_term": 1,
                "status": 201}},
    {"create": {"_index": "logs-api-2024.01.15", "_id": "BBBB", "status": 409,
                "error": {"type": "version_conflict_engine_exception",
                          "reason": "[BBBB]: version conflict, document already exists (current version [1])",
                          "index_uuid": "x", "shard": "0", "index": "logs-api-2024.01.15"}}},
    {"create": {"_index": "logs-api-2024.01.15", "_id": "CCCC", "status": 429,
                "error": {"type": "es_rejected_execution_exception",
                          "reason": "rejected execution of coordinating operation"}}},
    {"create": {"_index": "logs-api-2024.01.15", "_id": "DDDD", "status": 503,
                "error": {"type": "unavailable_shards_exception",
                          "reason": "[logs-api-2024.01.15][0] primary shard is not active"}}},
    {"create": {"_index": "logs-api-2024.01.15", "_id": "EEEE", "status": 400,
                "error": {"type": "mapper_parsing_exception",
                          "reason": "failed to parse field [http.status_code] of type [integer] in document with id 'EEEE'. Preview of field's value: 'abc'",
                          "caused_by": {"type": "number_format_exception", "reason": "For input string: \"abc\""}}}}
  ]
})json";
  std::string error;
  auto r = parse(body, 5, error);
  ASSERT_TRUE(r) << error;
  EXPECT_TRUE(r->errors);
  ASSERT_EQ(r->items.size(), 5u);
  EXPECT_EQ(r->items[0].status, 201);
  EXPECT_EQ(r->items[0].error_type, "");
  EXPECT_EQ(r->items[1].status, 409);
  EXPECT_EQ(r->items[1].error_type, "version_conflict_engine_exception");
  EXPECT_EQ(r->items[2].status, 429);
  EXPECT_EQ(r->items[2].error_type, "es_rejected_execution_exception");
  EXPECT_EQ(r->items[3].status, 503);
  EXPECT_EQ(r->items[4].status, 400);
  EXPECT_EQ(r->items[4].error_type, "mapper_parsing_exception");
  EXPECT_EQ(
      r->items[4].error_reason,
      "failed to parse field [http.status_code] of type [integer] in document with id 'EEEE'. "
      "Preview of field's value: 'abc'");
  EXPECT_EQ(classifyItem(r->items[1].status), ItemOutcome::kDelivered);
  EXPECT_EQ(classifyItem(r->items[2].status), ItemOutcome::kRetry);
  EXPECT_EQ(classifyItem(r->items[4].status), ItemOutcome::kReject);
}

TEST(BulkResponse, OtherActionsAndErrorBeforeStatus) {
  std::string error;
  auto r =
      parse(R"({"errors":true,"items":[{"index":{"error":{"reason":"r","type":"t"},"status":400}},)"
            R"({"delete":{"status":404,"result":"not_found"}}]})",
            2, error);
  ASSERT_TRUE(r) << error;
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[0].status, 400);
  EXPECT_EQ(r->items[0].error_type, "t");
  EXPECT_EQ(r->items[0].error_reason, "r");
  EXPECT_EQ(r->items[1].status, 404);
}

TEST(BulkResponse, LongReasonIsCut) {
  std::string error;
  const std::string reason(2000, 'r');
  auto r =
      parse(R"({"errors":true,"items":[{"create":{"status":400,"error":{"type":"x","reason":")" +
                reason + R"("}}}]})",
            1, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->items[0].error_reason, std::string(512, 'r'));
}

TEST(BulkResponse, ItemCountMismatchIsAnError) {
  std::string error;
  const std::string body =
      R"({"errors":true,"items":[{"create":{"status":201}},{"create":{"status":400}}]})";
  EXPECT_EQ(parse(body, 3, error), std::nullopt);
  EXPECT_NE(error.find("2 items for 3 events"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(parse(body, 1, error), std::nullopt);
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_EQ(parse(R"({"errors":true})", 1, error), std::nullopt);
  EXPECT_FALSE(error.empty());
}

struct BadBody {
  std::string name;
  std::string body;
};
void PrintTo(const BadBody& b, std::ostream* os) { *os << b.name; }

class BulkResponseBadBodyTest : public testing::TestWithParam<BadBody> {};

TEST_P(BulkResponseBadBodyTest, IsAnError) {
  std::string error;
  auto r = parse(GetParam().body, 2, error);
  EXPECT_EQ(r.has_value(), false) << GetParam().body;
  EXPECT_FALSE(error.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, BulkResponseBadBodyTest,
    testing::Values(
        BadBody{"Empty", ""}, BadBody{"Html", "<html><body><h1>502 Bad Gateway</h1></body></html>"},
        BadBody{"PlainText", "upstream connect error or disconnect/reset before headers"},
        BadBody{"Array", R"([{"create":{"status":201}}])"}, BadBody{"String", R"("errors")"},
        BadBody{"Number", "42"}, BadBody{"NoErrorsField", R"({"took":1,"items":[]})"},
        BadBody{"ErrorsNotBoolean", R"({"errors":"false","items":[]})"},
        BadBody{"ItemsNotArray", R"({"errors":true,"items":{}})"},
        BadBody{"ItemNotObject", R"({"errors":true,"items":[1,2]})"},
        BadBody{"ItemWithoutStatus", R"({"errors":true,"items":[{"create":{}},{"create":{}}]})"},
        BadBody{
            "StatusNotNumber",
            R"({"errors":true,"items":[{"create":{"status":"201"}},{"create":{"status":201}}]})"},
        BadBody{
            "ElasticsearchErrorObject",
            R"({"error":{"root_cause":[],"type":"illegal_argument_exception","reason":"x"},"status":400})"},
        BadBody{"TruncatedInItems",
                R"({"took":5,"errors":true,"items":[{"create":{"status":201}},{"create":{"sta)"},
        BadBody{"TruncatedAfterAnItem",
                R"({"took":5,"errors":true,"items":[{"create":{"status":201}},)"},
        BadBody{
            "TruncatedAfterItems",
            R"({"took":5,"errors":true,"items":[{"create":{"status":201}},{"create":{"status":400}}])"}),
    [](const testing::TestParamInfo<BadBody>& p) { return p.param.name; });

TEST(BulkResponse, BodyWithoutPaddingIsRefused) {
  std::string body = R"({"errors":false})";
  body.shrink_to_fit();
  if (body.capacity() >= body.size() + simdjson::SIMDJSON_PADDING)
    GTEST_SKIP() << "SSO capacity too large";
  std::string error;
  EXPECT_EQ(parseBulkResponse(body, 0, error), std::nullopt);
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace sluice
