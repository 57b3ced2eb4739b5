#include "dispatcher.h"

#include "admin_api.h"
#include "admin_guard.h"
#include "auth.h"
#include "body_validator.h"
#include "client_connection.h"
#include "cors.h"
#include "model_field.h"
#include "model_lookup.h"
#include "proxy_exchange.h"
#include "route.h"
#include "status_api.h"
#include "worker.h"

namespace ggufd::gateway {
namespace {

// A request that lost a race with a stop (idle unload) asks again this many times.
constexpr int kMaxReadyAttempts = 3;

void route_by_model(ClientConnection& connection, const ModelField& field) {
    auto directory = connection.worker().context().supervisor.directory();
    switch (field.status) {
        case ModelField::Status::invalid_json:
            return connection.respond(Response::error(400, "the request body is not valid JSON: " + field.error, "invalid_json"));
        case ModelField::Status::not_an_object:
            return connection.respond(Response::error(400, "the request body must be a JSON object", "invalid_request"));
        case ModelField::Status::missing:
            return connection.respond(Response::error(
                400, "the request has no \"model\" field; known models: " + known_models(*directory), "missing_model"));
        case ModelField::Status::not_a_string:
            return connection.respond(Response::error(400, "\"model\" must be a string", "invalid_request"));
        case ModelField::Status::found:
            break;
    }
    auto service = directory->find(field.model);
    if (!service) {
        return connection.respond(Response::error(404, unknown_model_message(field.model, *directory), "model_not_found"));
    }
    proxy_to_service(connection, std::move(service), connection.request().target);
}

// A big body is read on the validator's threads (body_validator.h), never on this worker's: the
// connection lends the buffer that holds it and waits; the answer comes back to this worker's
// loop, where the connection is looked up by id (the client may have left; the buffer is then
// freed with the task).
void route_by_model_off_loop(ClientConnection& connection) {
    const std::string_view body = connection.body();
    std::string buffer = connection.lend_request_buffer();
    const size_t offset = static_cast<size_t>(body.data() - buffer.data());  // a moved string keeps its bytes
    Worker* worker = &connection.worker();
    const uint64_t id = connection.id();
    auto done = [worker, id](std::string buffer, ModelField field) {
        // Shared, so that no copy of the task can copy the body.
        auto lent = std::make_shared<std::string>(std::move(buffer));
        worker->loop().post([worker, id, lent, field = std::move(field)] {
            ClientConnection* waiting = worker->find(id);
            if (!waiting) return;
            waiting->give_back_request_buffer(std::move(*lent));
            route_by_model(*waiting, field);
        });
    };
    worker->context().body_validator.submit({std::move(buffer), offset, body.size(), std::move(done)});
}

static_assert(kModelFieldPadding <= net::RequestReader::kBodyReadAhead, "a big body would be copied to pad it");

void handle_model_request(ClientConnection& connection) {
    const std::string_view body = connection.body_with_padding(kModelFieldPadding);
    if (body.size() > kOnLoopBodyBytes) return route_by_model_off_loop(connection);
    route_by_model(connection, extract_model(body, kModelFieldPadding));
}

void handle_upstream(ClientConnection& connection, const Route& route) {
    auto directory = connection.worker().context().supervisor.directory();
    auto service = directory->find(route.service);
    if (!service) {
        return connection.respond(Response::error(
            404, "no service named \"" + route.service + "\"; known: " + known_models(*directory), "model_not_found"));
    }
    proxy_to_service(connection, std::move(service), route.upstream_target);
}

void proxy_when_ready(ClientConnection& connection, std::shared_ptr<supervisor::ServiceHandle> service,
                      std::string target, int attempt) {
    if (service->try_begin_request()) {
        auto exchange = std::make_unique<ProxyExchange>(connection, std::move(service), std::move(target));
        ProxyExchange* started = exchange.get();
        connection.produce_with(std::move(exchange));
        started->begin();
        return;
    }
    if (attempt >= kMaxReadyAttempts) {
        return connection.respond(Response::error(
            503, "service \"" + service->name() + "\" keeps stopping before it can serve: " + service->status().reason,
            "service_unavailable", 5));
    }
    // Not ready: ask the supervisor (which starts it if it may) and continue on this worker's
    // thread once it answers. The connection may be gone by then: it is looked up by id.
    Worker* worker = &connection.worker();
    uint64_t id = connection.id();
    worker->context().supervisor.ensure_ready(
        service, [worker, id, service, target = std::move(target), attempt](const supervisor::Outcome& outcome) {
            worker->loop().post([worker, id, service, target, attempt, outcome] {
                ClientConnection* waiting = worker->find(id);
                if (!waiting) return;
                if (!outcome.ok) {
                    return waiting->respond(Response::error(outcome.http_status, outcome.message, "service_unavailable",
                                                            outcome.retry_after_seconds));
                }
                // A reload may have replaced the service (same name, new handle) meanwhile.
                auto current = worker->context().supervisor.directory()->find(service->name());
                proxy_when_ready(*waiting, current ? current : service, target, attempt + 1);
            });
        });
}

}  // namespace

void proxy_to_service(ClientConnection& connection, std::shared_ptr<supervisor::ServiceHandle> service,
                      std::string target) {
    proxy_when_ready(connection, std::move(service), std::move(target), 0);
}

namespace {

// A keyless admin API answers only requests that come from this machine's own pages.
std::optional<Response> admin_guard(const ClientConnection& connection, const config::Config& config) {
    const auto& keys = config.admin_api_keys.empty() ? config.api_keys : config.admin_api_keys;
    if (!keys.empty()) return std::nullopt;  // the key is the protection
    const auto& listener = connection.via_admin_listener() ? *config.admin_listen : config.listen;
    auto refusal = admin_refusal(connection.request(), is_loopback_name(listener.host), config.admin_origins);
    if (!refusal) return std::nullopt;
    return Response::error(403, *refusal, "forbidden");
}

}  // namespace

std::optional<Response> screen(ClientConnection& connection) {
    const auto& request = connection.request();
    const auto& context = connection.worker().context();
    const auto& config = context.config;
    Route route = classify(request.method, request.target);

    const bool admin = is_admin(route.kind);
    const bool health = route.kind == RouteKind::health || route.kind == RouteKind::service_health;
    if (config.admin_listen && !health && admin != connection.via_admin_listener()) {
        // With a separate admin listener, each API is reachable only on its own address.
        route.kind = RouteKind::not_found;
    }
    if (allows_cors(route.kind) && route.kind != RouteKind::cors_preflight) {
        // Before any refusal: a browser must be able to read a 401 or a 503 too.
        if (const std::string* origin = request.find("origin")) {
            connection.set_cors_headers(cors_headers(config.cors_origins, *origin));
        }
    }
    connection.set_route(std::move(route));
    if (!context.accepting.load(std::memory_order_relaxed) && connection.route().kind != RouteKind::health) {
        return Response::error(503, "ggufd is shutting down; try again shortly (on this address once it has "
                                    "restarted, or on another node)",
                               "shutting_down", 5);
    }
    // A preflight never carries a key (browsers send none), and answers nothing but CORS.
    const bool preflight = connection.route().kind == RouteKind::cors_preflight;
    if (!health && !preflight && connection.route().kind != RouteKind::not_found) {
        const auto& keys = admin && !config.admin_api_keys.empty() ? config.admin_api_keys : config.api_keys;
        if (!key_accepted(keys, presented_key(request))) {
            Response response = Response::error(401, "missing or invalid API key (send \"Authorization: Bearer <key>\")",
                                                "invalid_api_key");
            response.headers.push_back({"WWW-Authenticate", "Bearer"});
            return response;
        }
    }
    if (is_admin(connection.route().kind)) return admin_guard(connection, config);
    return std::nullopt;
}

void dispatch(ClientConnection& connection) {
    const auto& request = connection.request();
    const Route& route = connection.route();
    switch (route.kind) {
        case RouteKind::model_api:
            return handle_model_request(connection);
        case RouteKind::upstream:
            return handle_upstream(connection, route);
        case RouteKind::cors_preflight:
            return connection.respond(preflight_response(connection.worker().context().config.cors_origins, request,
                                                         route.allowed_methods));
        case RouteKind::models_list:
        case RouteKind::model_retrieve:
        case RouteKind::health:
        case RouteKind::service_health:
            return handle_status_request(connection, route);
        default:
            return handle_admin_request(connection, route);  // is_admin(route.kind)
        case RouteKind::method_not_allowed: {
            Response response = Response::error(405, request.method + " is not allowed on " + request.target,
                                                "method_not_allowed");
            response.headers.push_back({"Allow", route.allowed_methods});
            return connection.respond(response);
        }
        case RouteKind::not_found:
            return connection.respond(Response::error(404, "no endpoint at " + request.target, "not_found"));
    }
}

}  // namespace ggufd::gateway
