// What one ggufd node tells `ggufd haproxy-config` (its GET /node answer), reduced to what a
// balancer needs: where to send requests, where its agent listens, and the services it serves.
// Pure: parsing and address rules are unit-tested without a node.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace ggufd::haproxy {

struct Endpoint {
    std::string host;  ///< a name, an IPv4 address, or an IPv6 address without brackets
    uint16_t port = 0;
    bool operator==(const Endpoint&) const = default;
};

/// "127.0.0.2:8080", "[::1]:8080": as HAProxy writes an address.
std::string to_string(const Endpoint& endpoint);

struct NodeService {
    std::string name;
    std::vector<std::string> aliases;
    bool lazy = false;
    int slots = 1;                 ///< requests it serves at once
    nlohmann::json model_info;     ///< GGUF facts, for the /v1/models entries
};

struct NodeReport {
    std::string url;                ///< as given with --node
    Endpoint server;                ///< where HAProxy sends this node's requests
    std::optional<Endpoint> agent;  ///< where HAProxy asks its agent; nullopt: agent_listen unset
    bool requires_api_key = false;
    std::vector<NodeService> services;
};

/// The host and port of an "http://host[:port][/]" URL (port 80 by default).
std::variant<Endpoint, std::string> parse_node_url(std::string_view url);

/// Reads a node's GET /node answer. The addresses it reports are resolved against the URL it was
/// reached at: a wildcard host ("0.0.0.0") becomes the URL's host, and a loopback host is refused
/// when the URL is not loopback (HAProxy could not reach it). The error names the node and the fix.
std::variant<NodeReport, std::string> parse_node_report(std::string_view url, const nlohmann::json& body);

}  // namespace ggufd::haproxy
