#include "status_api.h"

#include <nlohmann/json.hpp>

#include "client_connection.h"
#include "health_verdict.h"
#include "model_lookup.h"
#include "status_json.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

using supervisor::ServiceState;

nlohmann::json model_entry(const std::string& id, supervisor::ServiceHandle& service, int64_t created) {
    const supervisor::ServiceStatus status = service.status();
    nlohmann::json entry = {
        {"id", id},
        {"object", "model"},
        {"created", created},
        {"owned_by", "ggufd"},
        {"service", service.name()},
        {"aliases", service.config().aliases},
        {"state", supervisor::to_string(status.state)},
        {"port", status.port ? status.port : service.config().port.value_or(0)},
    };
    if (const auto& info = status.model.info) {
        entry["architecture"] = info->architecture;
        entry["parameters"] = info->parameter_count;
        entry["context_length"] = info->context_length ? nlohmann::json(*info->context_length) : nlohmann::json(nullptr);
        entry["quantization"] = info->quantization;
    }
    return entry;
}

Response models_list(GatewayContext& context) {
    auto directory = context.supervisor.directory();
    nlohmann::json data = nlohmann::json::array();
    for (const auto& service : directory->services) {
        int64_t created = unix_seconds(context.started_at);
        data.push_back(model_entry(service->name(), *service, created));
        for (const auto& alias : service->config().aliases) data.push_back(model_entry(alias, *service, created));
    }
    return Response::json(200, nlohmann::json{{"object", "list"}, {"data", data}}.dump());
}

Response model_retrieve(GatewayContext& context, const std::string& id) {
    auto directory = context.supervisor.directory();
    auto service = directory->find(id);
    if (!service) {
        return Response::error(404, unknown_model_message(id, *directory), "model_not_found");
    }
    return Response::json(200, model_entry(id, *service, unix_seconds(context.started_at)).dump());
}

Response daemon_health(GatewayContext& context, const Route& route) {
    std::vector<ServiceCondition> services;
    // Held for the loop: a reload may publish a new directory and free this one meanwhile.
    auto directory = context.supervisor.directory();
    for (const auto& service : directory->services) {
        auto status = service->status();
        services.push_back({service->name(), status.state, status.cause,
                            service->config().load == config::LoadMode::eager, status.reason});
    }
    std::string all = query_param(route.query, "all");
    HealthVerdict verdict = judge_health(services, context.accepting.load(), all == "1" || all == "true");
    return Response::json(verdict.status, verdict.body.dump());
}

Response service_health(GatewayContext& context, const std::string& name) {
    auto service = context.supervisor.directory()->find(name);
    if (!service) return Response::error(404, "no service named \"" + name + "\"", "not_found");
    auto status = service->status();
    if (status.state == ServiceState::ready) return Response::text(200, "ok");
    nlohmann::json body = {{"status", supervisor::to_string(status.state)},
                           {"service", service->name()},
                           {"reason", status.reason}};
    return Response::json(503, body.dump());
}

}  // namespace

void handle_status_request(ClientConnection& connection, const Route& route) {
    auto& context = connection.worker().context();
    switch (route.kind) {
        case RouteKind::models_list:
            return connection.respond(models_list(context));
        case RouteKind::health:
            return connection.respond(daemon_health(context, route));
        case RouteKind::model_retrieve:
            return connection.respond(model_retrieve(context, route.service));
        case RouteKind::service_health:
            return connection.respond(service_health(context, route.service));
        default:
            return connection.respond(Response::error(404, "no endpoint at " + connection.request().target, "not_found"));
    }
}

}  // namespace ggufd::gateway
