#include "ggufd/haproxy/haproxy_config.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "ggufd/haproxy/models_document.h"

namespace ggufd::haproxy {
namespace {

// HAProxy reads at most 64 words per line: long lists of names are split over several lines.
constexpr size_t kNamesPerLine = 8;
// The 404's list of known models stops here; GET /v1/models has them all.
constexpr size_t kMaxKnownListBytes = 1500;

std::string ms(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + "ms"; }

std::string path_of(const ConfigOptions& options, const std::string& file) {
    return (options.data_dir / file).string();
}

// An OpenAI-shaped error body. Messages are ours or carry names (letters, digits, - _ . :), so
// they never contain a single quote, which ends HAProxy's quoted string.
std::string error_body(int status, const std::string& message, const std::string& code) {
    std::string type = status == 401 ? "authentication_error"
                       : status == 404 ? "not_found_error"
                       : status == 503 ? "unavailable_error"
                       : status >= 500 ? "server_error"
                                       : "invalid_request_error";
    return nlohmann::json{{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}}.dump();
}

// The same body as a log-format string, with the request's own text (e.g. the model it named)
// spliced in JSON-escaped: `{{...}}` in `message` marks where.
std::string error_format(int status, const std::string& message, const std::string& code, const std::string& sample) {
    std::string body = error_body(status, message, code);
    std::string escaped;
    for (char c : body) escaped += c == '%' ? std::string("%%") : std::string(1, c);
    size_t mark = escaped.find("{{}}");
    if (mark != std::string::npos) escaped.replace(mark, 4, "%[" + sample + ",json(utf8s)]");
    return escaped;
}

std::string known_models(const Fleet& fleet) {
    std::string list;
    for (const auto& name : fleet.names()) {
        if (list.size() + name.size() > kMaxKnownListBytes) return list + ", ... (GET /v1/models lists them all)";
        list += (list.empty() ? "" : ", ") + name;
    }
    return list.empty() ? "(none)" : list;
}

// Server names must be unique in a backend; the node's address is, and says which node it is.
std::string server_name(const NodeReport& node) {
    std::string name = to_string(node.server);
    for (char& c : name) {
        bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
        if (!allowed) c = '_';
    }
    return name;
}

// What HAProxy calls a route's ACL and backends. Prefixes keep them apart whatever the names
// (which use HAProxy's own characters): serve_/standby_ for a model, aserve_/astandby_ for its
// aliases that only some nodes know.
struct RouteNames {
    std::string acl, serve, standby;
};

RouteNames names_of(const FleetModel& model, const Route& route) {
    if (route.primary) return {"name_" + model.service, "serve_" + model.service, "standby_" + model.service};
    const std::string& alias = route.names.front();
    return {"alias_" + alias, "aserve_" + alias, "astandby_" + alias};
}

std::string agent_settings(const NodeReport& node, const std::string& query, const ConfigOptions& options) {
    if (!node.agent) return "";
    return " agent-check agent-addr " + node.agent->host + " agent-port " + std::to_string(node.agent->port) +
           " agent-send \"" + query + "\\n\" agent-inter " + ms(options.check_interval);
}

void global_and_defaults(std::string& out, const Fleet& fleet, const ConfigOptions& options) {
    out += "# " + options.generated_by + "\n";
    out += "# from " + std::to_string(fleet.nodes.size()) + " node(s):\n";
    for (const auto& node : fleet.nodes) {
        out += "#   " + node.url + "  (requests to " + to_string(node.server) + ", agent " +
               (node.agent ? to_string(*node.agent) : std::string("none")) + ")\n";
    }
    out += "# Re-run it when the nodes' models change, then reload HAProxy (docs/SCALE-OUT.md).\n\n";
    out += "global\n";
    out += "    maxconn 4096\n";
    out += "    # Request bodies are read whole to route on \"model\": they must fit in one buffer.\n";
    out += "    tune.bufsize " + std::to_string(options.max_body_bytes) + "\n";
    if (options.stats_socket) out += "    stats socket " + options.stats_socket->string() + " mode 600 level admin\n";
    out += "\ndefaults\n";
    out += "    mode http\n";
    out += "    option http-buffer-request\n";
    out += "    # Token streams: every event goes out as it comes, and a stream may stay quiet for long.\n";
    out += "    option http-no-delay\n";
    out += "    timeout connect 2s\n";
    out += "    timeout client 10m\n";
    out += "    timeout server 10m\n";
    out += "    timeout http-request 60s\n";
    out += "    timeout http-keep-alive 75s\n";
    out += "    timeout queue 30s\n";
    out += "    timeout check 2s\n";
    out += "    # A request that never reached a child goes to another node.\n";
    out += "    retries 3\n";
    out += "    retry-on conn-failure empty-response response-timeout 503\n";
    out += "    option redispatch 1\n";
    for (auto [status, message] : {std::pair{400, "the balancer could not read this request"},
                                   std::pair{408, "the request took too long to arrive"},
                                   std::pair{502, "a node answered with something that is not HTTP"},
                                   std::pair{503, "no node can serve this request now"},
                                   std::pair{504, "no node answered in time"}}) {
        out += "    http-error status " + std::to_string(status) + " content-type application/json string '" +
               error_body(status, message, "balancer_error") + "'\n";
    }
}

void api_key_rules(std::string& out, const ConfigOptions& options) {
    if (!options.api_keys_file) return;
    std::string file = options.api_keys_file->string();
    out += "    # The nodes check keys on what they serve; HAProxy checks them on what it answers itself.\n";
    out += "    acl own_answer path /v1/models\n";
    out += "    acl own_answer path_beg /v1/models/\n";
    out += "    acl key_header req.hdr(x-api-key) -m str -f " + file + "\n";
    out += "    acl bearer req.hdr(authorization) -m beg -i \"bearer \"\n";
    out += "    acl bearer_key req.hdr(authorization),word(2,' ') -m str -f " + file + "\n";
    // Refused unless x-api-key holds a key, or Authorization is "Bearer <key>": two rules, as
    // HAProxy's conditions have no parentheses.
    std::string refuse = "    http-request return status 401 content-type application/json hdr WWW-Authenticate Bearer string '" +
                         error_body(401, "missing or invalid API key (send \"Authorization: Bearer <key>\")",
                                    "invalid_api_key") +
                         "' if own_answer !key_header ";
    out += refuse + "!bearer\n";
    out += refuse + "!bearer_key\n";
}

void own_answers(std::string& out, const Fleet& fleet, const ConfigOptions& options) {
    out += "    # GET /v1/models and /v1/models/{id}: the union of the nodes' models, from files beside this config.\n";
    out += "    acl read method GET HEAD\n";
    out += "    http-request return status 200 content-type application/json file " +
           path_of(options, kModelsListFile) + " if read { path /v1/models }\n";
    for (const auto& name : fleet.names()) {
        out += "    http-request return status 200 content-type application/json file " +
               path_of(options, model_file_name(name)) + " if read { path /v1/models/" + name + " }\n";
    }
    out += "    http-request return status 404 content-type application/json lf-string '" +
           error_format(404, "The model \"{{}}\" does not exist", "model_not_found", "path,field(4,/)") +
           "' if read { path_beg /v1/models/ }\n";
    out += "    # GET /health: 200 while any node is up.\n";
    out += "    http-request return status 200 content-type text/plain string ok if read { path /health } { nbsrv(nodes) gt 0 }\n";
    out += "    http-request return status 503 content-type application/json string '" +
           error_body(503, "no ggufd node is up", "no_node") + "' if { path /health }\n";
    out += "    # Only the OpenAI API passes: admin endpoints are on each node, not on the balancer.\n";
    out += "    http-request return status 404 content-type application/json lf-string '" +
           error_format(404, "no endpoint at {{}} on the balancer; admin endpoints are served by each node",
                        "not_found", "path") +
           "' unless { path_beg /v1/ }\n";
}

void model_routing(std::string& out, const Fleet& fleet, const ConfigOptions& options) {
    out += "    # The body's \"model\" picks the model's backends.\n";
    out += "    http-request set-var(txn.model) req.body,json_query('$.model') if { method POST }\n";
    out += "    http-request set-var(txn.body_len) req.body_len\n";
    out += "    http-request return status 413 content-type application/json string '" +
           error_body(413,
                      "the request body is larger than the balancer reads to find \"model\" (tune.bufsize " +
                          std::to_string(options.max_body_bytes) + " bytes); raise it with ggufd haproxy-config --max-body",
                      "request_too_large") +
           "' if { method POST } { req.body_size,sub(txn.body_len) gt 0 }\n";
    out += "    acl known_model var(txn.model) -m str -f " + path_of(options, kNamesFile) + "\n";
    out += "    http-request return status 404 content-type application/json lf-string '" +
           error_format(404, "model \"{{}}\" is not served by this fleet; known models: " + known_models(fleet),
                        "model_not_found", "var(txn.model)") +
           "' if { var(txn.model) -m found } !known_model\n";
    for (const auto& model : fleet.models) {
        for (const auto& route : model.routes) {
            RouteNames backend = names_of(model, route);
            const auto& names = route.names;
            for (size_t i = 0; i < names.size(); i += kNamesPerLine) {
                out += "    acl " + backend.acl + " var(txn.model) -m str";
                for (size_t j = i; j < std::min(names.size(), i + kNamesPerLine); ++j) out += " " + names[j];
                out += "\n";
            }
            out += "    use_backend " + backend.serve + " if " + backend.acl + " { nbsrv(" + backend.serve + ") gt 0 }\n";
            out += "    use_backend " + backend.standby + " if " + backend.acl + "\n";
        }
    }
    out += "    # No readable \"model\" (not JSON, missing): any node answers as ggufd does.\n";
    out += "    default_backend nodes\n";
}

void frontend(std::string& out, const Fleet& fleet, const ConfigOptions& options) {
    out += "\nfrontend ggufd\n";
    out += "    bind " + to_string(options.listen) + "\n";
    api_key_rules(out, options);
    own_answers(out, fleet, options);
    model_routing(out, fleet, options);
}

void nodes_backend(std::string& out, const Fleet& fleet, const ConfigOptions& options) {
    out += "\nbackend nodes\n";
    out += "    balance roundrobin\n";
    out += "    option httpchk GET /health\n";
    for (const auto& node : fleet.nodes) {
        out += "    server " + server_name(node) + " " + to_string(node.server) + " check inter " +
               ms(options.check_interval) + "\n";
    }
}

// A node with more slots for the model gets a larger share, up to HAProxy's 256: the agent's
// percentage of free slots scales it, and 1 % of 100 must stay at least 1 (never a silent drain).
int server_weight(int slots, int fewest_slots) { return std::min(256, 100 * slots / std::max(1, fewest_slots)); }

void route_backends(std::string& out, const Fleet& fleet, const FleetModel& model, const Route& route,
                    const ConfigOptions& options) {
    RouteNames backend = names_of(model, route);
    int fewest = route.placements.front().slots;
    for (const auto& placement : route.placements) fewest = std::min(fewest, placement.slots);
    std::string check = " check inter " + ms(options.check_interval);
    std::string known_by = route.primary ? "" : "; only the nodes that know the alias \"" + route.names.front() + "\"";

    out += "\nbackend " + backend.serve + "\n";
    out += "    # Nodes serving \"" + model.service + "\" now, weighted by their free slots (agent)" + known_by + ".\n";
    out += "    balance roundrobin\n";
    out += "    option httpchk GET /health/" + model.service + "\n";
    for (const auto& placement : route.placements) {
        const NodeReport& node = fleet.nodes[placement.node];
        out += "    server " + server_name(node) + " " + to_string(node.server) + check + " fall 2 rise 2 weight " +
               std::to_string(server_weight(placement.slots, fewest)) +
               agent_settings(node, model.service, options) + "\n";
    }

    out += "\nbackend " + backend.standby + "\n";
    out += "    # When no node serves \"" + model.service + "\" now: the first node that can start it does" + known_by + ".\n";
    out += "    balance first\n";
    out += "    http-error status 503 content-type application/json string '" +
           error_body(503, "no node can serve model \"" + model.service + "\" now", "model_unavailable") + "'\n";
    for (const auto& placement : route.placements) {
        const NodeReport& node = fleet.nodes[placement.node];
        out += "    server " + server_name(node) + " " + to_string(node.server) + check +
               agent_settings(node, model.service + " standby", options) + "\n";
    }
}

}  // namespace

std::string render_haproxy_config(const Fleet& fleet, const ConfigOptions& options) {
    std::string out;
    global_and_defaults(out, fleet, options);
    frontend(out, fleet, options);
    nodes_backend(out, fleet, options);
    for (const auto& model : fleet.models) {
        for (const auto& route : model.routes) route_backends(out, fleet, model, route, options);
    }
    return out;
}

}  // namespace ggufd::haproxy
