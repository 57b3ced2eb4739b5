#include "status_json.h"

namespace ggufd::gateway {

int64_t unix_seconds(supervisor::WallClock::time_point at) {
    return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

nlohmann::json service_json(supervisor::ServiceHandle& service) {
    const auto& config = service.config();
    const supervisor::ServiceStatus status = service.status();
    nlohmann::json json = {
        {"name", config.name},
        {"aliases", config.aliases},
        {"state", supervisor::to_string(status.state)},
        {"cause", supervisor::to_string(status.cause)},
        {"reason", status.reason},
        {"load", config::to_string(config.load)},
        {"restart", config::to_string(config.restart)},
        {"model", config.model.string()},
        {"port", status.port ? nlohmann::json(status.port) : nlohmann::json(config.port ? *config.port : 0)},
        {"pid", status.pid ? nlohmann::json(*status.pid) : nlohmann::json(nullptr)},
        {"restarts", status.restarts},
        {"in_flight", service.in_flight()},
        {"requests", service.counters().requests.load()},
        {"errors", service.counters().errors.load()},
        {"gpus", status.gpus},
        {"gpu_reason", status.gpu_reason},
        {"last_error", status.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(status.last_error)},
    };
    if (status.ready_since) {
        auto uptime = supervisor::WallClock::now() - *status.ready_since;
        json["ready_since"] = unix_seconds(*status.ready_since);
        json["uptime_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(uptime).count();
    }
    if (status.last_exit) {
        json["last_exit"] = {{"description", status.last_exit->description},
                             {"signaled", status.last_exit->signaled},
                             {"code", status.last_exit->code},
                             {"at", unix_seconds(status.last_exit->at)}};
    } else {
        json["last_exit"] = nullptr;
    }
    if (status.next_restart_at) json["next_restart_at"] = unix_seconds(*status.next_restart_at);
    return json;
}

}  // namespace ggufd::gateway
