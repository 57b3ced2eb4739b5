// Which endpoint a request is for, decided from its method and target alone (README.md). Pure, so
// every path shape is unit-tested; what the endpoint does lives elsewhere.
#pragma once

#include <string>
#include <string_view>

namespace ggufd::gateway {

enum class RouteKind {
    model_api,        ///< POST /v1/...: routed by the body's "model"
    models_list,      ///< GET /v1/models
    model_retrieve,   ///< GET /v1/models/<id> (the id percent-decoded; it may hold '/' or ':')
    cors_preflight,   ///< OPTIONS on /v1/... or /upstream/...: answered by ggufd (cors.h)
    health,           ///< GET /health
    service_health,   ///< GET /health/<service>
    upstream,         ///< any method /upstream/<service>/<path>: raw pass-through
    services_list,    ///< GET /services
    service_status,   ///< GET /services/<service>
    service_action,   ///< POST /services/<service>/start|stop|restart
    service_logs,     ///< GET /services/<service>/logs
    gpus,             ///< GET /gpus
    metrics,          ///< GET /metrics
    reload,           ///< POST /reload
    node_info,        ///< GET /node: what this node serves, for `ggufd haproxy-config`
    drain_status,     ///< GET /drain
    drain_action,     ///< POST /drain, /undrain, /services/<service>/drain|undrain
    not_found,
    method_not_allowed,
};

struct Route {
    RouteKind kind = RouteKind::not_found;
    std::string service;          ///< for per-service routes, and model_retrieve's id
    std::string action;           ///< start | stop | restart; drain | undrain
    std::string upstream_target;  ///< for upstream: "/<path>?<query>" as the child should see it
    std::string query;            ///< the query string without '?' (health and /services/... routes)
    std::string allowed_methods;  ///< for method_not_allowed: the Allow header; for cors_preflight: the
                                  ///< methods the path takes
};

Route classify(std::string_view method, std::string_view target);

/// Whether a route belongs to the admin API (separate key, optional separate listener).
bool is_admin(RouteKind kind);

/// Whether answers on this route carry CORS headers (cors_origins): the model APIs, /v1/* and
/// /upstream/*, never the admin API or /health.
bool allows_cors(RouteKind kind);

/// The value of `name` in a query string ("tail=50&follow=1"), or "" when absent.
std::string query_param(std::string_view query, std::string_view name);

}  // namespace ggufd::gateway
