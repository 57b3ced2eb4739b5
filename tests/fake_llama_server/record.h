// --fake-record: a JSON file describing how the fake was started (argv, environment, pid,
// process group, bound address), so tests can check the argv and environment ggufd builds.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ggufd::fake {

/// Writes {"argv":[...],"env":{...},"pid":N,"pgid":N,"host":"...","port":N} to `path`
/// atomically (a temporary file renamed into place), so a reader never sees half a file.
/// Returns an error message naming the file on failure.
std::optional<std::string> write_record(const std::string& path, const std::vector<std::string>& argv,
                                        const std::string& host, int port);

}  // namespace ggufd::fake
