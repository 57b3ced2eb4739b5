#include "route.h"

#include <cctype>
#include <optional>

namespace ggufd::gateway {
namespace {

// A service name as it may appear in a path segment: no '/', no escapes (names are validated
// against the same rule in the config, so anything else cannot name a service).
bool plausible_name(std::string_view segment) {
    if (segment.empty()) return false;
    for (char c : segment) {
        if (c == '/' || c == '%' || c == '?' || c == '#') return false;
    }
    return true;
}

Route with_kind(RouteKind kind) {
    Route route;
    route.kind = kind;
    return route;
}

// "%3A" -> ':'. nullopt for a malformed escape or one that decodes to a control character.
std::optional<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded += text[i];
            continue;
        }
        if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            return std::nullopt;
        }
        char c = static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        if (std::iscntrl(static_cast<unsigned char>(c))) return std::nullopt;
        decoded += c;
        i += 2;
    }
    return decoded;
}

Route preflight(std::string methods) {
    Route route;
    route.kind = RouteKind::cors_preflight;
    route.allowed_methods = std::move(methods);
    return route;
}

Route wrong_method(std::string allowed) {
    Route route;
    route.kind = RouteKind::method_not_allowed;
    route.allowed_methods = std::move(allowed);
    return route;
}

}  // namespace

Route classify(std::string_view method, std::string_view target) {
    std::string_view path = target;
    std::string_view query;
    if (size_t q = target.find('?'); q != std::string_view::npos) {
        path = target.substr(0, q);
        query = target.substr(q + 1);
    }
    const bool get = method == "GET" || method == "HEAD";
    const bool post = method == "POST";
    const bool options = method == "OPTIONS";
    Route route;

    if (path == "/v1/models" || path.starts_with("/v1/models/")) {
        if (options) return preflight("GET, HEAD");
        if (!get) return wrong_method("GET, HEAD");
        if (path == "/v1/models") return with_kind(RouteKind::models_list);
        route.kind = RouteKind::model_retrieve;
        // An id no service can have (a bad escape) still gets the OpenAI-shaped 404 of an unknown model.
        route.service = percent_decode(path.substr(11)).value_or(std::string(path.substr(11)));
        return route;
    }
    if (path.starts_with("/v1/")) {
        if (options) return preflight("POST");
        return post ? with_kind(RouteKind::model_api) : wrong_method("POST");
    }
    if (path == "/health") {
        if (!get) return wrong_method("GET, HEAD");
        route.kind = RouteKind::health;
        route.query = std::string(query);
        return route;
    }
    if (path.starts_with("/health/")) {
        std::string_view name = path.substr(8);
        if (!plausible_name(name)) return route;
        if (!get) return wrong_method("GET, HEAD");
        route.kind = RouteKind::service_health;
        route.service = std::string(name);
        return route;
    }
    if (path.starts_with("/upstream/")) {
        std::string_view rest = path.substr(10);
        size_t slash = rest.find('/');
        std::string_view name = rest.substr(0, slash);
        if (!plausible_name(name)) return route;
        if (options) return preflight("GET, HEAD, POST, PUT, PATCH, DELETE");
        route.kind = RouteKind::upstream;
        route.service = std::string(name);
        route.upstream_target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
        if (!query.empty()) route.upstream_target += "?" + std::string(query);
        return route;
    }
    if (path == "/services") return get ? with_kind(RouteKind::services_list) : wrong_method("GET, HEAD");
    if (path.starts_with("/services/")) {
        std::string_view rest = path.substr(10);
        size_t slash = rest.find('/');
        std::string_view name = rest.substr(0, slash);
        std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
        if (!plausible_name(name)) return route;
        route.service = std::string(name);
        route.query = std::string(query);
        if (tail.empty()) {
            if (!get) return wrong_method("GET, HEAD");
            route.kind = RouteKind::service_status;
        } else if (tail == "start" || tail == "stop" || tail == "restart") {
            if (!post) return wrong_method("POST");
            route.kind = RouteKind::service_action;
            route.action = std::string(tail);
        } else if (tail == "drain" || tail == "undrain") {
            if (!post) return wrong_method("POST");
            route.kind = RouteKind::drain_action;
            route.action = std::string(tail);
        } else if (tail == "logs") {
            if (!get) return wrong_method("GET, HEAD");
            route.kind = RouteKind::service_logs;
        }
        return route;
    }
    if (path == "/gpus") return get ? with_kind(RouteKind::gpus) : wrong_method("GET, HEAD");
    if (path == "/metrics") return get ? with_kind(RouteKind::metrics) : wrong_method("GET, HEAD");
    if (path == "/reload") return post ? with_kind(RouteKind::reload) : wrong_method("POST");
    if (path == "/node") return get ? with_kind(RouteKind::node_info) : wrong_method("GET, HEAD");
    if (path == "/drain") {
        if (get) return with_kind(RouteKind::drain_status);
        if (!post) return wrong_method("GET, HEAD, POST");
        route.kind = RouteKind::drain_action;
        route.action = "drain";
        return route;
    }
    if (path == "/undrain") {
        if (!post) return wrong_method("POST");
        route.kind = RouteKind::drain_action;
        route.action = "undrain";
        return route;
    }
    return route;
}

bool is_admin(RouteKind kind) {
    switch (kind) {
        case RouteKind::services_list:
        case RouteKind::service_status:
        case RouteKind::service_action:
        case RouteKind::service_logs:
        case RouteKind::gpus:
        case RouteKind::metrics:
        case RouteKind::reload:
        case RouteKind::node_info:
        case RouteKind::drain_status:
        case RouteKind::drain_action:
            return true;
        default:
            return false;
    }
}

bool allows_cors(RouteKind kind) {
    switch (kind) {
        case RouteKind::model_api:
        case RouteKind::models_list:
        case RouteKind::model_retrieve:
        case RouteKind::cors_preflight:
        case RouteKind::upstream:
            return true;
        default:
            return false;
    }
}

std::string query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return "";
}

}  // namespace ggufd::gateway
