// The commands that talk to a running daemon about its services: status, start, stop,
// restart, logs (docs/CLI.md).
#pragma once

#include <string>

#include "daemon_client.h"

namespace ggufd::cli {

int run_status(const DaemonClient& client, const std::string& service, bool json);
/// action: "start", "stop" or "restart".
int run_service_action(const DaemonClient& client, const std::string& service, const std::string& action, bool json);
int run_logs(const DaemonClient& client, const std::string& service, int tail, bool follow);
/// Asks the daemon to re-read its configuration; exit 2 when the file is invalid.
int run_reload(const DaemonClient& client, bool json);

}  // namespace ggufd::cli
