// Parsers for the structured strings of the config file (see text_rules.h).
#include "text_rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ggufd::config {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// A whole decimal number in [0, max], nothing else (no sign, no spaces).
std::optional<uint32_t> whole_number(std::string_view text, uint32_t max) {
    if (text.empty() || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool valid_host_name(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
}

bool valid_ipv6(std::string_view host) {
    return host.find(':') != std::string_view::npos && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.' || c == '%';
    });
}

}  // namespace

units::Parsed<ListenAddress> parse_listen_address(std::string_view text) {
    const std::string expected = in_quotes(text) +
        ": expected host:port, e.g. \"127.0.0.1:8080\" (this machine only), \"0.0.0.0:8080\" (every "
        "interface) or \"[::1]:8080\"";
    std::string_view host, port;
    if (text.starts_with('[')) {
        size_t close = text.find(']');
        if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") return expected;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (!valid_ipv6(host)) return expected;
    } else {
        size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return expected;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            return in_quotes(text) + ": put an IPv6 address in brackets, e.g. \"[::1]:8080\"";
        }
        if (host.empty()) {
            return in_quotes(text) + ": give the host too: \"127.0.0.1" + std::string(text) +
                   "\" (this machine only) or \"0.0.0.0" + std::string(text) + "\" (every interface)";
        }
        if (!valid_host_name(host)) return expected;
    }
    auto number = whole_number(port, 65535);
    if (!number) return in_quotes(text) + ": the port must be a number from 0 to 65535";
    return ListenAddress{std::string(host), static_cast<uint16_t>(*number)};
}

units::Parsed<std::pair<uint16_t, uint16_t>> parse_port_range(std::string_view text) {
    const std::string expected = in_quotes(text) + ": expected first-last, e.g. \"2000-2099\"";
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) return expected;
    auto first = whole_number(text.substr(0, dash), 65535);
    auto last = whole_number(text.substr(dash + 1), 65535);
    if (!first || !last) return expected;
    if (*first == 0 || *last == 0) return in_quotes(text) + ": ports must be between 1 and 65535";
    if (*first > *last) return in_quotes(text) + ": the first port must not be above the last";
    return std::pair{static_cast<uint16_t>(*first), static_cast<uint16_t>(*last)};
}

std::optional<std::string> cpu_list_problem(std::string_view text) {
    const std::string expected = in_quotes(text) + ": expected CPU numbers and ranges, e.g. \"0-7,16\"";
    if (text.empty()) return expected;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = std::min(text.find(',', start), text.size());
        std::string_view item = text.substr(start, comma - start);
        size_t dash = item.find('-');
        constexpr uint32_t kMaxCpu = 1u << 20;
        if (dash == std::string_view::npos) {
            if (!whole_number(item, kMaxCpu)) return expected;
        } else {
            auto low = whole_number(item.substr(0, dash), kMaxCpu);
            auto high = whole_number(item.substr(dash + 1), kMaxCpu);
            if (!low || !high) return expected;
            if (*low > *high) return in_quotes(text) + ": range \"" + std::string(item) + "\" runs backwards";
        }
        start = comma + 1;
    }
    return std::nullopt;
}

std::optional<std::string> name_problem(std::string_view name) {
    if (name.empty()) return std::string("must not be empty");
    bool allowed = std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
    });
    if (!allowed) {
        return in_quotes(name) +
               " may contain only letters, digits, '-', '_', '.' and ':' (names appear in URLs such as "
               "/health/<name>)";
    }
    if (std::all_of(name.begin(), name.end(), [](char c) { return c == '.'; })) {
        return in_quotes(name) + " is not a usable name (it means a directory in URLs)";
    }
    return std::nullopt;
}

std::optional<std::string> cors_origin_problem(std::string_view text) {
    if (text == "*") return std::nullopt;
    const std::string expected = in_quotes(text) +
        ": expected an origin as a browser sends it, scheme://host[:port], e.g. "
        "\"https://chat.example.com\" or \"http://localhost:3000\"";
    if (text == "null") {
        return std::string("\"null\" cannot be allowed: sandboxed pages and file:// pages all send it, so any page "
                           "could claim it; serve the page over http(s) and list that origin");
    }
    size_t separator = text.find("://");
    if (separator == std::string_view::npos || separator == 0) return expected;
    std::string_view scheme = text.substr(0, separator);
    std::string_view authority = text.substr(separator + 3);
    bool scheme_ok = std::isalpha(static_cast<unsigned char>(scheme[0])) &&
                     std::all_of(scheme.begin(), scheme.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
                     });
    if (!scheme_ok) return expected;
    if (size_t path = authority.find_first_of("/?#"); path != std::string_view::npos) {
        if (path == authority.size() - 1 && authority.back() == '/') {
            return in_quotes(text) + ": remove the trailing \"/\": an origin has no path";
        }
        return in_quotes(text) + ": an origin has no path, query or fragment: scheme://host[:port] only";
    }
    std::string_view host = authority, port;
    if (authority.starts_with('[')) {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return expected;
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) return expected;
        if (!after.empty()) port = after.substr(1);
        if (!valid_ipv6(host)) return expected;
    } else {
        if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
            if (port.empty()) return expected;
        }
        if (!valid_host_name(host)) return expected;
    }
    if (!port.empty() && !whole_number(port, 65535).value_or(0)) {
        return in_quotes(text) + ": the port must be a number from 1 to 65535";
    }
    return std::nullopt;
}

bool is_loopback_host(std::string_view host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace ggufd::config
