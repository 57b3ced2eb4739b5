// ggufd(1), rendered as roff from the command line's own definitions (app.cpp walks CLI11's
// commands into a ManPage) and command_help.h: the man page says what --help says.
#pragma once

#include <string>
#include <vector>

#include "command_help.h"

namespace ggufd::cli {

struct ManOption {
    std::string names;        ///< "-n, --tail"; a positional argument's name ("SERVICE")
    std::string value;        ///< "N", "FILE"; empty for a flag
    std::string description;  ///< with its default and environment variable, when it has them
};

struct ManCommand {
    std::string name;         ///< "logs", "systemd install"
    std::string usage;        ///< "ggufd logs [OPTIONS] SERVICE"
    std::string description;
    std::vector<ManOption> options;
    CommandHelp help;         ///< its environment and exit codes
};

struct ManPage {
    std::string version;      ///< "0.1.0"
    std::string summary;      ///< one line, for NAME
    std::vector<ManCommand> commands;
    CommandHelp overall;      ///< ggufd's own environment and exit codes
};

/// The roff source of ggufd(1) (man -l reads it).
std::string render_man_page(const ManPage& page);

/// Text made safe for roff: backslashes, hyphens in option names, and lines starting with a
/// control character.
std::string roff_escape(const std::string& text);

}  // namespace ggufd::cli
