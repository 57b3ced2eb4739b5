// What keeps a service from starting that its configuration (or the files it names) must fix:
// the program it runs and its model file, found and judged in one place and worded once, so that
// `ggufd doctor`, the daemon's startup warnings, the service's status reason and the answer to
// `ggufd start` all say the same thing.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "ggufd/config/config.h"

namespace ggufd::supervisor {

/// A problem and its fix, in words a user can act on.
struct ServiceProblem {
    enum class Kind { program, model };
    Kind kind = Kind::program;
    std::string subject;  ///< "llama-server", "command" or "model": what the message is about
    std::string message;  ///< what is wrong, naming the path: "\"x\" was not found on PATH"
    std::string fix;      ///< what to do about it

    /// "subject message; fix", e.g. "llama-server \"x\" was not found on PATH; install ...".
    std::string describe() const;
};

/// "/etc/ggufd/ggufd.toml:12", "/etc/ggufd/ggufd.toml", or "the config file".
std::string describe_location(const config::SourceLocation& location);

/// `name` itself when it contains a '/', else the first match in `path_list` (PATH's format);
/// a match must be a regular file this user may execute. nullopt when there is none.
std::optional<std::string> find_executable(const std::string& name, std::string_view path_list);
/// The same, on this process's PATH.
std::optional<std::string> find_executable(const std::string& name);

/// The configured llama-server (`llama_server` or GGUFD_LLAMA_SERVER) cannot be found.
ServiceProblem llama_server_missing(const std::string& configured);

/// The program `service` runs (llama_server, or the first word of its `command`) when it cannot
/// be found; nullopt when it can.
std::optional<ServiceProblem> program_problem(const config::ServiceConfig& service, const std::string& llama_server);

/// How reading a model (or projector) file failed.
enum class FileFailure {
    none,
    missing,     ///< it does not exist
    permission,  ///< it exists but this user may not read it
    format,      ///< it was read but is not valid GGUF
    other,       ///< any other read error (I/O, a directory, ...)
};

/// Classifies what gguf::read_header threw.
FileFailure classify_read_failure(const std::exception& error);

/// What to do about a model file that failed this way. `discovered`: found in models_dir.
std::string model_fix(FileFailure failure, bool discovered, const config::SourceLocation& defined_at);

/// The model file's problem, from the header reader's error: nullopt when there is none, or
/// when the failure does not stop the service from starting (a file that is not GGUF is
/// llama-server's to refuse, and a `command` may read another format). `error` is the reader's
/// message ("/m.gguf: cannot open: No such file or directory").
std::optional<ServiceProblem> model_problem(const config::ServiceConfig& service, FileFailure failure,
                                            const std::string& error);

}  // namespace ggufd::supervisor
