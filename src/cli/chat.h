// `ggufd chat [MODEL]`: a terminal chat through the daemon's front door. Interactive when stdin
// is a terminal (history for the session, /clear, /model, /quit, Ctrl-C stops a reply); with
// piped input, stdin is one message and its reply goes to stdout.
#pragma once

#include <string>
#include <vector>

namespace ggufd::cli {

struct ChatOptions {
    std::string model;                    ///< empty: the only model the daemon serves
    std::string url;                      ///< empty: the config's listen address
    std::string config_path;              ///< empty: the default config path
    std::string system_prompt;
    std::vector<std::string> parameters;  ///< --set KEY=VALUE
};

int run_chat(const ChatOptions& options);

}  // namespace ggufd::cli
