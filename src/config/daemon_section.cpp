// The daemon's own settings: the top-level keys of the file and the [memory] table. Services
// are read by service_section.cpp; this file only skips over their tables.
#include <algorithm>
#include <cctype>
#include <climits>

#include "sections.h"
#include "text_rules.h"
#include "user_paths.h"

namespace ggufd::config {
namespace {

/// What a top-level handler writes to: the config, and which overridable paths the file set.
struct Target {
    Config& config;
    SetInFile& set_in_file;
};

using Apply = void (*)(Reader&, const toml::node&, const std::string& key, Target&);

struct Setting {
    std::string_view name;
    Apply apply;
};

std::optional<ListenAddress> read_listen(Reader& r, const toml::node& node, const std::string& key) {
    auto text = r.string(node, key);
    if (!text) return std::nullopt;
    auto parsed = parse_listen_address(*text);
    if (auto* message = std::get_if<std::string>(&parsed)) {
        r.error(node, key, *message);
        return std::nullopt;
    }
    return std::get<ListenAddress>(parsed);
}

// A key goes into an HTTP header verbatim: no blanks or control characters, and not empty
// (an empty key would let a request with "Authorization: Bearer " through).
void read_keys(Reader& r, const toml::node& node, const std::string& key, std::vector<std::string>& keys) {
    auto values = r.strings(node, key);
    if (!values) return;
    for (size_t i = 0; i < values->size(); ++i) {
        const std::string& value = (*values)[i];
        bool printable = std::all_of(value.begin(), value.end(), [](char c) {
            return std::isgraph(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
        });
        if (value.empty()) {
            r.error_at(index_key(key, i), "an API key must not be empty");
        } else if (!printable) {
            r.error_at(index_key(key, i), "an API key must not contain spaces or control characters");
        }
    }
    keys = std::move(*values);
}

// llama_server: a bare name is looked up on PATH when the daemon starts; anything with a "/" or
// "~" is a file, relative to the config file's directory.
void read_llama_server(Reader& r, const toml::node& node, const std::string& key, Target& t) {
    auto text = r.string(node, key);
    if (!text) return;
    if (is_bare_program_name(*text)) {
        t.config.llama_server = *text;
    } else if (auto path = r.path(node, key)) {
        t.config.llama_server = *path;
    } else {
        return;
    }
    t.set_in_file.llama_server = true;
}

// models_dir = "" switches discovery off.
void read_models_dir(Reader& r, const toml::node& node, const std::string& key, Target& t) {
    auto text = r.string(node, key);
    if (!text) return;
    if (text->empty()) {
        t.config.models_dir.clear();
    } else if (auto path = r.path(node, key)) {
        t.config.models_dir = *path;
    } else {
        return;
    }
    t.set_in_file.models_dir = true;
}

void read_port_range(Reader& r, const toml::node& node, const std::string& key, Target& t) {
    auto text = r.string(node, key);
    if (!text) return;
    auto parsed = parse_port_range(*text);
    if (auto* message = std::get_if<std::string>(&parsed)) {
        r.error(node, key, *message);
        return;
    }
    std::tie(t.config.port_range_first, t.config.port_range_last) = std::get<std::pair<uint16_t, uint16_t>>(parsed);
}

void read_budget(Reader& r, const toml::node& node, const std::string& key, MemoryConfig& memory) {
    const toml::table* table = r.table(node, key);
    if (!table) return;
    for (auto&& [device, value] : *table) {
        std::string device_key = child_key(key, device.str());
        std::string_view index = device.str();
        bool numeric = !index.empty() && index.size() <= 6 &&
                       std::all_of(index.begin(), index.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        if (!numeric) {
            r.error(value, device_key, "expected a GPU index such as \"0\" as the key, got \"" + std::string(index) + "\"");
            continue;
        }
        if (auto bytes = r.size(value, device_key, false)) memory.budget_bytes[std::stoi(std::string(index))] = *bytes;
    }
}

constexpr std::string_view kMemorySettings[] = {"reserve", "budget"};

void read_memory(Reader& r, const toml::node& node, const std::string& key, Target& t) {
    const toml::table* table = r.table(node, key);
    if (!table) return;
    for (auto&& [name, value] : *table) {
        std::string setting_key = child_key(key, name.str());
        if (name.str() == "reserve") {
            if (auto bytes = r.size(value, setting_key, true)) t.config.memory.reserve_bytes = *bytes;
        } else if (name.str() == "budget") {
            read_budget(r, value, setting_key, t.config.memory);
        } else {
            r.unknown_key(name, setting_key, kMemorySettings);
        }
    }
}

// The front door's per-client bounds and browser rules (docs/LIMITS.md).

void read_flag(Reader& r, const toml::node& node, const std::string& key, bool& flag) {
    r.remember(key, node);
    if (const auto* value = node.as_boolean()) flag = value->get();
    else r.error(node, key, "expected true or false");
}

// Origins as browsers send them, "scheme://host[:port]" (text_rules.h), stored lowercase;
// "*" (every origin) only where `wildcard` allows it: cors_origins, never admin_origins.
void read_origins(Reader& r, const toml::node& node, const std::string& key, std::vector<std::string>& origins,
                  bool wildcard) {
    auto values = r.strings(node, key);
    if (!values) return;
    origins.clear();
    for (size_t i = 0; i < values->size(); ++i) {
        std::string origin = (*values)[i];
        auto problem = cors_origin_problem(origin);
        if (!problem && origin == "*" && !wildcard) {
            problem = "\"*\" cannot be allowed here: list the origins of the tools you use";
        }
        if (problem) {
            r.error_at(index_key(key, i), *problem);
            continue;
        }
        std::transform(origin.begin(), origin.end(), origin.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        origins.push_back(std::move(origin));
    }
}

const Setting kSettings[] = {
    {"listen", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(read_listen(r, n, k), t.config.listen); }},
    {"admin_listen", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(read_listen(r, n, k), t.config.admin_listen); }},
    {"llama_server", read_llama_server},
    {"models_dir", read_models_dir},
    {"port_range", read_port_range},
    {"api_keys", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { read_keys(r, n, k, t.config.api_keys); }},
    {"admin_api_keys", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { read_keys(r, n, k, t.config.admin_api_keys); }},
    {"max_body_size", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.size(n, k, false), t.config.max_body_bytes); }},
    {"upstream_timeout", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.duration(n, k, DurationRule::positive), t.config.upstream_timeout); }},
    {"drain_timeout", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.duration(n, k, DurationRule::zero_allowed), t.config.drain_timeout); }},
    {"workers", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.integer(n, k, 0, 256), t.config.workers); }},
    {"header_timeout", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.duration(n, k, DurationRule::positive), t.config.header_timeout); }},
    {"body_timeout", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.duration(n, k, DurationRule::positive), t.config.body_timeout); }},
    {"keepalive_timeout", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.duration(n, k, DurationRule::positive), t.config.keepalive_timeout); }},
    {"send_timeout", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.duration(n, k, DurationRule::positive), t.config.send_timeout); }},
    {"max_connections", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(r.integer(n, k, 1, 1'000'000), t.config.max_connections); }},
    {"admin_origins", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { read_origins(r, n, k, t.config.admin_origins, false); }},
    {"forward_credentials", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { read_flag(r, n, k, t.config.forward_credentials); }},
    {"memory", read_memory},
    {"agent_listen", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { set(read_listen(r, n, k), t.config.agent_listen); }},
    {"cors_origins", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { read_origins(r, n, k, t.config.cors_origins, true); }},
    {"watch_models_dir", [](Reader& r, const toml::node& n, const std::string& k, Target& t) { read_flag(r, n, k, t.config.watch_models_dir); }},
    // Read by service_section.cpp; listed here so that they are known keys.
    {"defaults", [](Reader&, const toml::node&, const std::string&, Target&) {}},
    {"services", [](Reader&, const toml::node&, const std::string&, Target&) {}},
};

