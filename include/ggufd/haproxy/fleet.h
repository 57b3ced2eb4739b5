// The fleet as a balancer sees it: every model (service name) with the names that route to it
// and the nodes that serve it, merged from the nodes' reports. Pure: conflicts between nodes
// (one name meaning two models) are found here and reported in words.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "ggufd/haproxy/node_report.h"

namespace ggufd::haproxy {

/// One node's place in a model's backend.
struct Placement {
    size_t node = 0;  ///< index into Fleet::nodes
    int slots = 1;
    bool lazy = false;
};

/// Names of a model that reach the same nodes. Every node that serves a model knows its service
/// name; an alias that only some nodes define must reach only those (the others answer 404).
struct Route {
    std::vector<std::string> names;     ///< the service name first in the primary route
    std::vector<Placement> placements;  ///< the nodes that know these names, in node order
    bool primary = false;               ///< holds the service name itself
};

struct FleetModel {
    std::string service;               ///< the service name
    std::vector<std::string> aliases;  ///< every alias any node gives it, in first-seen order
    std::vector<Placement> placements; ///< in node order
    nlohmann::json model_info;         ///< from the first node that serves it
    std::vector<Route> routes;         ///< the primary route first; one pair of backends each
};

struct Fleet {
    std::vector<NodeReport> nodes;
    std::vector<FleetModel> models;    ///< sorted by service name
    std::vector<std::string> warnings; ///< things that work, but not as well as they could

    /// Every name a client may send (services and aliases), sorted.
    std::vector<std::string> names() const;
    bool requires_api_key() const;
};

/// Merges the nodes' reports. A name that is a service on one node and an alias of another
/// service elsewhere, or an alias of two different services, is an error: a request naming it
/// could reach either model. So is the same node given twice.
std::variant<Fleet, std::vector<std::string>> build_fleet(std::vector<NodeReport> nodes);

}  // namespace ggufd::haproxy
