// Names of the config enums as they are written in the TOML file, the one-line rendering of a
// ConfigError, and comparing services across reloads. Kept apart from parsing so that status
// output and the supervisor can use them without toml++.
#include "ggufd/config/config.h"
#include "ggufd/config/loader.h"

namespace ggufd::config {

std::string_view to_string(LoadMode mode) {
    switch (mode) {
        case LoadMode::eager: return "eager";
        case LoadMode::lazy: return "lazy";
    }
    return "?";
}

std::string_view to_string(RestartPolicy policy) {
    switch (policy) {
        case RestartPolicy::never: return "never";
        case RestartPolicy::on_failure: return "on-failure";
        case RestartPolicy::always: return "always";
    }
    return "?";
}

bool same_settings(const ServiceConfig& a, const ServiceConfig& b) {
    ServiceConfig left = a, right = b;
    left.defined_at = right.defined_at = {};  // moving a table in the file changes nothing it runs
    // `mmproj = false` matters only through the projector it keeps out, which `mmproj` shows.
    left.projector_beside_model = right.projector_beside_model = true;
    return left == right;
}

// "file:line:col: key: message", leaving out whatever is unknown, so that editors and terminals
// can jump to the place (the same shape as compiler diagnostics).
std::string ConfigError::to_string() const {
    std::string out = file.string();
    if (line > 0) {
        out += (out.empty() ? "" : ":") + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
    }
    if (!out.empty()) out += ": ";
    if (!key.empty()) out += key + ": ";
    return out + message;
}

}  // namespace ggufd::config
