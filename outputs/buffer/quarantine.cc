#include "outputs/buffer/quarantine.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "outputs/buffer/segment_writer.h"
#include "pipeline/unique_fd.h"

namespace sluice {
namespace {

// A name not taken yet: the same segment can be quarantined twice in one
// second (at recovery, then again at runtime).
std::string freshPath(const std::string& dir, const std::string& name) {
  const std::string base = quarantineDirectory(dir) + "/" + name + "." +
                           std::to_string(static_cast<long long>(std::time(nullptr)));
  std::string path = base;
  struct stat st {};
  for (int n = 1; ::lstat(path.c_str(), &st) == 0; ++n) path = base + "." + std::to_string(n);
  return path;
}

bool copyFile(const std::string& from, const std::string& to, std::string& error) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) {
    error = "cannot open " + from + ": " + std::strerror(errno);
    return false;
  }
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (!out.valid()) {
    error = "cannot create " + to + ": " + std::strerror(errno);
    return false;
  }
  std::string chunk(1 << 20, '\0');
  for (;;) {
    const ssize_t n = ::read(in.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read " + from + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out.get(), chunk.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        error = "cannot write " + to + ": " + std::strerror(w < 0 ? errno : EIO);
        return false;
      }
      done += w;
    }
  }
  // Durable before the caller cuts the original: the evidence must outlive
  // the repair.
  if (::fsync(out.get()) != 0) {
    error = "cannot fsync " + to + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::string quarantineDirectory(const std::string& dir) { return dir + "/quarantine"; }

std::string copyToQuarantine(const std::string& dir, const std::string& name, std::string& error) {
  const std::string to = freshPath(dir, name);
  if (!copyFile(dir + "/" + name, to, error)) {
    (void)::unlink(to.c_str());
    return {};
  }
  // The copy is made; a directory that cannot be synced risks only the
  // evidence, not the buffer, so it does not fail the quarantine.
  std::string ignored;
  (void)syncDirectory(quarantineDirectory(dir), ignored);
  return to;
}

std::string moveToQuarantine(const std::string& dir, const std::string& name, std::string& error) {
  const std::string to = freshPath(dir, name);
  if (::rename((dir + "/" + name).c_str(), to.c_str()) != 0) {
    error = "cannot move " + dir + "/" + name + " to " + to + ": " + std::strerror(errno);
    return {};
  }
  std::string ignored;
  (void)syncDirectory(quarantineDirectory(dir), ignored);
  (void)syncDirectory(dir, ignored);
  return to;
}

}  // namespace sluice
