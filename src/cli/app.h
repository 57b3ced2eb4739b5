// The `ggufd` command line (docs/CLI.md): one subcommand per job, each with --help.
#pragma once

namespace ggufd::cli {

int run(int argc, char** argv);

}  // namespace ggufd::cli
