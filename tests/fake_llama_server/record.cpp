// The start-up record: gathered from the process itself (environ, getpid, getpgrp) and written
// with a rename so that tests polling for the file read it whole.
#include "record.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

extern char** environ;

namespace ggufd::fake {

std::optional<std::string> write_record(const std::string& path, const std::vector<std::string>& argv,
                                        const std::string& host, int port) {
    nlohmann::ordered_json env = nlohmann::ordered_json::object();
    for (char** entry = environ; *entry; ++entry) {
        std::string_view text(*entry);
        auto equals = text.find('=');
        if (equals == std::string_view::npos) continue;
        env[std::string(text.substr(0, equals))] = std::string(text.substr(equals + 1));
    }
    nlohmann::ordered_json record = {
        {"argv", argv}, {"env", env}, {"pid", ::getpid()}, {"pgid", ::getpgrp()}, {"host", host}, {"port", port},
    };

    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << record.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
        if (!out) return "--fake-record " + path + ": cannot write " + temporary + ": " + std::strerror(errno);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        return "--fake-record " + path + ": cannot rename " + temporary + " into place: " + std::strerror(errno);
    }
    return std::nullopt;
}

}  // namespace ggufd::fake
