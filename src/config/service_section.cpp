// [defaults] and [services.NAME]: one table of settings, each with the code that reads it, shared
// by both sections so that a service and the defaults it inherits can never disagree on a key.
#include <algorithm>
#include <climits>
#include <set>

#include "sections.h"
#include "text_rules.h"

namespace ggufd::config {
namespace {

enum class Scope { defaults, service };

using Apply = void (*)(Reader&, const toml::node&, const std::string& key, ServiceConfig&);

/// One key of a service table. `per_service` keys (a model file, a port, aliases...) describe one
/// model and make no sense in [defaults].
struct Setting {
    std::string_view name;
    bool per_service;
    Apply apply;
};

constexpr std::string_view kLoadModes[] = {"eager", "lazy"};
constexpr std::string_view kRestartPolicies[] = {"never", "on-failure", "always"};

bool valid_env_name(std::string_view name) {
    return !name.empty() && name.find('=') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

void read_aliases(Reader& r, const toml::node& node, const std::string& key, ServiceConfig& s) {
    auto aliases = r.strings(node, key);
    if (!aliases) return;
    for (size_t i = 0; i < aliases->size(); ++i) {
        if (auto problem = name_problem((*aliases)[i])) r.error_at(index_key(key, i), *problem);
    }
    s.aliases = std::move(*aliases);
}

void read_env(Reader& r, const toml::node& node, const std::string& key, ServiceConfig& s) {
    const toml::table* table = r.table(node, key);
    if (!table) return;
    for (auto&& [name, value] : *table) {
        std::string variable_key = child_key(key, name.str());
        if (!valid_env_name(name.str())) {
            r.error(value, variable_key, "\"" + std::string(name.str()) + "\" is not a valid environment variable name");
            continue;
        }
        // Merged key by key: a service adds to (or replaces single variables of) [defaults].env.
        if (auto text = r.string(value, variable_key)) s.env.insert_or_assign(std::string(name.str()), *text);
    }
}

void read_gpus(Reader& r, const toml::node& node, const std::string& key, ServiceConfig& s) {
    auto gpus = r.integers(node, key, 0, INT_MAX);
    if (!gpus) return;
    std::set<int64_t> seen;
    for (size_t i = 0; i < gpus->size(); ++i) {
        if (!seen.insert((*gpus)[i]).second) {
            r.error_at(index_key(key, i), "GPU " + std::to_string((*gpus)[i]) + " is listed twice");
        }
    }
    s.gpus = std::vector<int>(gpus->begin(), gpus->end());
}

void read_command(Reader& r, const toml::node& node, const std::string& key, ServiceConfig& s) {
    auto command = r.strings(node, key);
    if (!command) return;
    if (command->empty() || command->front().empty()) {
        r.error_at(key, "must start with the program to run, e.g. [\"/opt/server\", \"--port\", \"{port}\"]");
        return;
    }
    s.command = std::move(*command);
}

void read_health(Reader& r, const toml::node& node, const std::string& key, ServiceConfig& s) {
    auto path = r.string(node, key);
    if (!path) return;
    if (!path->starts_with('/')) {
        r.error_at(key, "must be a URL path starting with \"/\", e.g. \"/health\", got \"" + *path + "\"");
        return;
    }
    s.health_path = *path;
}

// A path, or false: no projector, not even the one beside the model.
void read_mmproj(Reader& r, const toml::node& node, const std::string& key, ServiceConfig& s) {
    if (const auto* flag = node.as_boolean()) {
        r.remember(key, node);
        if (flag->get()) r.error(node, key, "true is not a projector: write its path, or false for none");
        else s.projector_beside_model = false;
        return;
    }
    set(r.path(node, key), s.mmproj);
}

void read_cpu_affinity(Reader& r, const toml::node& node, const std::string& key, ServiceConfig& s) {
    auto cpus = r.string(node, key);
    if (!cpus) return;
    if (auto problem = cpu_list_problem(*cpus)) {
        r.error_at(key, *problem);
        return;
    }
    s.cpu_affinity = *cpus;
}

const Setting kSettings[] = {
    {"model", true, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.path(n, k), s.model); }},
    {"mmproj", true, read_mmproj},
    {"port", true, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) {
         if (auto port = r.integer(n, k, 1, 65535)) s.port = static_cast<uint16_t>(*port);
     }},
    {"aliases", true, read_aliases},
    {"command", true, read_command},
    {"memory", true, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.size(n, k, false), s.memory_bytes); }},
    {"load", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) {
         if (auto mode = r.choice(n, k, kLoadModes)) s.load = *mode == "eager" ? LoadMode::eager : LoadMode::lazy;
     }},
    {"args", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.strings(n, k), s.args); }},
    {"env", false, read_env},
    {"gpus", false, read_gpus},
    {"ctx_size", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.integer(n, k, 0, INT_MAX), s.ctx_size); }},
    {"n_gpu_layers", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.integer(n, k, -1, INT_MAX), s.n_gpu_layers); }},
    {"parallel", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.integer(n, k, 1, INT_MAX), s.parallel); }},
    {"cpu_affinity", false, read_cpu_affinity},
    {"health", false, read_health},
    {"restart", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) {
         if (auto policy = r.choice(n, k, kRestartPolicies)) {
             s.restart = *policy == "never" ? RestartPolicy::never
                         : *policy == "always" ? RestartPolicy::always : RestartPolicy::on_failure;
         }
     }},
    {"restart_limit", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.integer(n, k, 0, INT_MAX), s.restart_limit); }},
    {"restart_window", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::positive), s.restart_window); }},
    {"start_timeout", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::positive), s.start_timeout); }},
    {"stop_timeout", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::zero_allowed), s.stop_timeout); }},
    {"health_interval", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::positive), s.health_interval); }},
    {"health_timeout", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::positive), s.health_timeout); }},
    {"health_failures", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.integer(n, k, 1, INT_MAX), s.health_failures); }},
    {"idle_unload", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::zero_or_never), s.idle_unload); }},
    // Liveness (the supervisor's keys; docs/CONFIG.md).
    {"first_byte_timeout", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::zero_or_never), s.first_byte_timeout); }},
    {"inference_probe", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::zero_or_never), s.inference_probe); }},
    {"inference_probe_timeout", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.duration(n, k, DurationRule::positive), s.inference_probe_timeout); }},
    {"log_rate_limit", false, [](Reader& r, const toml::node& n, const std::string& k, ServiceConfig& s) { set(r.integer(n, k, 0, INT_MAX), s.log_rate_limit); }},
};

