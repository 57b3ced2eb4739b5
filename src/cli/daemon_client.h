// How CLI commands talk to a running daemon: plain HTTP to its admin API, with the URL taken
// from --url or the config's listen address, and a key from GGUFD_API_KEY or the config.
#pragma once

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

class DaemonClient {
public:
    /// `url` empty: derived from the config (admin_listen, else listen).
    DaemonClient(std::string url, const std::optional<config::Config>& config);

    DaemonResponse get(const std::string& path) const;
    DaemonResponse post(const std::string& path) const;
    /// Streams a response body to `on_data` as it arrives (SSE log following).
    DaemonResponse stream(const std::string& path, const std::function<bool(std::string_view)>& on_data) const;

    const std::string& url() const { return url_; }

private:
    std::string url_;
    std::string api_key_;
};

/// The message and exit code for a response that is not 2xx (or no response at all).
int report_failure(const DaemonClient& client, const DaemonResponse& response);

}  // namespace ggufd::cli