// Loopback by default (docs/CONFIG.md), and loud when the door is open to the network without keys.
void warn_about_exposure(Reader& r, const Config& config) {
    auto render = [](const ListenAddress& address) {
        bool v6 = address.host.find(':') != std::string::npos;
        return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
    };
    if (!is_loopback_host(config.listen.host) && config.api_keys.empty()) {
        r.warning_at("listen", render(config.listen) +
                                   " can be reached from other machines and api_keys is empty: anyone who can "
                                   "connect can use your models. Set api_keys, or listen on 127.0.0.1");
    }
    if (config.admin_listen && !is_loopback_host(config.admin_listen->host) && config.admin_api_keys.empty() &&
        config.api_keys.empty()) {
        r.warning_at("admin_listen", render(*config.admin_listen) +
                                         " can be reached from other machines and no API keys are set: anyone who "
                                         "can connect can stop and start your services. Set admin_api_keys");
    }
}

}  // namespace

SetInFile read_daemon_settings(Reader& reader, const toml::table& root, Config& config) {
    static const std::vector<std::string_view> kNames = setting_names(kSettings);
    SetInFile set_in_file;
    Target target{config, set_in_file};
    for (auto&& [name, value] : root) {
        std::string key = child_key("", name.str());
        if (const Setting* setting = find_setting(kSettings, name.str())) {
            setting->apply(reader, value, key, target);
        } else {
            reader.unknown_key(name, key, kNames,
                               is_service_setting(name.str()) ? "it is a service setting: put it under [defaults] "
                                                                "or [services.NAME]"
                                                              : "");
        }
    }
    warn_about_exposure(reader, config);
    return set_in_file;
}

}  // namespace ggufd::config
