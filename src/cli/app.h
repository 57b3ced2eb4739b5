// The `ggufd` command line (SPEC §6): one subcommand per job, each with --help.
#pragma once

namespace ggufd::cli {

int run(int argc, char** argv);

}  // namespace ggufd::cli
