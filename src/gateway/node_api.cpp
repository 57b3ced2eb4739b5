#include "node_api.h"

#include <nlohmann/json.hpp>

#include "client_connection.h"
#include "ggufd/agent/slots.h"
#include "status_json.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

nlohmann::json address_json(const std::optional<config::ListenAddress>& address) {
    if (!address) return nullptr;
    return {{"host", address->host}, {"port", address->port}};
}

nlohmann::json node_info(GatewayContext& context) {
    const config::Config& config = context.config;
    nlohmann::json services = nlohmann::json::array();
    // Held for the loop: a reload may publish a new directory and free this one meanwhile.
    auto directory = context.supervisor.directory();
    for (const auto& service : directory->services) {
        const config::ServiceConfig& settings = service->config();
        supervisor::ServiceStatus status = service->status();
        services.push_back({{"name", settings.name},
                            {"aliases", settings.aliases},
                            {"load", config::to_string(settings.load)},
                            {"slots", agent::slots_of(settings)},
                            {"state", supervisor::to_string(status.state)},
                            {"drained", context.drains.drained(settings.name)},
                            {"model_info", model_json(status.model)}});
    }
    return {{"listen", address_json(config.listen)},
            {"admin_listen", address_json(config.admin_listen)},
            {"agent", address_json(config.agent_listen)},
            {"api_keys", !config.api_keys.empty()},
            {"drained", context.drains.node_drained()},
            {"services", services}};
}

nlohmann::json drain_status(GatewayContext& context) {
    using Clock = agent::DrainState::Clock;
    nlohmann::json services = nlohmann::json::array();
    // Held for the loop: a reload may publish a new directory and free this one meanwhile.
    auto directory = context.supervisor.directory();
    for (const auto& service : directory->services) {
        agent::DrainState::Progress progress = context.drains.progress(service->name());
        nlohmann::json not_yet_told = nlohmann::json::array();
        for (agent::Role role : progress.not_yet_told) not_yet_told.push_back(agent::to_string(role));
        nlohmann::json entry = {{"name", service->name()},
                                {"drained", progress.drained},
                                {"in_flight", service->in_flight()},
                                {"checked_by_balancer", progress.checked},
                                {"balancer_not_yet_told", not_yet_told}};
        if (progress.since) {
            entry["drained_for_ms"] =
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - *progress.since).count();
        }
        services.push_back(std::move(entry));
    }
    return {{"node_drained", context.drains.node_drained()},
            {"agent", address_json(context.config.agent_listen)},
            {"services", services}};
}

// Drain or undrain the node (no service in the route) or one service, by name or alias.
void drain_action(ClientConnection& connection, const Route& route) {
    GatewayContext& context = connection.worker().context();
    const bool drain = route.action == "drain";
    if (route.service.empty()) {
        if (drain) context.drains.drain_node();
        else context.drains.undrain_all();
        return connection.respond(Response::json(200, drain_status(context).dump()));
    }
    auto service = context.supervisor.directory()->find(route.service);
    if (!service) {
        return connection.respond(Response::error(404, "no service named \"" + route.service + "\"", "not_found"));
    }
    if (drain) context.drains.drain_service(service->name());
    else context.drains.undrain_service(service->name());
    nlohmann::json status = drain_status(context);
    status["service"] = service->name();  // the service's own name, when it was asked by an alias
    connection.respond(Response::json(200, status.dump()));
}

}  // namespace

void handle_node_request(ClientConnection& connection, const Route& route) {
    GatewayContext& context = connection.worker().context();
    switch (route.kind) {
        case RouteKind::node_info:
            return connection.respond(Response::json(200, node_info(context).dump()));
        case RouteKind::drain_status:
            return connection.respond(Response::json(200, drain_status(context).dump()));
        case RouteKind::drain_action:
            return drain_action(connection, route);
        default:
            return connection.respond(Response::error(404, "no endpoint at " + connection.request().target, "not_found"));
    }
}

}  // namespace ggufd::gateway
