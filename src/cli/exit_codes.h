// Exit codes of every ggufd command, documented in docs/CLI.md: scripts rely on them.
#pragma once

namespace ggufd::cli {

enum ExitCode : int {
    kOk = 0,
    kFailed = 1,           ///< the action was carried out and failed (a service did not start, ...)
    kUsage = 2,            ///< bad command line or invalid configuration
    kUnreachable = 3,      ///< no daemon answered at the URL
    kNotFound = 4,         ///< no such service
    kProblems = 5,         ///< doctor: something needed to serve is not in order
};

}  // namespace ggufd::cli
