#include "cli.h"

#include <sys/wait.h>

#include <atomic>

#include "binaries.h"
#include "process.h"

namespace ggufd::test {

CliResult run_ggufd(const TempDir& dir, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, std::chrono::milliseconds deadline) {
    static std::atomic<int> counter = 0;
    std::vector<std::string> argv = {build_binary("ggufd").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess cli(argv, dir.path() / ("cli-" + std::to_string(counter++) + ".log"), env);
    auto status = cli.wait(deadline);
    CliResult result;
    result.output = cli.log();
    if (status && WIFEXITED(*status)) result.exit_code = WEXITSTATUS(*status);
    return result;
}

CliResult run_cli(const TempDir& dir, const Daemon& daemon, std::vector<std::string> args) {
    args.insert(args.end(), {"--url", daemon.url()});
    return run_ggufd(dir, args);
}

}  // namespace ggufd::test
