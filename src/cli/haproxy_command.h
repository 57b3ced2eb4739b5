// `ggufd haproxy-config`: asks each node what it serves (GET /node) and writes a haproxy.cfg for
// the fleet, with the /v1/models files it answers from (docs/SCALE-OUT.md). With --watch it keeps
// asking and rewrites (and reloads HAProxy) only when the result changes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ggufd::cli {

struct HaproxyConfigOptions {
    std::vector<std::string> nodes;       ///< node URLs (front door or admin_listen)
    std::string listen = "127.0.0.1:8080";  ///< where HAProxy takes clients
    std::string out;                      ///< haproxy.cfg path; empty: standard output
    std::string data_dir;                 ///< empty: "ggufd" beside --out, else ./ggufd-haproxy
    std::string check_interval = "1s";
    std::string max_body = "256KiB";
    std::string stats_socket;
    std::string api_keys_file;
    int watch_seconds = 0;                ///< 0: once
    std::string reload_command;           ///< run after each change in watch mode (no shell)
};

/// kOk; kUsage for bad options or nodes that contradict each other; kUnreachable when a node
/// does not answer (once; in watch mode its last answer is kept); kFailed when writing fails.
int run_haproxy_config(const HaproxyConfigOptions& options);

}  // namespace ggufd::cli
