// The validated configuration: plain, immutable data that every other part reads.
// It is produced only by config::load() (loader.h), which checks everything before the daemon
// starts anything; nothing downstream re-validates or mutates it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ggufd::config {

using Duration = std::chrono::milliseconds;

enum class LoadMode { eager, lazy };
enum class RestartPolicy { never, on_failure, always };

/// Where a setting came from, so that later errors (a missing model file, a port in use) can
/// point at the line the user has to change. `file` is empty for discovered services.
struct SourceLocation {
    std::filesystem::path file;
    int line = 0;
    bool operator==(const SourceLocation&) const = default;
};

/// One model served by one child process. `name` is what clients put in `model`.
struct ServiceConfig {
    std::string name;
    SourceLocation defined_at;
    bool discovered = false;                  ///< found in models_dir rather than configured

    std::filesystem::path model;              ///< GGUF file ("~" expanded); may be empty with `command`
    std::optional<std::filesystem::path> mmproj;  ///< projector file: configured, or found beside the model
    bool projector_beside_model = true;       ///< false (`mmproj = false`): never look for one
    std::optional<uint16_t> port;             ///< fixed port; otherwise one from port_range
    LoadMode load = LoadMode::eager;          ///< configured services: eager; discovered: lazy
    std::vector<std::string> aliases;
    std::vector<std::string> args;            ///< appended verbatim to llama-server's argv
    std::map<std::string, std::string> env;   ///< added to the daemon's environment

    std::optional<std::vector<int>> gpus;     ///< nullopt: default mask (discrete GPUs); empty: CPU only
    std::optional<int> ctx_size;              ///< nullopt: llama-server's own default
    int n_gpu_layers = -1;                    ///< -1: all layers
    std::optional<int> parallel;
    std::optional<std::string> cpu_affinity;  ///< "0-7,16": the child is pinned to these CPUs

    /// A full command instead of llama-server: any OpenAI-compatible server. "{port}" and
    /// "{model}" in any element are replaced. Empty: run llama-server with mapped settings.
    std::vector<std::string> command;
    std::string health_path = "/health";

    RestartPolicy restart = RestartPolicy::on_failure;
    int restart_limit = 5;                    ///< restarts allowed within restart_window ...
    Duration restart_window = std::chrono::minutes(10);  ///< ... before the service is `failed`
    Duration start_timeout = std::chrono::seconds(300);
    Duration stop_timeout = std::chrono::seconds(10);    ///< SIGTERM grace before SIGKILL
    Duration health_interval = std::chrono::seconds(5);
    Duration health_timeout = std::chrono::seconds(2);
    int health_failures = 3;                  ///< consecutive failed polls that make it unhealthy
    Duration idle_unload{0};                  ///< 0: never unload for idleness
    std::optional<uint64_t> memory_bytes;     ///< overrides the GGUF-based memory estimate

    // Liveness beyond /health and the child's output (docs/CONFIG.md, "Liveness").
    /// A request whose child sends no response head within this gets 504, and counts towards
    /// health_failures in a row (0: never). A non-streamed reply's head comes with its end.
    Duration first_byte_timeout = std::chrono::minutes(5);
    /// After this long without requests, a ready service is sent a one-token completion (0: never).
    Duration inference_probe{0};
    Duration inference_probe_timeout = std::chrono::seconds(60);
    /// Lines of the child's output per second that reach the daemon's log, in bursts of up to ten
    /// seconds' worth; the rest is counted in one "suppressed" line (0: no limit).
    int log_rate_limit = 100;

    bool operator==(const ServiceConfig&) const = default;
};

/// Whether two definitions of a service would run the same child: everything but where in the
/// file it was written. A reload restarts a service only when this is false.
bool same_settings(const ServiceConfig& a, const ServiceConfig& b);

/// Per-device memory budget (docs/MEMORY.md, docs/CONFIG.md).
struct MemoryConfig {
    uint64_t reserve_bytes = 512ull << 20;    ///< kept free on each device when no budget is set
    std::map<int, uint64_t> budget_bytes;     ///< device index -> budget, overriding total - reserve
    bool operator==(const MemoryConfig&) const = default;
};

struct ListenAddress {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;
    bool operator==(const ListenAddress&) const = default;
};

struct Config {
    std::filesystem::path source_file;        ///< empty when running without a config file

    ListenAddress listen;
    std::optional<ListenAddress> admin_listen;  ///< admin API on its own listener when set
    std::filesystem::path llama_server = "llama-server";
    std::filesystem::path models_dir;
    uint16_t port_range_first = 2000;
    uint16_t port_range_last = 2099;
    std::vector<std::string> api_keys;        ///< non-empty: the front door requires a Bearer key
    std::vector<std::string> admin_api_keys;  ///< non-empty: admin endpoints require one of these

    uint64_t max_body_bytes = 64ull << 20;
    Duration upstream_timeout = std::chrono::seconds(600);  ///< silence from a child before 504
    Duration drain_timeout = std::chrono::seconds(30);      ///< in-flight requests at shutdown
    int workers = 0;                          ///< front-door event loops; 0: one per CPU (max 4)

    // What one client may cost the front door (docs/LIMITS.md): nginx's defaults where it has one.
    Duration header_timeout = std::chrono::seconds(60);     ///< the whole request head, from its first byte
    Duration body_timeout = std::chrono::minutes(5);        ///< the whole body, from the end of the head
    Duration keepalive_timeout = std::chrono::seconds(75);  ///< idle between requests
    Duration send_timeout = std::chrono::seconds(60);       ///< a client that takes none of our bytes
    int max_connections = 1024;                             ///< client connections, all workers together
    /// Browser origins ("http://localhost:3000") allowed on a keyless admin API besides the
    /// daemon's own (docs/LIMITS.md, "The admin API and browsers").
    std::vector<std::string> admin_origins;
    bool forward_credentials = false;         ///< pass Authorization and X-Api-Key on to children

    // Scale-out (docs/SCALE-OUT.md): HAProxy's agent-check endpoint, off when unset.
    std::optional<ListenAddress> agent_listen;
    /// Browser origins allowed to call /v1/* and /upstream/* (CORS): "*" (any, the default, as
    /// llama-server does) or "scheme://host[:port]" entries, lowercase. Empty: no CORS headers.
    std::vector<std::string> cors_origins{"*"};
    /// Follow models_dir with inotify: models added, removed or renamed there are picked up
    /// without a reload (README.md, "Models that appear").
    bool watch_models_dir = true;

    MemoryConfig memory;
    std::vector<ServiceConfig> services;      ///< configured first, then discovered, names unique
    /// What [defaults] gave: the settings of services discovered later (config::rediscover).
    ServiceConfig discovery_defaults;
};

std::string_view to_string(LoadMode mode);
std::string_view to_string(RestartPolicy policy);

}  // namespace ggufd::config
