// The parts of each command's help that CLI11 does not know: the environment variables it reads
// and its exit codes. Plain data, shown at the end of `ggufd COMMAND --help` and in the man page,
// so that the two never disagree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ggufd::cli {

struct HelpEntry {
    std::string name;     ///< "GGUFD_API_KEY", or an exit code "3"
    std::string meaning;
};

struct CommandHelp {
    std::vector<HelpEntry> environment;
    std::vector<HelpEntry> exit_codes;
};

/// The sections for a command ("serve", "status", "systemd install", ...); "" is ggufd itself.
/// Every command of the CLI has an entry (a test walks them all).
const CommandHelp& help_for(std::string_view command);

/// "Environment:\n  NAME  meaning\n...\n\nExit codes:\n  0  meaning\n...", wrapped for a terminal.
std::string render_help_footer(const CommandHelp& help);

}  // namespace ggufd::cli