void apply_settings(Reader& r, const toml::table& table, const std::string& prefix, Scope scope, ServiceConfig& s) {
    static const std::vector<std::string_view> kNames = setting_names(kSettings);
    for (auto&& [name, value] : table) {
        std::string key = child_key(prefix, name.str());
        const Setting* setting = find_setting(kSettings, name.str());
        if (!setting) {
            // [services.gemma3.4b] makes a table "4b" inside service "gemma3": say how to quote it.
            std::string hint = scope == Scope::service && value.is_table()
                ? "a service name containing \".\" must be quoted: [services.\"" + s.name + "." +
                      std::string(name.str()) + "\"]"
                : std::string();
            r.unknown_key(name, key, kNames, hint);
        } else if (setting->per_service && scope == Scope::defaults) {
            r.error(value, key, "can only be set per service, in [services.NAME]");
        } else {
            setting->apply(r, value, key, s);
        }
    }
}

// What a service needs to be startable at all; whether its files exist is checked at start time.
// Keys that were written but failed to read have been reported already and are not repeated.
void check_runnable(Reader& r, const std::string& key, const toml::table& table, const ServiceConfig& s) {
    bool has_model = table.contains("model");
    if (!has_model && !table.contains("command")) {
        r.error_at(key, "needs a model file (model = \"/path/to/model.gguf\") or a full command (command = [...])");
        return;
    }
    auto uses = [&](std::string_view placeholder) {
        return std::any_of(s.command.begin(), s.command.end(),
                           [&](const std::string& arg) { return arg.find(placeholder) != std::string::npos; });
    };
    std::string command_key = child_key(key, "command");
    if (!s.command.empty() && !uses("{port}") && !table.contains("port")) {
        r.error_at(command_key, "has no \"{port}\" placeholder and the service has no fixed port, so ggufd cannot "
                                "know where it listens: put \"{port}\" in the command or set port = N");
    }
    if (uses("{model}") && !has_model) {
        r.error_at(command_key, "uses \"{model}\" but the service sets no model");
    }
}

// [services.gemma3.4b] reads as service "gemma3" holding a table "4b": an unknown key with a
// hint is reported, and the service's other shortcomings would only be noise.
bool misnamed(const toml::table& table) {
    return std::any_of(table.begin(), table.end(),
                       [](const auto& entry) { return entry.second.is_table() && !is_service_setting(entry.first.str()); });
}

}  // namespace

std::string service_key(std::string_view name) { return child_key("services", name); }

bool is_service_setting(std::string_view name) { return find_setting(kSettings, name) != nullptr; }

ServiceConfig read_defaults(Reader& reader, const toml::table& root) {
    ServiceConfig defaults;
    if (const toml::node* node = root.get("defaults")) {
        if (const toml::table* table = reader.table(*node, "defaults")) {
            apply_settings(reader, *table, "defaults", Scope::defaults, defaults);
        }
    }
    return defaults;
}

std::vector<ServiceConfig> read_services(Reader& reader, const toml::table& root, const ServiceConfig& defaults) {
    std::vector<ServiceConfig> services;
    const toml::node* node = root.get("services");
    const toml::table* table = node ? reader.table(*node, "services") : nullptr;
    if (!table) return services;
    for (auto&& [name, value] : *table) {
        std::string key = service_key(name.str());
        const toml::table* settings = reader.table(value, key);
        if (!settings) continue;
        if (auto problem = name_problem(name.str())) reader.error_at(key, "service name " + *problem);
        ServiceConfig service = defaults;
        service.name = std::string(name.str());
        service.defined_at = SourceLocation{reader.diagnostics().file, reader.position_of(key).line};
        apply_settings(reader, *settings, key, Scope::service, service);
        if (!misnamed(*settings)) check_runnable(reader, key, *settings, service);
        services.push_back(std::move(service));
    }
    // toml++ keeps tables sorted by key; status tables and logs read better in file order.
    std::stable_sort(services.begin(), services.end(), [](const ServiceConfig& a, const ServiceConfig& b) {
        return a.defined_at.line < b.defined_at.line;
    });
    return services;
}

}  // namespace ggufd::config
