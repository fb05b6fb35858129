#include "outputs/dead_letter_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "pipeline/atomic_file.h"

namespace sluice {

DeadLetterFile::DeadLetterFile(std::string path) : path_(std::move(path)) {
  const size_t slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string error = makeDirectories(path_.substr(0, slash));
    if (!error.empty()) throw std::runtime_error("dead_letter: " + error);
  }
  // Not world-readable: the records hold whole events.
  fd_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (fd_.get() < 0) {
    throw std::runtime_error("dead_letter: cannot open " + path_ + ": " + std::strerror(errno));
  }
}

bool DeadLetterFile::append(const Record& r, std::string& error) {
  std::lock_guard lock(mutex_);
  line_.clear();
  appendDeadLetterJson(line_, r, false);
  line_ += '\n';
  // A write cut short (disk full) is undone, so that the file stays one
  // record per line for whoever reads it.
  const off_t before = ::lseek(fd_.get(), 0, SEEK_END);
  std::string_view rest = line_;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = path_ + ": " + std::strerror(n < 0 ? errno : EIO);
      if (before >= 0 && rest.size() != line_.size()) (void)::ftruncate(fd_.get(), before);
      return false;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool DeadLetterFile::sync(std::string& error) {
  std::lock_guard lock(mutex_);
  if (::fdatasync(fd_.get()) != 0) {
    error = path_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace sluice
