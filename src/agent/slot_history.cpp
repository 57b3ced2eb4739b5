#include "slot_history.h"

#include <algorithm>

namespace ggufd::agent {

void SlotHistory::add(int low_water) {
    windows_[next_] = low_water;
    next_ = (next_ + 1) % kWindows;
}

int SlotHistory::held() const { return *std::min_element(windows_.begin(), windows_.end()); }

}  // namespace ggufd::agent
