#include "ggufd/haproxy/node_report.h"

#include <charconv>

#include "ggufd/config/names.h"

namespace ggufd::haproxy {
namespace {

bool is_wildcard(std::string_view host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// A listen address the node reports, as HAProxy on another machine must reach it.
std::variant<Endpoint, std::string> reachable(const nlohmann::json& address, const Endpoint& via, std::string_view key,
                                              std::string_view fix) {
    bool valid = address.is_object() && address.contains("host") && address["host"].is_string() &&
                 address.contains("port") && address["port"].is_number_integer() && address["port"].get<int64_t>() > 0 &&
                 address["port"].get<int64_t>() <= 65535;
    if (!valid) return std::string(key) + " is missing or malformed in its answer";
    Endpoint endpoint{address["host"].get<std::string>(), address["port"].get<uint16_t>()};
    if (is_wildcard(endpoint.host)) endpoint.host = via.host;
    if (config::is_loopback_host(endpoint.host) && !config::is_loopback_host(via.host)) {
        return std::string(key) + " " + to_string(endpoint) + " is reachable from its own machine only; " +
               std::string(fix);
    }
    return endpoint;
}

std::variant<NodeService, std::string> parse_service(const nlohmann::json& entry) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string()) {
        return std::string("a service without a name in its answer");
    }
    NodeService service;
    service.name = entry["name"].get<std::string>();
    // Names go into HAProxy's config: only the characters ggufd's own config allows.
    if (auto problem = config::name_problem(service.name)) return "service " + *problem;
    for (const auto& alias : entry.value("aliases", nlohmann::json::array())) {
        if (!alias.is_string()) continue;
        if (auto problem = config::name_problem(alias.get<std::string>())) return "alias " + *problem;
        service.aliases.push_back(alias.get<std::string>());
    }
    service.lazy = entry.value("load", std::string()) == "lazy";
    service.slots = std::max(1, entry.value("slots", 1));
    service.model_info = entry.value("model_info", nlohmann::json::object());
    return service;
}

}  // namespace

std::string to_string(const Endpoint& endpoint) {
    bool v6 = endpoint.host.find(':') != std::string::npos;
    return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

std::variant<Endpoint, std::string> parse_node_url(std::string_view url) {
    std::string_view rest = url;
    if (!rest.starts_with("http://")) {
        return quoted(url) + ": a node URL starts with http:// (e.g. http://gpu1.lan:8080)";
    }
    rest.remove_prefix(7);
    if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
        if (rest.substr(slash) != "/") return quoted(url) + ": give the node's address only, without a path";
        rest = rest.substr(0, slash);
    }
    Endpoint endpoint{"", 80};
    std::string_view port_text;
    if (rest.starts_with("[")) {
        size_t close = rest.find(']');
        if (close == std::string_view::npos) return quoted(url) + ": an IPv6 address needs its closing ']'";
        endpoint.host = std::string(rest.substr(1, close - 1));
        std::string_view after = rest.substr(close + 1);
        if (!after.empty() && after[0] != ':') return quoted(url) + ": expected ':port' after ']'";
        if (!after.empty()) port_text = after.substr(1);
    } else {
        size_t colon = rest.find(':');
        endpoint.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
    }
    if (endpoint.host.empty()) return quoted(url) + ": no host";
    if (!port_text.empty()) {
        unsigned port = 0;
        auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            return quoted(url) + ": the port must be a number from 1 to 65535";
        }
        endpoint.port = static_cast<uint16_t>(port);
    }
    return endpoint;
}

std::variant<NodeReport, std::string> parse_node_report(std::string_view url, const nlohmann::json& body) {
    auto at = [&](const std::string& problem) { return "node " + std::string(url) + ": " + problem; };
    auto via = parse_node_url(url);
    if (auto* problem = std::get_if<std::string>(&via)) return *problem;
    if (!body.is_object() || !body.contains("services") || !body["services"].is_array()) {
        return at("its GET /node answer is not what ggufd sends; is it a ggufd node of this version?");
    }
    NodeReport report;
    report.url = std::string(url);
    auto server = reachable(body.value("listen", nlohmann::json()), std::get<Endpoint>(via), "listen",
                            "set listen = \"0.0.0.0:PORT\" (with api_keys) on it");
    if (auto* problem = std::get_if<std::string>(&server)) return at(*problem);
    report.server = std::get<Endpoint>(server);
    if (auto agent = body.value("agent", nlohmann::json()); !agent.is_null()) {
        auto endpoint = reachable(agent, std::get<Endpoint>(via), "agent_listen",
                                  "set agent_listen = \"0.0.0.0:PORT\" on it");
        if (auto* problem = std::get_if<std::string>(&endpoint)) return at(*problem);
        report.agent = std::get<Endpoint>(endpoint);
    }
    report.requires_api_key = body.value("api_keys", false);
    for (const auto& entry : body["services"]) {
        auto service = parse_service(entry);
        if (auto* problem = std::get_if<std::string>(&service)) return at(*problem);
        report.services.push_back(std::move(std::get<NodeService>(service)));
    }
    return report;
}

}  // namespace ggufd::haproxy
