#include "inputs/file/file_watcher.h"

#include <fnmatch.h>
#include <glob.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "pipeline/logger.h"

namespace sluice {
namespace {

std::string parentDirectory(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool hasWildcard(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

}  // namespace

FileWatcher::FileWatcher(std::vector<std::string> patterns, std::vector<std::string> exclude)
    : patterns_(std::move(patterns)), exclude_(std::move(exclude)) {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    logWarn("file", "inotify is unavailable, falling back to polling",
            {{"error", std::strerror(errno)}});
  }
  inotify_ = UniqueFd(fd);
  for (const std::string& p : patterns_) {
    std::string dir = parentDirectory(p);
    if (!hasWildcard(dir)) watchDirectory(dir);
  }
}

void FileWatcher::watchDirectory(const std::string& dir) {
  if (!inotify_.valid() || watched_dirs_.count(dir)) return;
  int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(),
                               IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE |
                                   IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB);
  // A directory that does not exist yet is found again by the next scan.
  if (wd >= 0) watched_dirs_.insert(dir);
}

bool FileWatcher::excluded(const std::string& path) const {
  std::string name = path.substr(path.rfind('/') + 1);
  for (const std::string& e : exclude_) {
    if (::fnmatch(e.c_str(), path.c_str(), FNM_PATHNAME) == 0 ||
        ::fnmatch(e.c_str(), name.c_str(), 0) == 0) {
      return true;
    }
  }
  return false;
}

std::vector<FoundFile> FileWatcher::scan() {
  std::vector<FoundFile> found;
  std::set<std::pair<dev_t, ino_t>> seen;
  for (const std::string& pattern : patterns_) {
    glob_t g{};
    int rc = ::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        std::string path = g.gl_pathv[i];
        if (excluded(path)) continue;
        struct stat st {};
        // stat, not lstat: symlinked logs (/var/log/containers) are followed.
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
        found.push_back({path, st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec});
        watchDirectory(parentDirectory(path));
      }
    }
    ::globfree(&g);
  }
  return found;
}

bool FileWatcher::wait(std::chrono::milliseconds timeout) {
  if (!inotify_.valid()) {
    ::poll(nullptr, 0, static_cast<int>(std::min<int64_t>(timeout.count(), 250)));
    return false;
  }
  pollfd pfd{inotify_.get(), POLLIN, 0};
  int rc = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (rc <= 0) return false;
  bool created = false;
  alignas(inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      if (ev->mask & (IN_CREATE | IN_MOVED_TO | IN_IGNORED | IN_Q_OVERFLOW)) created = true;
      if (ev->mask & IN_IGNORED) watched_dirs_.clear();  // re-added by the rescan
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
    }
  }
  return created;
}

}  // namespace sluice
