// Binding and asking (see doctor_probes.h).
#include "doctor_probes.h"

#include <cerrno>
#include <cstring>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "daemon_client.h"
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
    httplib::Client client(url_for(address));
    client.set_connection_timeout(1, 0);
    client.set_read_timeout(2, 0);
    auto result = client.Get("/health");
    if (!result || (result->status != 200 && result->status != 503)) return false;
    // ggufd's answer (README.md, "Health checks"): its status and every service's state.
    auto body = nlohmann::json::parse(result->body, nullptr, false);
    return body.is_object() && body.contains("status") && body.contains("services") && body["services"].is_array();
}

RunningGgufd probe_running_ggufd(const config::Config& config) {
    RunningGgufd running;
    running.answers = ggufd_answers(config.listen);
    if (!running.answers) return running;
    DaemonClient client("", config, std::chrono::seconds(5));
    auto response = client.get("/services");
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (response.status != 200 || !body.is_object() || !body["services"].is_array()) return running;
    for (const auto& service : body["services"]) {
        const int port = service.value("port", 0);
        if (port > 0 && port <= 65535) running.services[static_cast<uint16_t>(port)] = service.value("name", "");
    }
    return running;
}

}  // namespace ggufd::cli
