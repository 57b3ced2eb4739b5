// The program and model checks shared by doctor and the supervisor (service_checks.h).
#include "ggufd/supervisor/service_checks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "ggufd/gguf/reader.h"

namespace ggufd::supervisor {

std::string ServiceProblem::describe() const {
    std::string text = subject.empty() ? message : subject + " " + message;
    return fix.empty() ? text : text + "; " + fix;
}

std::string describe_location(const config::SourceLocation& location) {
    if (location.file.empty()) return "the config file";
    return location.file.string() + (location.line > 0 ? ":" + std::to_string(location.line) : "");
}

std::optional<std::string> find_executable(const std::string& name, std::string_view path_list) {
    auto usable = [](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
    };
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos) return usable(name) ? std::optional(name) : std::nullopt;
    while (true) {
        size_t colon = path_list.find(':');
        std::string_view dir = path_list.substr(0, colon);
        std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
        if (usable(candidate)) return candidate;
        if (colon == std::string_view::npos) return std::nullopt;
        path_list.remove_prefix(colon + 1);
    }
}

std::optional<std::string> find_executable(const std::string& name) {
    const char* path_env = std::getenv("PATH");
    return find_executable(name, path_env ? path_env : "/usr/local/bin:/usr/bin:/bin");
}

namespace {

std::string not_found(const std::string& program) {
    return program.find('/') == std::string::npos ? "\"" + program + "\" was not found on PATH"
                                                  : "\"" + program + "\" does not exist or is not an executable file";
}

}  // namespace

ServiceProblem llama_server_missing(const std::string& configured) {
    return {ServiceProblem::Kind::program, "llama-server", not_found(configured),
            "install llama.cpp's llama-server, or set llama_server = \"/path/to/llama-server\" in the config (or "
            "the GGUFD_LLAMA_SERVER environment variable)"};
}

std::optional<ServiceProblem> program_problem(const config::ServiceConfig& service, const std::string& llama_server) {
    if (service.command.empty()) {
        if (find_executable(llama_server)) return std::nullopt;
        return llama_server_missing(llama_server);
    }
    const std::string& program = service.command.front();
    if (find_executable(program)) return std::nullopt;
    return ServiceProblem{ServiceProblem::Kind::program, "command", not_found(program),
                          "correct command in " + describe_location(service.defined_at) +
                              " (the first word is the program to run)"};
}

FileFailure classify_read_failure(const std::exception& error) {
    if (dynamic_cast<const gguf::FormatError*>(&error)) return FileFailure::format;
    if (const auto* system = dynamic_cast<const std::system_error*>(&error)) {
        if (system->code() == std::errc::no_such_file_or_directory) return FileFailure::missing;
        if (system->code() == std::errc::permission_denied) return FileFailure::permission;
    }
    return FileFailure::other;
}

std::string model_fix(FileFailure failure, bool discovered, const config::SourceLocation& defined_at) {
    switch (failure) {
        case FileFailure::missing:
            return discovered ? "it vanished from the models directory: check the disk it lives on"
                              : "correct model in " + describe_location(defined_at) + ", or mount the disk it lives on";
        case FileFailure::permission:
            return "make it readable by the user ggufd runs as (uid " + std::to_string(::geteuid()) +
                   "): chmod a+r the file and a+x its directories, or run ggufd as the owner";
        case FileFailure::format:
            return discovered ? "remove it from the models directory or replace it (a download that stopped early "
                                "leaves a truncated file)"
                              : "point model at a valid GGUF file in " + describe_location(defined_at) +
                                    ", or download the file again";
        case FileFailure::none:
        case FileFailure::other:
            break;
    }
    return "check that the file can be read (`head -c 4 FILE` prints GGUF)";
}

std::optional<ServiceProblem> model_problem(const config::ServiceConfig& service, FileFailure failure,
                                            const std::string& error) {
    if (failure == FileFailure::none || failure == FileFailure::format) return std::nullopt;
    return ServiceProblem{ServiceProblem::Kind::model, "model", error,
                          model_fix(failure, service.discovered, service.defined_at)};
}

}  // namespace ggufd::supervisor
