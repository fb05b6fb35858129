#include "inputs/container/kubernetes_path.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {
namespace {

#define CONTAINER_ID_HEX "4c3e7a1f9b2d8e6c5a4f3b2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c"
constexpr std::string_view kId = CONTAINER_ID_HEX;
#define POD_UID "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
constexpr std::string_view kUid = POD_UID;

struct PathCase {
  std::string_view path;
  std::string_view namespace_name;
  std::string_view pod_name;
  std::string_view pod_uid;
  std::string_view container_name;
  std::string_view container_id;
};
void PrintTo(const PathCase& c, std::ostream* os) { *os << c.path; }

class ContainerKubernetesPathTest : public testing::TestWithParam<PathCase> {};

TEST_P(ContainerKubernetesPathTest, Parses) {
  const PathCase& c = GetParam();
  std::optional<KubernetesPathInfo> info = parseKubernetesPath(c.path);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->namespace_name, c.namespace_name);
  EXPECT_EQ(info->pod_name, c.pod_name);
  EXPECT_EQ(info->pod_uid, c.pod_uid);
  EXPECT_EQ(info->container_name, c.container_name);
  EXPECT_EQ(info->container_id, c.container_id);
}

INSTANTIATE_TEST_SUITE_P(
    ContainerKubernetesSymlinks, ContainerKubernetesPathTest,
    testing::Values(
        // A Deployment's pod: ReplicaSet hash and random suffix.
        PathCase{"/var/log/containers/web-7d4b9c8f6-x2x4q_shop_nginx-" CONTAINER_ID_HEX ".log",
                 "shop", "web-7d4b9c8f6-x2x4q", "", "nginx", kId},
        // A container name with dashes: the id is what follows the last one.
        PathCase{"/var/log/containers/"
                 "coredns-5dd5756b68-abcde_kube-system_coredns-sidecar-" CONTAINER_ID_HEX ".log",
                 "kube-system", "coredns-5dd5756b68-abcde", "", "coredns-sidecar", kId},
        // A static pod is named after its node, dots included.
        PathCase{"/var/log/containers/etcd-node1.example.com_kube-system_etcd-" CONTAINER_ID_HEX
                 ".log",
                 "kube-system", "etcd-node1.example.com", "", "etcd", kId},
        PathCase{"/var/log/containers/kafka-0_data_kafka-" CONTAINER_ID_HEX ".log", "data",
                 "kafka-0", "", "kafka", kId},
        PathCase{"/var/log/containers/a_b_c-" CONTAINER_ID_HEX ".log", "b", "a", "", "c", kId},
        // The host's /var/log mounted into the agent's pod.
        PathCase{"/host/var/log/containers/web-0_shop_nginx-" CONTAINER_ID_HEX ".log", "shop",
                 "web-0", "", "nginx", kId},
        PathCase{"containers/web-0_shop_nginx-" CONTAINER_ID_HEX ".log", "shop", "web-0", "",
                 "nginx", kId}));

INSTANTIATE_TEST_SUITE_P(
    ContainerKubernetesPods, ContainerKubernetesPathTest,
    testing::Values(
        PathCase{"/var/log/pods/shop_web-7d4b9c8f6-x2x4q_" POD_UID "/nginx/0.log", "shop",
                 "web-7d4b9c8f6-x2x4q", kUid, "nginx", ""},
        // After restarts.
        PathCase{"/var/log/pods/shop_web-0_" POD_UID "/nginx/12.log", "shop", "web-0", kUid,
                 "nginx", ""},
        // Rotated by the kubelet (container-log-max-size).
        PathCase{"/var/log/pods/shop_web-0_" POD_UID "/nginx/0.log.20240115-103000", "shop",
                 "web-0", kUid, "nginx", ""},
        // A static pod's uid is the hash of its manifest.
        PathCase{"/var/log/pods/kube-system_kube-apiserver-node1_5b5d5c0f1a2b3c4d5e6f7a8b9c0d1e2f/"
                 "kube-apiserver/0.log",
                 "kube-system", "kube-apiserver-node1", "5b5d5c0f1a2b3c4d5e6f7a8b9c0d1e2f",
                 "kube-apiserver", ""},
        PathCase{"/var/log/pods/kube-system_etcd-node1.example.com_" POD_UID "/etcd/0.log",
                 "kube-system", "etcd-node1.example.com", kUid, "etcd", ""},
        PathCase{"/host/var/log/pods/shop_web-0_" POD_UID "/nginx/0.log", "shop", "web-0", kUid,
                 "nginx", ""}));

class ContainerKubernetesPathRejectTest : public testing::TestWithParam<std::string_view> {};

