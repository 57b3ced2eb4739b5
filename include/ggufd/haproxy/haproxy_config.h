// The haproxy.cfg `ggufd haproxy-config` writes for a fleet (docs/SCALE-OUT.md): a frontend that
// routes POST /v1/* on the body's "model", two backends per model (the nodes serving it now,
// weighted by their agents; the nodes that could start it), retries that move a request which
// never reached a child, and the answers HAProxy gives itself. Pure text, golden-tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "ggufd/haproxy/fleet.h"

namespace ggufd::haproxy {

struct ConfigOptions {
    Endpoint listen{"127.0.0.1", 8080};         ///< where HAProxy takes clients
    std::filesystem::path data_dir;             ///< absolute: models.json, names.lst, model-*.json
    std::chrono::milliseconds check_interval{1000};  ///< health checks and agent checks
    uint64_t max_body_bytes = 256 * 1024;       ///< tune.bufsize: bodies routed on "model" fit in it
    std::optional<std::filesystem::path> stats_socket;  ///< HAProxy's admin socket, if wanted
    std::optional<std::filesystem::path> api_keys_file;  ///< keys HAProxy checks before its own answers
    std::string generated_by;                   ///< the header's first line (command, time)
};

std::string render_haproxy_config(const Fleet& fleet, const ConfigOptions& options);

}  // namespace ggufd::haproxy
