#include "outputs/buffer/segment_writer.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "outputs/buffer/segment_format.h"

namespace sluice {
namespace {

std::string failure(std::string_view what, const std::string& path, int error_number) {
  return std::string(what) + " " + path + ": " + std::strerror(error_number);
}

}  // namespace

bool syncDirectory(const std::string& dir, std::string& error) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) {
    error = failure("cannot fsync directory", dir, errno);
    return false;
  }
  return true;
}

bool SegmentWriter::create(const std::string& dir, uint64_t first_record, std::string& error) {
  close();
  path_ = dir + "/" + segmentFileName(first_record);
  first_record_ = first_record;
  size_ = 0;
  damaged_ = false;
  // O_EXCL: a segment of that name is never overwritten; recovery removed or
  // kept every earlier one, so a clash means a bug, not a file to reuse.
  fd_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (!fd_.valid()) {
    error = failure("cannot create", path_, errno);
    return false;
  }
  if (!append(encodeSegmentHeader(first_record), error) || !sync(error) ||
      !syncDirectory(dir, error)) {
    // Leaves a torn segment at worst, which recovery removes.
    fd_.reset();
    (void)::unlink(path_.c_str());
    return false;
  }
  return true;
}

bool SegmentWriter::reopen(const std::string& path, uint64_t first_record, uint64_t size,
                           std::string& error) {
  close();
  path_ = path;
  first_record_ = first_record;
  size_ = size;
  damaged_ = false;
  fd_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd_.valid()) {
    error = failure("cannot open", path_, errno);
    return false;
  }
  return true;
}

bool SegmentWriter::append(std::string_view bytes, std::string& error) {
  return append(bytes, {}, error);
}

bool SegmentWriter::append(std::string_view head, std::string_view body, std::string& error) {
  const size_t total = head.size() + body.size();
  size_t done = 0;
  while (done < total) {
    iovec parts[2];
    int count = 0;
    if (done < head.size()) {
      parts[count++] = {const_cast<char*>(head.data() + done), head.size() - done};
    }
    const size_t body_done = done > head.size() ? done - head.size() : 0;
    if (body_done < body.size()) {
      parts[count++] = {const_cast<char*>(body.data() + body_done), body.size() - body_done};
    }
    const ssize_t n = ::pwritev(fd_.get(), parts, count, static_cast<off_t>(size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = failure("cannot write", path_, n < 0 ? errno : EIO);
      // Undo the part that made it, so the segment still ends at a record
      // boundary (disk full is the usual cause, and it passes).
      if (done > 0 && ::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) damaged_ = true;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  size_ += total;
  return true;
}

void SegmentWriter::truncateTo(uint64_t size) {
  if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) damaged_ = true;
  size_ = size;
}

bool SegmentWriter::sync(std::string& error) {
  if (::fdatasync(fd_.get()) != 0) {
    error = failure("cannot fsync", path_, errno);
    return false;
  }
  return true;
}

}  // namespace sluice
