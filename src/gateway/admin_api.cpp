#include "admin_api.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "client_connection.h"
#include "log_stream.h"
#include "metrics_api.h"
#include "node_api.h"
#include "status_json.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

constexpr size_t kDefaultLogTail = 100;
constexpr size_t kStatusLogLines = 20;

Response services_list(GatewayContext& context) {
    nlohmann::json services = nlohmann::json::array();
    // Held for the loop: a reload may publish a new directory and free this one meanwhile.
    auto directory = context.supervisor.directory();
    for (const auto& service : directory->services) services.push_back(service_json(*service));
    return Response::json(200, nlohmann::json{{"services", services}, {"gpus", gpus_json(context)}}.dump());
}

std::shared_ptr<supervisor::ServiceHandle> find_or_respond(ClientConnection& connection, const std::string& name) {
    auto service = connection.worker().context().supervisor.directory()->find(name);
    if (!service) connection.respond(Response::error(404, "no service named \"" + name + "\"", "not_found"));
    return service;
}

size_t parse_tail(const std::string& text) {
    size_t tail = kDefaultLogTail;
    if (!text.empty()) std::from_chars(text.data(), text.data() + text.size(), tail);
    return tail;
}

void service_action(ClientConnection& connection, const Route& route) {
    auto service = find_or_respond(connection, route.service);
    if (!service) return;
    auto action = route.action == "start"  ? supervisor::Supervisor::Action::start
                  : route.action == "stop" ? supervisor::Supervisor::Action::stop
                                           : supervisor::Supervisor::Action::restart;
    Worker* worker = &connection.worker();
    uint64_t id = connection.id();
    // Starting a service by hand also ends its own `ggufd drain` (docs/SCALE-OUT.md).
    if (action == supervisor::Supervisor::Action::start) worker->context().drains.undrain_service(service->name());
    // By its name: the supervisor knows services by name, the route may carry an alias.
    worker->context().supervisor.control(service->name(), action, [worker, id, service](const supervisor::Outcome& outcome) {
        worker->loop().post([worker, id, service, outcome] {
            ClientConnection* waiting = worker->find(id);
            if (!waiting) return;
            if (!outcome.ok) {
                waiting->respond(Response::error(outcome.http_status, outcome.message, "action_failed",
                                                 outcome.retry_after_seconds));
                return;
            }
            nlohmann::json body = {{"ok", true}, {"message", outcome.message}, {"service", service_json(*service)}};
            waiting->respond(Response::json(200, body.dump()));
        });
    });
}

void service_logs(ClientConnection& connection, const Route& route) {
    auto service = find_or_respond(connection, route.service);
    if (!service) return;
    size_t tail = parse_tail(query_param(route.query, "tail"));
    std::string follow = query_param(route.query, "follow");
    if (follow == "1" || follow == "true") {
        connection.produce_with(std::make_unique<LogStream>(connection, service, tail));
        return;
    }
    std::string text;
    for (const auto& line : service->logs().tail(tail)) text += line + "\n";
    connection.respond(Response::text(200, std::move(text)));
}

// The daemon's main thread reloads; its answer comes back here on this worker's thread.
void reload(ClientConnection& connection) {
    Worker* worker = &connection.worker();
    uint64_t id = connection.id();
    worker->context().request_reload([worker, id](int status, const std::string& json) {
        worker->loop().post([worker, id, status, json] {
            if (ClientConnection* waiting = worker->find(id)) waiting->respond(Response::json(status, json));
        });
    });
}

}  // namespace

void handle_admin_request(ClientConnection& connection, const Route& route) {
    auto& context = connection.worker().context();
    switch (route.kind) {
        case RouteKind::services_list:
            return connection.respond(services_list(context));
        case RouteKind::service_status: {
            auto service = find_or_respond(connection, route.service);
            if (!service) return;
            nlohmann::json body = service_json(*service);
            body["recent_logs"] = service->logs().tail(kStatusLogLines);
            return connection.respond(Response::json(200, body.dump()));
        }
        case RouteKind::service_action:
            return service_action(connection, route);
        case RouteKind::metrics: {
            Response response = Response::text(200, prometheus_metrics(context));
            response.content_type = "text/plain; version=0.0.4; charset=utf-8";
            return connection.respond(response);
        }
        case RouteKind::reload:
            return reload(connection);
        case RouteKind::gpus:
            return connection.respond(Response::json(200, nlohmann::json{{"gpus", gpus_json(context)}}.dump()));
        case RouteKind::service_logs:
            return service_logs(connection, route);
        case RouteKind::node_info:
        case RouteKind::drain_status:
        case RouteKind::drain_action:
            return handle_node_request(connection, route);
        default:
            return connection.respond(Response::error(404, "no endpoint at " + connection.request().target, "not_found"));
    }
}

}  // namespace ggufd::gateway
