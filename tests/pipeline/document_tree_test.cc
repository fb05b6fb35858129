#include "pipeline/document_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

using NodeId = DocumentTree::NodeId;

std::string written(const DocumentTree& tree) {
  std::string out;
  tree.write(out);
  return out;
}

// The skeleton the normalizer uses, in miniature.
class DocumentTreeTest : public testing::Test {
 protected:
  DocumentTreeTest() {
    ts_ = tree_.declare({"@timestamp"});
    level_ = tree_.declare({"log", "level"});
    message_ = tree_.declare({"log", "message"});
    status_ = tree_.declare({"http", "status_code"});
    host_ = tree_.declare({"host", "name"});
    tree_.set(host_, FieldValue::raw(R"("node-1")"));
    tree_.sealSkeleton();
  }

  DocumentTree tree_;
  NodeId ts_, level_, message_, status_, host_;
};

TEST_F(DocumentTreeTest, DeclareReturnsTheSameNodeForTheSamePath) {
  DocumentTree tree;
  NodeId a = tree.declare({"log", "level"});
  NodeId b = tree.declare({"log", "message"});
  EXPECT_NE(a, b);
  EXPECT_EQ(tree.declare({"log", "level"}), a);
  NodeId log = tree.find(DocumentTree::kRoot, "log");
  ASSERT_GE(log, 0);
  EXPECT_EQ(tree.find(log, "level"), a);
  EXPECT_EQ(tree.find(log, "nope"), DocumentTree::kInvalid);
}

TEST_F(DocumentTreeTest, UnsetLeavesAndEmptyObjectsAreOmitted) {
  // Only the skeleton's own value is written; "log" and "http" have no set member.
  EXPECT_EQ(written(tree_), R"({"host":{"name":"node-1"}})");
}

TEST_F(DocumentTreeTest, EmptyTreeIsAnEmptyObject) {
  DocumentTree tree;
  EXPECT_EQ(written(tree), "{}");
  tree.declare({"a", "b", "c"});
  EXPECT_EQ(written(tree), "{}");
}

TEST_F(DocumentTreeTest, DeclaredOrderIsKeptAndValuesAreTyped) {
  tree_.set(message_, FieldValue::string("hello \"world\"\n"));
  tree_.set(level_, FieldValue::string("INFO"));
  tree_.set(status_, FieldValue::integer(503));
  tree_.set(ts_, FieldValue::timestamp(1'705'314'600'123'000'000));
  NodeId extra = tree_.leafPath(DocumentTree::kRoot, "pid", false);
  ASSERT_GE(extra, 0);
  tree_.set(extra, FieldValue::raw("4242"));
  EXPECT_EQ(written(tree_), R"({"@timestamp":"2024-01-15T10:30:00.123Z","log":{"level":"INFO",)"
                            R"("message":"hello \"world\"\n"},"http":{"status_code":503},)"
                            R"("host":{"name":"node-1"},"pid":4242})");
}

TEST_F(DocumentTreeTest, ResetReturnsToTheSkeleton) {
  tree_.set(level_, FieldValue::string("WARN"));
  NodeId extra = tree_.leafPath(DocumentTree::kRoot, "a.b.c", false);
  ASSERT_GE(extra, 0);
  tree_.set(extra, FieldValue::integer(1));
  ASSERT_NE(written(tree_), R"({"host":{"name":"node-1"}})");
  tree_.reset();
  EXPECT_EQ(written(tree_), R"({"host":{"name":"node-1"}})");
  EXPECT_EQ(tree_.find(DocumentTree::kRoot, "a"), DocumentTree::kInvalid);
  EXPECT_TRUE(tree_.value(level_).empty());
  // Values set before sealing survive a reset.
  EXPECT_EQ(tree_.value(host_).text, R"("node-1")");
  // And the declared nodes keep their ids.
  NodeId log = tree_.find(DocumentTree::kRoot, "log");
  EXPECT_EQ(tree_.find(log, "level"), level_);
}

