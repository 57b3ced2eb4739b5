// Where the daemon's log goes and how it looks: to stderr, with timestamps on a terminal, and
// without them (but with syslog priority prefixes) under journald, which adds its own.
#pragma once

#include <string>

namespace ggufd::logging {

/// True when stderr is connected to the journal (systemd sets JOURNAL_STREAM to its device and
/// inode), so that timestamps would be printed twice.
bool stderr_is_journal();

/// Configures the default spdlog logger. `level`: trace, debug, info, warn, error.
void setup(const std::string& level);

}  // namespace ggufd::logging
