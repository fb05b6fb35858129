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
  // The callback runs under the lock: that is what keeps completions in
  // sequence order when outputs acknowledge from several threads.
  std::lock_guard lock(mutex_);
  if (sequence < base_ || sequence >= next_) return;
  done_[sequence - base_] = true;
  while (!done_.empty() && done_.front()) {
    done_.pop_front();
    if (on_complete_) on_complete_(base_);
    ++base_;
  }
  if (done_.empty()) all_done_.notify_all();
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