TEST_F(DocumentTreeTest, LeafPathSplitsDottedKeys) {
  NodeId node = tree_.leafPath(DocumentTree::kRoot, "kubernetes.pod.name", false);
  ASSERT_GE(node, 0);
  tree_.set(node, FieldValue::string("api-7d9f"));
  NodeId ns = tree_.leafPath(DocumentTree::kRoot, "kubernetes.namespace", false);
  ASSERT_GE(ns, 0);
  tree_.set(ns, FieldValue::string("prod"));
  // A dotted key into a documented object lands next to its members.
  NodeId logger = tree_.leafPath(DocumentTree::kRoot, "log.logger", false);
  ASSERT_GE(logger, 0);
  tree_.set(logger, FieldValue::string("com.acme.Api"));
  EXPECT_EQ(written(tree_), R"({"log":{"logger":"com.acme.Api"},"host":{"name":"node-1"},)"
                            R"("kubernetes":{"pod":{"name":"api-7d9f"},"namespace":"prod"}})");
}

TEST_F(DocumentTreeTest, LeafPathFindsDeclaredLeavesOnlyToOverwrite) {
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "log.level", true), level_);
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "@timestamp", true), ts_);
  // A log's own fields never take the place of documented ones.
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "log.level", false), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "@timestamp", false), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "log.level.name", false), DocumentTree::kInvalid);
}

TEST_F(DocumentTreeTest, KeysWithEmptySegmentsAreTakenWhole) {
  for (const char* key : {"a..b", ".x", "x.", "..", "."}) {
    tree_.reset();
    NodeId node = tree_.leafPath(DocumentTree::kRoot, key, false);
    ASSERT_GE(node, 0) << key;
    tree_.set(node, FieldValue::integer(1));
    EXPECT_EQ(tree_.find(DocumentTree::kRoot, key), node) << key;
    EXPECT_EQ(written(tree_), R"({"host":{"name":"node-1"},")" + std::string(key) + R"(":1})");
  }
}

TEST_F(DocumentTreeTest, LeafNeverReplacesAnObject) {
  // Declared objects, even while all their members are unset.
  EXPECT_EQ(tree_.leaf(DocumentTree::kRoot, "log", false), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leaf(DocumentTree::kRoot, "http", true), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "host", true), DocumentTree::kInvalid);
  // Objects made from the log's own dotted keys.
  NodeId inner = tree_.leafPath(DocumentTree::kRoot, "a.b", false);
  ASSERT_GE(inner, 0);
  tree_.set(inner, FieldValue::integer(1));
  EXPECT_EQ(tree_.leaf(DocumentTree::kRoot, "a", true), DocumentTree::kInvalid);
}

TEST_F(DocumentTreeTest, LeafWithAValueIsTakenOnlyWithOverwrite) {
  NodeId first = tree_.leaf(DocumentTree::kRoot, "pid", false);
  ASSERT_GE(first, 0);
  tree_.set(first, FieldValue::raw("1"));
  EXPECT_EQ(tree_.leaf(DocumentTree::kRoot, "pid", false), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leaf(DocumentTree::kRoot, "pid", true), first);
  // The skeleton's own values count too.
  NodeId host = tree_.find(DocumentTree::kRoot, "host");
  EXPECT_EQ(tree_.leaf(host, "name", false), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leaf(host, "name", true), host_);
}

TEST_F(DocumentTreeTest, NothingGoesBelowALeafWithAValue) {
  NodeId pid = tree_.leaf(DocumentTree::kRoot, "pid", false);
  ASSERT_GE(pid, 0);
  tree_.set(pid, FieldValue::raw("1"));
  EXPECT_EQ(tree_.objectChild(DocumentTree::kRoot, "pid"), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.objectChild(pid, "x"), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leaf(pid, "x", true), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "pid.x", true), DocumentTree::kInvalid);
  EXPECT_EQ(tree_.leafPath(DocumentTree::kRoot, "host.name.first", true), DocumentTree::kInvalid);
  EXPECT_EQ(written(tree_), R"({"host":{"name":"node-1"},"pid":1})");
}

TEST_F(DocumentTreeTest, ObjectChildFindsOrCreates) {
  NodeId log = tree_.objectChild(DocumentTree::kRoot, "log");
  EXPECT_EQ(log, tree_.find(DocumentTree::kRoot, "log"));
  NodeId labels = tree_.objectChild(DocumentTree::kRoot, "labels");
  ASSERT_GE(labels, 0);
  EXPECT_EQ(tree_.objectChild(DocumentTree::kRoot, "labels"), labels);
  EXPECT_FALSE(tree_.hasChildren(labels));
  NodeId team = tree_.leaf(labels, "team", false);
  ASSERT_GE(team, 0);
  EXPECT_TRUE(tree_.hasChildren(labels));
  tree_.set(team, FieldValue::string("payments"));
  EXPECT_EQ(written(tree_), R"({"host":{"name":"node-1"},"labels":{"team":"payments"}})");
}

