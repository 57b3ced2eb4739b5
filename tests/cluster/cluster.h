// A fleet on one machine for the scale-out suite (docs/SCALE-OUT.md): ggufd nodes on their own
// loopback addresses (127.0.0.2, 127.0.0.3, ...) with real llama-server children, and a real
// HAProxy started on the config `ggufd haproxy-config` writes for them.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon.h"
#include "process.h"
#include "temp_dir.h"

namespace ggufd::test {

/// One ggufd node: its own address, an agent, and the services given (a TOML fragment).
class Node {
public:
    Node(const TempDir& dir, const std::string& host, const std::string& services, const std::string& llama_server);

    Daemon& daemon() { return *daemon_; }
    const Daemon& daemon() const { return *daemon_; }
    std::string url() const { return daemon_->url(); }
    std::string address() const { return daemon_->host() + ":" + std::to_string(daemon_->port()); }
    uint16_t agent_port() const { return agent_port_; }

    /// Requests this node's service has answered so far (its `requests` count).
    long requests(const std::string& service) const;

private:
    uint16_t agent_port_ = 0;
    std::unique_ptr<Daemon> daemon_;
};

/// One server line as HAProxy's stats socket shows it.
struct ServerStat {
    std::string status;  ///< UP, DOWN, DRAIN, MAINT, "UP 1/2", ...
    int weight = -1;
    long sessions = 0;   ///< requests HAProxy has sent it (stot)
};

/// HAProxy on the generated config, in the foreground, killed at the end of the test.
class Balancer {
public:
    /// Runs `ggufd haproxy-config` for `nodes` and starts HAProxy on its output.
    Balancer(const TempDir& dir, const std::vector<Node*>& nodes);
    ~Balancer();

    uint16_t port() const { return port_; }
    const std::filesystem::path& config() const { return config_; }
    std::string log() const { return process_ ? process_->log() : generator_output_; }

    /// The server line for `node` in `backend` (e.g. "serve_gemma"); nullopt when unknown.
    std::optional<ServerStat> server(const std::string& backend, const Node& node) const;
    /// Waits until that line's status starts with `status` ("UP", "DOWN", "DRAIN", "MAINT").
    bool wait_status(const std::string& backend, const Node& node, const std::string& status,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

private:
    std::string stats() const;

    uint16_t port_ = 0;
    std::filesystem::path config_;
    std::filesystem::path socket_;
    std::string generator_output_;
    std::unique_ptr<ChildProcess> process_;
};

/// llama-server and HAProxy for the suite; a test skips (loudly) without them.
struct ClusterTools {
    std::string llama_server;
    std::string haproxy;
    std::string missing;  ///< non-empty: what is missing and where it was looked for
};
ClusterTools find_cluster_tools();

/// A tiny model the tests serve, written once per test into `dir`.
std::filesystem::path write_tiny_model(const TempDir& dir, const std::string& name, uint64_t seed);

}  // namespace ggufd::test
