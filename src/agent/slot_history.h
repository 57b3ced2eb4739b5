// How many of a service's slots are held, from the in-flight low-water marks of the last refresh
// windows: a slot counts as held once requests have kept it busy for 5 s without a single moment
// free. Streams and long generations hold slots; a run of short requests, each ending before the
// next begins (a balancer's own traffic), does not, even on a machine slow enough that each
// takes a few seconds. Pure: the windows are handed in.
#pragma once

#include <array>
#include <cstddef>

namespace ggufd::agent {

class SlotHistory {
public:
    /// Windows remembered: with the agent's 250 ms refresh, a slot is held after 5 s.
    static constexpr size_t kWindows = 20;

    /// The fewest requests in flight during the window that just ended.
    void add(int low_water);
    /// The fewest requests in flight at any moment of the remembered windows (0 until a first
    /// window ends). A slot shows as free at the first refresh after it was free for an instant.
    int held() const;

private:
    std::array<int, kWindows> windows_{};
    size_t next_ = 0;
};

}  // namespace ggufd::agent
