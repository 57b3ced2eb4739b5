// The fake's log: whole lines on stderr, where llama-server writes its own, each in a single
// write(2) so that lines from concurrent requests never interleave mid-line.
#pragma once

#include <string_view>

namespace ggufd::fake {

/// Writes `text` and a newline to stderr. Safe from any thread; never buffered, so a line
/// logged just before the process kills itself is not lost.
void log_line(std::string_view text);

}  // namespace ggufd::fake
