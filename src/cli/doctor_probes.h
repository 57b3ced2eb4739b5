// The network facts `ggufd doctor` gathers: whether an address can be bound now, and whether the
// program listening on the front door is a ggufd. Small and I/O only; the verdicts are in
// doctor_checks.h.
#pragma once

#include <cstdint>
#include <string>

#include "doctor_checks.h"
#include "ggufd/config/config.h"

namespace ggufd::cli {

/// Tries to bind host:port (and lets go at once).
PortProbe probe_port(const std::string& host, uint16_t port);

/// True when a ggufd answers GET /health at `address` within about two seconds: a 200 "ok"
/// (llama-server answers JSON instead), or a 503 with ggufd's {"status":"unavailable","reason"}.
bool ggufd_answers(const config::ListenAddress& address);

/// Whether a ggufd answers on the config's front door and, when its admin API lets us (the key
/// is found as the client commands find it), which port each of its services runs on.
RunningGgufd probe_running_ggufd(const config::Config& config);

}  // namespace ggufd::cli
