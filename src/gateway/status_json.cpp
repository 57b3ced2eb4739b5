#include "status_json.h"

#include <algorithm>
#include <map>

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
        {"requests", service.metrics().requests.load()},
        {"errors", service.metrics().errors.load()},
        {"gpus", status.gpus},
        {"gpu_reason", status.gpu_reason},
        {"model_info", model_json(status.model)},
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

nlohmann::json model_json(const supervisor::ModelFacts& facts) {
    nlohmann::json json = nlohmann::json::object();
    if (facts.info) {
        const auto& info = *facts.info;
        json["architecture"] = info.architecture;
        json["name"] = info.name;
        json["parameters"] = info.parameter_count;
        json["context_length"] = info.context_length ? nlohmann::json(*info.context_length) : nlohmann::json(nullptr);
        json["layers"] = info.block_count;
        json["embedding_length"] = info.embedding_length ? nlohmann::json(*info.embedding_length) : nlohmann::json(nullptr);
        json["quantization"] = info.quantization;
        json["file_size"] = info.file_size;
    }
    if (facts.estimate) {
        json["memory"] = {{"device_bytes", facts.estimate->device.total()},
                          {"host_bytes", facts.estimate->host.total()},
                          {"context", facts.estimate->context},
                          {"explanation", facts.estimate->explanation}};
    }
    json["charged_per_gpu_bytes"] = facts.bytes_per_device;
    if (!facts.error.empty()) json["error"] = facts.error;
    return json;
}

namespace {

bool holds_memory(supervisor::ServiceState state) {
    return state == supervisor::ServiceState::starting || state == supervisor::ServiceState::ready ||
           state == supervisor::ServiceState::unhealthy || state == supervisor::ServiceState::stopping;
}

}  // namespace

nlohmann::json gpus_json(const GatewayContext& context) {
    std::map<int, nlohmann::json> devices;
    for (const auto& device : context.devices.snapshot()) {
        auto optional_bytes = [](const std::optional<uint64_t>& value) {
            return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
        };
        devices[device.index] = {{"index", device.index},
                                 {"vendor", gpu::to_string(device.vendor)},
                                 {"name", device.name},
                                 {"arch", device.arch},
                                 {"integrated", device.integrated},
                                 {"total_bytes", optional_bytes(device.memory.total_bytes)},
                                 {"used_bytes", optional_bytes(device.memory.used_bytes)},
                                 {"free_bytes", optional_bytes(device.memory.free_bytes)}};
    }
    auto budgets = context.supervisor.budgets();  // held for the loop: a reload may replace it meanwhile
    for (const auto& budget : *budgets) {
        auto& json = devices[budget.device];
        json["index"] = budget.device;
        json["budget_bytes"] = budget.bytes;
        json["budget_source"] = budget.source;
    }
    for (auto& [index, json] : devices) {
        uint64_t committed = 0;
        nlohmann::json services = nlohmann::json::array();
        // Held for the loop: a reload may publish a new directory and free this one meanwhile.
        auto directory = context.supervisor.directory();
        for (const auto& service : directory->services) {
            auto status = service->status();
            if (!holds_memory(status.state)) continue;
            if (std::find(status.gpus.begin(), status.gpus.end(), index) == status.gpus.end()) continue;
            committed += status.model.bytes_per_device;
            services.push_back({{"name", service->name()}, {"bytes", status.model.bytes_per_device}});
        }
        json["committed_bytes"] = committed;
        json["services"] = services;
    }
    nlohmann::json list = nlohmann::json::array();
    for (auto& [index, json] : devices) list.push_back(std::move(json));
    return list;
}

}  // namespace ggufd::gateway