TEST_P(ContainerKubernetesPathRejectTest, DoesNotMatch) {
  EXPECT_FALSE(parseKubernetesPath(GetParam())) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    ContainerKubernetes, ContainerKubernetesPathRejectTest,
    testing::Values(
        "", "/", "/var/log/syslog", "/var/log/containers/", "/var/log/containers/nginx.log",
        "/var/log/containers/.log",
        // Id too short, not hex, upper case, without its dash.
        "/var/log/containers/web-0_shop_nginx-" CONTAINER_ID_HEX ".log.1",
        "/var/log/containers/web-0_shop_nginx-"
        "4c3e7a1f9b2d8e6c5a4f3b2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2.log",
        "/var/log/containers/web-0_shop_nginx-"
        "4c3e7a1f9b2d8e6c5a4f3b2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2g.log",
        "/var/log/containers/web-0_shop_nginx-"
        "4C3E7A1F9B2D8E6C5A4F3B2E1D0C9B8A7F6E5D4C3B2A1F0E9D8C7B6A5F4E3D2C.log",
        "/var/log/containers/web-0_shop_nginx" CONTAINER_ID_HEX ".log",
        // Two parts, four parts, an empty part.
        "/var/log/containers/web-0_nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web-0_shop_extra_nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web-0__nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/_shop_nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web-0_shop_-" CONTAINER_ID_HEX ".log",
        // Names Kubernetes does not allow.
        "/var/log/containers/Web-0_shop_nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web-0-_shop_nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web..0_shop_nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web-0_my.shop_nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web-0_shop_-nginx-" CONTAINER_ID_HEX ".log",
        "/var/log/containers/web-0_"
        "a1234567890123456789012345678901234567890123456789012345678901234_nginx-" CONTAINER_ID_HEX
        ".log",
        // The kubelet cuts symlink names at 255 bytes, id and all.
        "/var/log/containers/"
        "a123456789012345678901234567890123456789012345678901234567890123456789012345678901234567"
        "89012345678901234567890123456789012345678901234567890123456789012345678901234567890123"
        "4567890123456789012345678901234567890_shop_nginx-4c3e7a1f9b2d8e6c5a4f3b2e.log",
        // Not under a `containers` directory: Docker's own files.
        "/var/lib/docker/containers/" CONTAINER_ID_HEX "/" CONTAINER_ID_HEX "-json.log",
        "/var/log/web-0_shop_nginx-" CONTAINER_ID_HEX ".log",
        // Pods form: not under `pods`, bad file names, compressed rotations.
        "/var/log/other/shop_web-0_" POD_UID "/nginx/0.log",
        "/var/log/pods/shop_web-0_" POD_UID "/nginx/app.log",
        "/var/log/pods/shop_web-0_" POD_UID "/nginx/0.txt",
        "/var/log/pods/shop_web-0_" POD_UID "/nginx/0.log.",
        "/var/log/pods/shop_web-0_" POD_UID "/nginx/0.log.20240115-103000.gz",
        "/var/log/pods/shop_web-0_" POD_UID "/nginx/", "/var/log/pods/shop_web-0_" POD_UID "/0.log",
        "/var/log/pods/shop_web-0/nginx/0.log",
        "/var/log/pods/shop_web-0_NOT-A-POD_UID/nginx/0.log",
        "/var/log/pods/shop_web-0_" POD_UID "/Nginx/0.log",
        "/var/log/pods/Shop_web-0_" POD_UID "/nginx/0.log",
        // Kubelets before 1.14: /var/log/pods/<uid>/<container>_<n>.log.
        "/var/log/pods/" POD_UID "/nginx_0.log"));

TEST(ContainerKubernetesPath, SymlinkAndItsTargetAgree) {
  // /var/log/containers/<...>.log -> /var/log/pods/<...>/<container>/0.log
  std::optional<KubernetesPathInfo> link =
      parseKubernetesPath("/var/log/containers/web-0_shop_nginx-" CONTAINER_ID_HEX ".log");
  std::optional<KubernetesPathInfo> target =
      parseKubernetesPath("/var/log/pods/shop_web-0_" POD_UID "/nginx/0.log");
  ASSERT_TRUE(link);
  ASSERT_TRUE(target);
  EXPECT_EQ(link->namespace_name, target->namespace_name);
  EXPECT_EQ(link->pod_name, target->pod_name);
  EXPECT_EQ(link->container_name, target->container_name);
}

using Fields = std::vector<std::pair<std::string, std::string>>;
Fields flatten(const std::vector<StaticField>& fields) {
  Fields out;
  for (const StaticField& f : fields) out.emplace_back(f.path, f.json);
  return out;
}

TEST(ContainerKubernetesPath, FieldsFromTheContainersForm) {
  std::vector<StaticField> fields{{"env", R"("prod")"}};
  appendKubernetesFields(
      *parseKubernetesPath("/var/log/containers/web-0_shop_nginx-" CONTAINER_ID_HEX ".log"),
      fields);
  EXPECT_EQ(flatten(fields), (Fields{{"env", R"("prod")"},
                                     {"kubernetes.namespace", R"("shop")"},
                                     {"kubernetes.pod.name", R"("web-0")"},
                                     {"kubernetes.container.name", R"("nginx")"},
                                     {"container.name", R"("nginx")"},
                                     {"container.id", "\"" CONTAINER_ID_HEX "\""}}));
}

TEST(ContainerKubernetesPath, FieldsFromThePodsForm) {
  std::vector<StaticField> fields;
  appendKubernetesFields(
      *parseKubernetesPath("/var/log/pods/shop_web-0.a_" POD_UID "/nginx/0.log.20240115-103000"),
      fields);
  EXPECT_EQ(flatten(fields), (Fields{{"kubernetes.namespace", R"("shop")"},
                                     {"kubernetes.pod.name", R"("web-0.a")"},
                                     {"kubernetes.pod.uid", "\"" POD_UID "\""},
                                     {"kubernetes.container.name", R"("nginx")"},
                                     {"container.name", R"("nginx")"}}));
}

TEST(ContainerKubernetesPath, ValuesAreJsonEscaped) {
  // Parsed paths hold only DNS names, but the fields take any metadata.
  KubernetesPathInfo info{"ns", "pod \"x\"", "", "c\\d", ""};
  std::vector<StaticField> fields;
  appendKubernetesFields(info, fields);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[1].json, R"("pod \"x\"")");
  EXPECT_EQ(fields[2].json, R"("c\\d")");
}

#undef CONTAINER_ID_HEX
#undef POD_UID

}  // namespace
}  // namespace sluice
