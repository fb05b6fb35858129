#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "pipeline/normalizer.h"

namespace sluice {

// What the kubelet encodes in the path of a container's log file. Views into
// the parsed path.
struct KubernetesPathInfo {
  std::string_view namespace_name;
  std::string_view pod_name;
  std::string_view pod_uid;  // empty in the /var/log/containers form
  std::string_view container_name;
  std::string_view container_id;  // empty in the /var/log/pods form
};

// Recognises, by their last components so that a host's /var/log mounted
// elsewhere (`/host/var/log/...`) works too:
//   .../containers/<pod>_<namespace>_<container>-<64 hex id>.log
//     (the kubelet's symlinks, what one usually tails)
//   .../pods/<namespace>_<pod>_<uid>/<container>/<restart count>.log[.<rotation time>]
//     (the files those links resolve to)
// Names are checked against Kubernetes' rules (DNS labels; pod names DNS
// subdomains), which is what makes the `_`-separated parts unambiguous.
// nullopt for anything else, e.g. Docker's own /var/lib/docker/containers/
// files, or a symlink name the kubelet had to cut at 255 bytes.
std::optional<KubernetesPathInfo> parseKubernetesPath(std::string_view path);

// Appends kubernetes.namespace, kubernetes.pod.name, kubernetes.pod.uid,
// kubernetes.container.name, container.name and container.id (the last two
// of ECS), each only when known. Once per file, not per line.
void appendKubernetesFields(const KubernetesPathInfo& info, std::vector<StaticField>& fields);

}  // namespace sluice
