// The real ggufd binary, started by a test on a config of its own: listen address and child
// port range are chosen free, so tests can run in parallel; the process is killed at the end.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "process.h"
#include "temp_dir.h"

namespace ggufd::test {

struct DaemonOptions {
    DaemonOptions(std::string config_text = "") : config(std::move(config_text)) {}

    /// The rest of the config file: [defaults], [services.*], and any top-level keys other than
    /// listen, port_range and models_dir (which Daemon sets) — top-level keys must come first.
    std::string config;
    /// llama_server; empty: the fake llama-server of this build.
    std::string llama_server;
    std::map<std::string, std::string> env;
    std::string models_dir;  ///< empty: discovery off
    std::string host = "127.0.0.1";  ///< listen address (scale-out tests give each node its own)
    bool wait_until_listening = true;
    /// Sent as a Bearer key by service() and wait_state(), for daemons with admin or API keys.
    std::string admin_key;
    /// Runs ggufd through this command, e.g. {"prlimit", "--nofile=1024:1024"}.
    std::vector<std::string> command_prefix;
};

class Daemon {
public:
    Daemon(const TempDir& dir, DaemonOptions options);
    ~Daemon();

    uint16_t port() const { return port_; }
    uint16_t first_child_port() const { return child_ports_; }
    const std::string& host() const { return host_; }
    std::string url() const { return "http://" + host_ + ":" + std::to_string(port_); }
    const std::filesystem::path& config_file() const { return config_file_; }
    ChildProcess& process() { return *process_; }
    std::string log() const { return process_->log(); }

    /// Waits until the front door accepts connections.
    bool wait_listening(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    /// GET /services/<name> as JSON (null on failure).
    nlohmann::json service(const std::string& name) const;
    /// Waits until the service's state is `state`.
    bool wait_state(const std::string& name, const std::string& state,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;

    /// Replaces the config file's services and settings (keeping listen, port_range, models_dir
    /// and llama_server), for reload tests.
    void rewrite_config(const std::string& config_text) const;

    /// Sends `sig` and waits for the exit; the raw wait status, or nullopt on timeout.
    std::optional<int> stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(60));
    /// Starts the daemon again on the same config, addresses and ports, once the last one exited.
    void start_again();

private:
    void launch();

    std::string host_;
    std::map<std::string, std::string> env_;
    std::vector<std::string> command_prefix_;
    int launches_ = 0;
    uint16_t port_ = 0;
    uint16_t child_ports_ = 0;
    std::string fixed_part_;  // the keys the harness sets
    std::string admin_key_;
    std::filesystem::path config_file_;
    std::unique_ptr<ChildProcess> process_;
};

/// The fake llama-server of this build.
std::string fake_llama_server();

/// Reads a --fake-record file (nullopt until it exists and parses).
std::optional<nlohmann::json> read_record(const std::filesystem::path& file);

}  // namespace ggufd::test
