#include "admin_guard.h"

#include <arpa/inet.h>

namespace ggufd::gateway {
namespace {

bool same_origin(std::string_view origin, std::string_view host) {
    for (std::string_view scheme : {"http://", "https://"}) {
        if (origin.size() == scheme.size() + host.size() && net::iequals(origin.substr(0, scheme.size()), scheme) &&
            net::iequals(origin.substr(scheme.size()), host)) {
            return true;
        }
    }
    return false;
}

bool listed(std::string_view origin, const std::vector<std::string>& allowed) {
    for (const auto& entry : allowed) {
        if (net::iequals(entry, origin)) return true;
    }
    return false;
}

std::string how_to_allow() {
    return " To use the admin API from a browser-based tool, add the tool's origin to admin_origins, or set "
           "admin_api_keys and send the key (see docs/LIMITS.md)";
}

}  // namespace

std::string_view host_without_port(std::string_view authority) {
    if (authority.starts_with('[')) {
        size_t close = authority.find(']');
        return close == std::string_view::npos ? authority : authority.substr(0, close + 1);
    }
    return authority.substr(0, authority.find(':'));
}

bool is_loopback_name(std::string_view host) {
    if (net::iequals(host, "localhost")) return true;
    if (host.size() > 10 && net::iequals(host.substr(host.size() - 10), ".localhost")) return true;
    if (host == "::1" || host == "[::1]") return true;
    std::string text(host);
    in_addr address{};
    // inet_pton takes exactly four decimal parts, so names that merely start with "127." fail.
    return ::inet_pton(AF_INET, text.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

std::optional<std::string> admin_refusal(const net::RequestHead& request, bool loopback_listener,
                                         const std::vector<std::string>& allowed_origins) {
    const std::string* host = request.find("host");
    if (loopback_listener && host && !is_loopback_name(host_without_port(*host))) {
        return "admin API: Host \"" + *host +
               "\" is not a loopback name or address, as a web page that rebinds its own name to 127.0.0.1 would "
               "send; call it as http://127.0.0.1:PORT or http://localhost:PORT." + how_to_allow();
    }
    if (const std::string* origin = request.find("origin")) {
        if ((host && same_origin(*origin, *host)) || listed(*origin, allowed_origins)) return std::nullopt;
        return "admin API: cross-site request refused: Origin \"" + *origin + "\" is not this daemon's." +
               how_to_allow();
    }
    const std::string* site = request.find("sec-fetch-site");
    if (site && net::iequals(*site, "cross-site")) {
        return "admin API: cross-site request refused (Sec-Fetch-Site: cross-site)." + how_to_allow();
    }
    return std::nullopt;
}

}  // namespace ggufd::gateway
