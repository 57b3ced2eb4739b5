// The config's rules for service names and hosts, shared with the parts that meet names and
// addresses from elsewhere (the HAProxy agent's queries, a node's GET /node answer).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ggufd::config {

/// Checks a service name or alias: letters, digits, '-', '_', '.', ':' only, since names appear
/// in URL paths (/health/<name>, /services/<name>); nullopt when it is fine.
std::optional<std::string> name_problem(std::string_view name);

/// 127.0.0.0/8, ::1 and "localhost": addresses only this machine can reach.
bool is_loopback_host(std::string_view host);

}  // namespace ggufd::config
