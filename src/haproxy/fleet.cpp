#include "ggufd/haproxy/fleet.h"

#include <algorithm>
#include <map>

namespace ggufd::haproxy {
namespace {

// Which model a client-visible name routes to, and who said so first.
struct Claim {
    std::string service;
    std::string node_url;
};

void add_unique(std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

void claim(std::map<std::string, Claim>& claims, const std::string& name, const std::string& service,
           const NodeReport& node, std::vector<std::string>& errors) {
    auto [it, fresh] = claims.emplace(name, Claim{service, node.url});
    if (fresh || it->second.service == service) return;
    errors.push_back("\"" + name + "\" means model \"" + it->second.service + "\" on node " + it->second.node_url +
                     " but model \"" + service + "\" on node " + node.url +
                     ": rename the service or the alias on one of them, so that every name routes to one model");
}

void check_distinct_nodes(const std::vector<NodeReport>& nodes, std::vector<std::string>& errors) {
    for (size_t i = 0; i < nodes.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (nodes[i].server == nodes[j].server) {
                errors.push_back("nodes " + nodes[j].url + " and " + nodes[i].url + " are the same node (" +
                                 to_string(nodes[i].server) + "): give each node once");
            }
        }
    }
}

// Groups the model's names by the nodes that know them; the service name's group comes first.
std::vector<Route> routes_of(const FleetModel& model, const std::vector<NodeReport>& nodes) {
    std::vector<Route> routes;
    std::vector<std::string> names = {model.service};
    names.insert(names.end(), model.aliases.begin(), model.aliases.end());
    for (const auto& name : names) {
        std::vector<Placement> knowing;
        for (const Placement& placement : model.placements) {
            for (const NodeService& service : nodes[placement.node].services) {
                bool knows = service.name == model.service &&
                             (name == model.service ||
                              std::find(service.aliases.begin(), service.aliases.end(), name) != service.aliases.end());
                if (knows) knowing.push_back(placement);
            }
        }
        auto same_nodes = [&](const Route& route) {
            return std::equal(route.placements.begin(), route.placements.end(), knowing.begin(), knowing.end(),
                              [](const Placement& a, const Placement& b) { return a.node == b.node; });
        };
        auto route = std::find_if(routes.begin(), routes.end(), same_nodes);
        if (route == routes.end()) route = routes.insert(routes.end(), Route{{}, knowing, routes.empty()});
        route->names.push_back(name);
    }
    return routes;
}

void warn_about_agents(const std::vector<NodeReport>& nodes, std::vector<std::string>& warnings) {
    for (const auto& node : nodes) {
        if (node.agent) continue;
        warnings.push_back("node " + node.url +
                           " has no agent_listen: HAProxy balances its requests without knowing its free slots, "
                           "and `ggufd drain` cannot take it out of rotation; set agent_listen = \"0.0.0.0:PORT\" on it");
    }
}

}  // namespace

std::vector<std::string> Fleet::names() const {
    std::vector<std::string> all;
    for (const auto& model : models) {
        all.push_back(model.service);
        all.insert(all.end(), model.aliases.begin(), model.aliases.end());
    }
    std::sort(all.begin(), all.end());
    return all;
}

bool Fleet::requires_api_key() const {
    return std::any_of(nodes.begin(), nodes.end(), [](const NodeReport& node) { return node.requires_api_key; });
}

std::variant<Fleet, std::vector<std::string>> build_fleet(std::vector<NodeReport> nodes) {
    std::vector<std::string> errors;
    if (nodes.empty()) errors.push_back("no nodes: give at least one with --node URL");
    check_distinct_nodes(nodes, errors);

    std::map<std::string, Claim> claims;
    std::map<std::string, FleetModel> models;
    for (size_t index = 0; index < nodes.size(); ++index) {
        const NodeReport& node = nodes[index];
        for (const NodeService& service : node.services) {
            claim(claims, service.name, service.name, node, errors);
            for (const auto& alias : service.aliases) claim(claims, alias, service.name, node, errors);
            FleetModel& model = models[service.name];
            if (model.placements.empty()) {
                model.service = service.name;
                model.model_info = service.model_info;
            }
            for (const auto& alias : service.aliases) add_unique(model.aliases, alias);
            model.placements.push_back(Placement{index, service.slots, service.lazy});
        }
    }
    if (!errors.empty()) return errors;

    Fleet fleet;
    warn_about_agents(nodes, fleet.warnings);
    fleet.nodes = std::move(nodes);
    for (auto& [name, model] : models) {
        model.routes = routes_of(model, fleet.nodes);
        fleet.models.push_back(std::move(model));
    }
    return fleet;
}

}  // namespace ggufd::haproxy
