// Binding and asking (see doctor_probes.h).
#include "doctor_probes.h"

#include <cerrno>
#include <cstring>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "ggufd/net/socket.h"

namespace ggufd::cli {

PortProbe probe_port(const std::string& host, uint16_t port) {
    PortProbe probe;
    try {
        net::listen_tcp(host, port, /*reuse_port=*/false, /*backlog=*/1);
    } catch (const net::SocketError& e) {
        probe.free = false;
        probe.error = e.what();
        // SocketError carries strerror's text, not the errno: "listen on H:P: Address already in use".
        probe.in_use = probe.error.ends_with(std::strerror(EADDRINUSE));
    }
    return probe;
}

bool ggufd_answers(const config::ListenAddress& address) {
    // A wildcard listener is reached through loopback.
    std::string host = address.host == "0.0.0.0" || address.host.empty() ? "127.0.0.1"
                       : address.host == "::"                           ? "::1"
                                                                        : address.host;
    httplib::Client client(host, address.port);
    client.set_connection_timeout(1, 0);
    client.set_read_timeout(2, 0);
    auto result = client.Get("/health");
    if (!result || (result->status != 200 && result->status != 503)) return false;
    // ggufd's answer (README.md, "Health checks"): its status and every service's state.
    auto body = nlohmann::json::parse(result->body, nullptr, false);
    return body.is_object() && body.contains("status") && body.contains("services") && body["services"].is_array();
}

}  // namespace ggufd::cli
