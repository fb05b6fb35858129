#include "pipeline/acknowledgement.h"

#include <vector>

namespace sluice {

AckTracker::AckTracker(Callback on_complete) : on_complete_(std::move(on_complete)) {}

uint64_t AckTracker::open() {
  std::lock_guard lock(mutex_);
  done_.push_back(false);
  return next_++;
}

void AckTracker::acknowledge(uint64_t sequence) {
  uint64_t first = 0, count = 0;
  {
    std::lock_guard lock(mutex_);
    if (sequence < base_ || sequence >= next_) return;
    done_[sequence - base_] = true;
    first = base_;
    while (!done_.empty() && done_.front()) {
      done_.pop_front();
      ++base_;
      ++count;
    }
    if (done_.empty()) all_done_.notify_all();
  }
  if (on_complete_) {
    for (uint64_t s = first; s < first + count; ++s) on_complete_(s);
  }
}

uint64_t AckTracker::outstanding() const {
  std::lock_guard lock(mutex_);
  return next_ - base_;
}

bool AckTracker::waitForAll(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock(mutex_);
  return all_done_.wait_until(lock, deadline, [&] { return done_.empty(); });
}

}  // namespace sluice
