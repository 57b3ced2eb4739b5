// Waiting on conditions, never on fixed sleeps: poll `condition` until it holds or a generous
// deadline passes (tests run on loaded 2-core machines).
#pragma once

#include <chrono>
#include <functional>

namespace ggufd::test {

using namespace std::chrono_literals;

/// True as soon as `condition` holds; false if it still does not after `deadline`.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds deadline = 30s,
                std::chrono::milliseconds poll = 20ms);

}  // namespace ggufd::test
