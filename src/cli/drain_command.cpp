#include "drain_command.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "ggufd/util/units.h"

namespace ggufd::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(200);

// Where a drain stands, from GET /drain, for the services it covers.
struct Standing {
    int in_flight = 0;
    std::string untold;  ///< "gemma (serve, standby)": balancers that have not heard "drain" yet
    bool done() const { return in_flight == 0 && untold.empty(); }
    std::string describe() const {
        std::string text = std::to_string(in_flight) + " request(s) in flight";
        if (!untold.empty()) text += "; not yet told by the agent: " + untold;
        return text;
    }
};

Standing standing_of(const nlohmann::json& status, const std::string& service) {
    Standing standing;
    for (const auto& entry : status["services"]) {
        if (!service.empty() && entry["name"] != service) continue;
        standing.in_flight += entry["in_flight"].get<int>();
        std::string roles;
        for (const auto& role : entry["balancer_not_yet_told"]) {
            roles += (roles.empty() ? "" : ", ") + role.get<std::string>();
        }
        if (!roles.empty()) {
            standing.untold += (standing.untold.empty() ? "" : "; ") + entry["name"].get<std::string>() + " (" + roles + ")";
        }
    }
    return standing;
}

std::string what(const std::string& service) { return service.empty() ? "the node" : "service \"" + service + "\""; }

}  // namespace

int run_drain(const DaemonClient& client, const DrainOptions& options, bool json) {
    auto timeout = units::parse_duration(options.timeout);
    if (auto* error = std::get_if<std::string>(&timeout)) {
        std::fprintf(stderr, "ggufd: --timeout %s\n", error->c_str());
        return kUsage;
    }
    auto response = client.post(options.service.empty() ? "/drain" : "/services/" + options.service + "/drain");
    if (response.status != 200) return report_failure(client, response);
    auto status = nlohmann::json::parse(response.body);
    // An alias was resolved by the daemon: follow the service's own name.
    std::string service = status.value("service", options.service);
    if (status["agent"].is_null()) {
        std::fprintf(stderr, "warning: this node has no agent_listen, so no balancer can see the drain; "
                             "waiting only for the requests in flight\n");
    }
    auto deadline = Clock::now() + std::get<std::chrono::milliseconds>(timeout);
    std::string last_said;
    int done_in_a_row = 0;
    while (true) {
        response = client.get("/drain");
        if (response.status != 200) return report_failure(client, response);
        status = nlohmann::json::parse(response.body);
        Standing standing = standing_of(status, service);
        // Twice in a row, a poll apart: a request the balancer sent just before it heard "drain"
        // has had time to arrive.
        done_in_a_row = standing.done() ? done_in_a_row + 1 : 0;
        if (done_in_a_row >= 2) break;
        if (Clock::now() >= deadline) {
            std::fprintf(stderr, "ggufd: %s is drained, but after %s: %s. It stays drained; `ggufd undrain%s` takes "
                                 "it back.\n",
                         what(service).c_str(), options.timeout.c_str(), standing.describe().c_str(),
                         service.empty() ? "" : (" " + service).c_str());
            return kFailed;
        }
        if (!json && standing.describe() != last_said && !standing.done()) {
            last_said = standing.describe();
            std::printf("waiting: %s\n", last_said.c_str());
            std::fflush(stdout);
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    if (json) {
        std::printf("%s\n", status.dump(2).c_str());
    } else {
        std::printf("%s is drained: no request in flight, and every balancer that checks it has been told. Stop or "
                    "restart it now; `ggufd undrain%s` takes it back.\n",
                    what(service).c_str(), service.empty() ? "" : (" " + service).c_str());
    }
    return kOk;
}

int run_undrain(const DaemonClient& client, const std::string& service, bool json) {
    auto response = client.post(service.empty() ? "/undrain" : "/services/" + service + "/undrain");
    if (response.status != 200) return report_failure(client, response);
    if (json) {
        std::printf("%s\n", nlohmann::json::parse(response.body).dump(2).c_str());
        return kOk;
    }
    auto status = nlohmann::json::parse(response.body);
    std::printf("%s takes new requests from its balancers again%s\n", what(service).c_str(),
                status["node_drained"].get<bool>() ? " (but the whole node is still drained: `ggufd undrain`)" : "");
    return kOk;
}

}  // namespace ggufd::cli
