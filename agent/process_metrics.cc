#include "agent/process_metrics.h"

#include <dirent.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace sluice {
namespace {

int64_t countOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (::readdir(dir) != nullptr) ++n;
  ::closedir(dir);
  return n - 3;  // ".", ".." and the directory's own descriptor
}

}  // namespace

void appendProcessMetrics(std::string& out) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which may itself contain spaces.
  size_t close = stat.rfind(')');
  double cpu_seconds = 0;
  int64_t rss_bytes = 0;
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    long ticks = ::sysconf(_SC_CLK_TCK);
    for (int i = 3; fields >> field; ++i) {
      if (i == 14 || i == 15) cpu_seconds += std::stod(field) / static_cast<double>(ticks);
      if (i == 24) rss_bytes = std::stoll(field) * ::sysconf(_SC_PAGESIZE);
    }
  }
  out += fmt::format(
      "# HELP sluice_process_cpu_seconds_total CPU time used by the agent\n"
      "# TYPE sluice_process_cpu_seconds_total counter\n"
      "sluice_process_cpu_seconds_total {}\n"
      "# HELP sluice_process_resident_memory_bytes Resident memory of the agent\n"
      "# TYPE sluice_process_resident_memory_bytes gauge\n"
      "sluice_process_resident_memory_bytes {}\n"
      "# HELP sluice_process_open_fds Open file descriptors of the agent\n"
      "# TYPE sluice_process_open_fds gauge\n"
      "sluice_process_open_fds {}\n"
      "# HELP sluice_build_info Version of the running agent\n"
      "# TYPE sluice_build_info gauge\n"
      "sluice_build_info{{version=\"{}\"}} 1\n",
      cpu_seconds, rss_bytes, countOpenFds(), SLUICE_VERSION);
}

}  // namespace sluice
