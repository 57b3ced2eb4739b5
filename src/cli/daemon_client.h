// How CLI commands talk to a running daemon: plain HTTP to its admin API, with the URL taken
// from --url or the config's listen address, and a key from GGUFD_API_KEY or the config.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "ggufd/config/config.h"

namespace ggufd::cli {

struct DaemonResponse {
    int status = 0;         ///< 0: no answer at all
    std::string body;
    std::string error;      ///< why there was no answer ("connection refused")
};

/// Which of the daemon's doors a client knocks at: the admin API (admin_listen, else listen;
/// admin_api_keys, else api_keys) or the front door (listen; api_keys).
enum class Door { admin, front };

class DaemonClient {
public:
    /// `url` empty: derived from the config. `read_timeout` bounds the wait for an answer: admin
    /// actions wait for a model to load (start_timeout, 5 min).
    DaemonClient(std::string url, const std::optional<config::Config>& config,
                 std::chrono::seconds read_timeout = std::chrono::minutes(15), Door door = Door::admin);

    DaemonResponse get(const std::string& path) const;
    DaemonResponse post(const std::string& path) const;
    /// Streams a response body to `on_data` as it arrives (SSE log following).
    DaemonResponse stream(const std::string& path, const std::function<bool(std::string_view)>& on_data) const;

    const std::string& url() const { return url_; }
    /// Where url() came from, for error messages: "--url", "listen in /x/ggufd.toml", ...
    const std::string& url_source() const { return url_source_; }
    const std::string& api_key() const { return api_key_; }

private:
    std::string url_;
    std::string url_source_;
    std::string api_key_;
    std::chrono::seconds read_timeout_;
};

/// "http://127.0.0.1:8080" for a listen address (a wildcard host is reached through loopback).
std::string url_for(const config::ListenAddress& address);

/// Why no answer came, in words: cpp-httplib's error names ("Connection") mean little to users.
std::string describe_transport_error(const std::string& httplib_error);

/// The message and exit code for a response that is not 2xx (or no response at all).
int report_failure(const DaemonClient& client, const DaemonResponse& response);

/// The `error.message` of an OpenAI-shaped error body, else the body itself.
std::string error_message_of(const std::string& body);

}  // namespace ggufd::cli