TEST_F(DocumentTreeTest, NestedEmptyObjectsAreOmittedWithoutStrayCommas) {
  NodeId a = tree_.leafPath(DocumentTree::kRoot, "a", false);
  tree_.set(a, FieldValue::integer(1));
  tree_.objectChild(tree_.objectChild(DocumentTree::kRoot, "empty"), "deeper");
  NodeId z = tree_.leafPath(DocumentTree::kRoot, "z", false);
  tree_.set(z, FieldValue::integer(2));
  tree_.objectChild(DocumentTree::kRoot, "trailing_empty");
  EXPECT_EQ(written(tree_), R"({"host":{"name":"node-1"},"a":1,"z":2})");
}

TEST_F(DocumentTreeTest, WriteReportsInvalidUtf8) {
  tree_.set(message_, FieldValue::string("ok"));
  std::string out;
  EXPECT_TRUE(tree_.write(out));
  tree_.set(message_, FieldValue::string("bad \xFF byte"));
  out.clear();
  EXPECT_FALSE(tree_.write(out));
  EXPECT_NE(out.find("bad \xEF\xBF\xBD byte"), std::string::npos);
  // Keys not known to be JSON-safe are escaped too.
  tree_.reset();
  NodeId odd = tree_.leaf(DocumentTree::kRoot, "we\"ird\xC3", false, /*key_is_json_safe=*/false);
  tree_.set(odd, FieldValue::integer(1));
  out.clear();
  EXPECT_FALSE(tree_.write(out));
  EXPECT_EQ(out, "{\"host\":{\"name\":\"node-1\"},\"we\\\"ird\xEF\xBF\xBD\":1}");
}

TEST_F(DocumentTreeTest, UnsafeKeysAreEscapedOnEveryLevelOfADottedPath) {
  NodeId node = tree_.leafPath(DocumentTree::kRoot, "a\tb.c\"d", false, /*key_is_json_safe=*/false);
  ASSERT_GE(node, 0);
  tree_.set(node, FieldValue::integer(1));
  EXPECT_EQ(written(tree_), R"({"host":{"name":"node-1"},"a\tb":{"c\"d":1}})");
}

TEST_F(DocumentTreeTest, SafeKeysAreWrittenAsTheyAre) {
  // A key copied from a JSON line without escapes is written back verbatim.
  NodeId node = tree_.leaf(DocumentTree::kRoot, "caf\xC3\xA9", false, /*key_is_json_safe=*/true);
  tree_.set(node, FieldValue::integer(1));
  EXPECT_EQ(written(tree_), "{\"host\":{\"name\":\"node-1\"},\"caf\xC3\xA9\":1}");
}

TEST_F(DocumentTreeTest, ManyKeysUnderOneParentAreAllFound) {
  // More children than bits in the per-node key filter.
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back("field_" + std::to_string(i));
  std::vector<NodeId> ids;
  for (const std::string& k : keys) {
    NodeId id = tree_.leaf(DocumentTree::kRoot, k, false);
    ASSERT_GE(id, 0) << k;
    tree_.set(id, FieldValue::integer(1));
    ids.push_back(id);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(tree_.find(DocumentTree::kRoot, keys[i]), ids[i]) << keys[i];
    EXPECT_EQ(tree_.leaf(DocumentTree::kRoot, keys[i], false), DocumentTree::kInvalid) << keys[i];
  }
  EXPECT_EQ(tree_.find(DocumentTree::kRoot, "field_200"), DocumentTree::kInvalid);
}

TEST_F(DocumentTreeTest, WriteAppends) {
  std::string out = "{\"index\":{}}\n";
  tree_.write(out);
  EXPECT_EQ(out, "{\"index\":{}}\n{\"host\":{\"name\":\"node-1\"}}");
}

}  // namespace
}  // namespace sluice
