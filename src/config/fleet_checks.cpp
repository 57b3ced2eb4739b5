// Checks that need every configured service at once: each name and alias must route to exactly
// one service, and each fixed port must belong to one listener only.
#include <map>

#include "sections.h"

namespace ggufd::config {
namespace {

std::string line_note(int line) { return line > 0 ? " (line " + std::to_string(line) + ")" : ""; }

// "listen, line 1": a key and where it was written.
std::string key_and_line(const Reader& r, const std::string& key) {
    int line = r.position_of(key).line;
    return line > 0 ? key + ", line " + std::to_string(line) : key;
}

/// What a model name already routes to, for "already the name of ..." messages.
struct Claim {
    const ServiceConfig* service;
    bool is_alias;
    int line;
};

void check_names_and_aliases(Reader& r, const std::vector<ServiceConfig>& services) {
    std::map<std::string, Claim> claims;
    for (const ServiceConfig& service : services) {
        claims.emplace(service.name, Claim{&service, false, service.defined_at.line});
    }
    for (const ServiceConfig& service : services) {
        std::string aliases_key = child_key(service_key(service.name), "aliases");
        for (size_t i = 0; i < service.aliases.size(); ++i) {
            const std::string& alias = service.aliases[i];
            std::string key = index_key(aliases_key, i);
            auto [claim, fresh] = claims.emplace(alias, Claim{&service, true, r.position_of(key).line});
            if (fresh) continue;
            const Claim& owner = claim->second;
            std::string what = "\"" + alias + "\" ";
            if (owner.service == &service) {
                what += owner.is_alias ? "is listed twice" : "is already this service's name";
            } else {
                what += std::string("is already ") + (owner.is_alias ? "an alias of" : "the name of") + " service \"" +
                        owner.service->name + "\"" + line_note(owner.line) + "; a model name must route to one service";
            }
            r.error_at(key, what);
        }
    }
}

void check_ports(Reader& r, const Config& config) {
    // Port -> who listens there, starting with ggufd itself (port 0 means "any free port").
    std::map<uint16_t, std::string> taken;
    if (config.listen.port != 0) {
        taken[config.listen.port] = "ggufd's own listen address (" + key_and_line(r, "listen") + ")";
    }
    if (config.admin_listen && config.admin_listen->port != 0) {
        if (config.admin_listen->port == config.listen.port && config.admin_listen->host == config.listen.host) {
            r.error_at("admin_listen", "is the same address as listen; leave admin_listen out to serve the admin API "
                                       "on the front door");
        }
        taken.emplace(config.admin_listen->port,
                      "ggufd's admin address (" + key_and_line(r, "admin_listen") + ")");
    }
    if (config.agent_listen && config.agent_listen->port != 0) {
        auto [slot, fresh] = taken.emplace(config.agent_listen->port,
                                           "ggufd's agent address (" + key_and_line(r, "agent_listen") + ")");
        if (!fresh) {
            r.error_at("agent_listen", "port " + std::to_string(config.agent_listen->port) + " is already taken by " +
                                           slot->second + "; the agent needs a port of its own");
        }
    }
    for (const ServiceConfig& service : config.services) {
        if (!service.port) continue;
        std::string key = child_key(service_key(service.name), "port");
        std::string owner = "service \"" + service.name + "\"" + line_note(r.position_of(key).line);
        auto [slot, fresh] = taken.emplace(*service.port, owner);
        if (!fresh) r.error_at(key, "port " + std::to_string(*service.port) + " is already taken by " + slot->second);
    }
}

}  // namespace

void check_fleet(Reader& reader, const Config& config) {
    check_names_and_aliases(reader, config.services);
    check_ports(reader, config);
}

}  // namespace ggufd::config
