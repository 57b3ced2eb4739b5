// The readers of the config file's parts, called in this order by loader.cpp: the daemon's own
// settings (top level and [memory]), [defaults], [services.*], then the checks that span several
// services. Each records its problems through the Reader and fills in plain Config data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "ggufd/config/config.h"
#include "toml_reader.h"

namespace ggufd::config {

/// Which of the settings that environment variables can override were written in the file
/// (loader.cpp applies the precedence: GGUFD_* > file > ROCM_* > built-in default).
struct SetInFile {
    bool llama_server = false;
    bool models_dir = false;
};

/// Top-level keys and [memory]; warns when the front door is open beyond loopback without keys.
SetInFile read_daemon_settings(Reader& reader, const toml::table& root, Config& config);

/// [defaults]: the settings every service starts from, configured or discovered.
ServiceConfig read_defaults(Reader& reader, const toml::table& root);

/// [services.NAME] tables, each starting from `defaults`, in the order they appear in the file.
std::vector<ServiceConfig> read_services(Reader& reader, const toml::table& root, const ServiceConfig& defaults);

/// Problems between services: a name or alias used twice, a fixed port taken twice or equal to
/// ggufd's own listen port.
void check_fleet(Reader& reader, const Config& config);

/// True for a key of [defaults]/[services.NAME] (used to explain one written at the top level).
bool is_service_setting(std::string_view name);

/// "services.NAME", quoted as TOML needs it.
std::string service_key(std::string_view name);

}  // namespace ggufd::config
