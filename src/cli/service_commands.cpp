#include "service_commands.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "exit_codes.h"
#include "ggufd/util/units.h"
#include "table.h"

namespace ggufd::cli {
namespace {

std::string text_or_dash(const nlohmann::json& value) {
    if (value.is_null()) return "-";
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}

std::string uptime_of(const nlohmann::json& service) {
    if (!service.contains("uptime_seconds")) return "-";
    return units::format_duration(std::chrono::seconds(service["uptime_seconds"].get<int64_t>()));
}

std::string last_exit_of(const nlohmann::json& service) {
    if (service["last_exit"].is_null()) return "-";
    return service["last_exit"]["description"].get<std::string>();
}

void print_table(const nlohmann::json& services) {
    Table table({"NAME", "STATE", "PORT", "PID", "UPTIME", "RESTARTS", "IN-FLIGHT", "LAST EXIT", "REASON"});
    for (const auto& service : services) {
        table.add({service["name"].get<std::string>(), service["state"].get<std::string>(),
                   service["port"].get<int>() ? std::to_string(service["port"].get<int>()) : "-",
                   text_or_dash(service["pid"]), uptime_of(service), std::to_string(service["restarts"].get<int>()),
                   std::to_string(service["in_flight"].get<int>()), last_exit_of(service),
                   service["reason"].get<std::string>()});
    }
    std::fputs(table.render().c_str(), stdout);
}

std::string bytes_or_dash(const nlohmann::json& value) {
    return value.is_number() ? units::format_bytes(value.get<uint64_t>()) : "-";
}

// One line per GPU: what the device reports, the budget, and what the services are charged.
void print_gpus(const nlohmann::json& gpus) {
    if (gpus.empty()) return;
    std::printf("\n");
    Table table({"GPU", "NAME", "USED", "TOTAL", "BUDGET", "CHARGED", "SERVICES"});
    for (const auto& gpu : gpus) {
        std::string services;
        for (const auto& service : gpu["services"]) {
            services += (services.empty() ? "" : ", ") + service["name"].get<std::string>() + " " +
                        units::format_bytes(service["bytes"].get<uint64_t>());
        }
        table.add({std::to_string(gpu["index"].get<int>()), gpu.value("name", std::string("-")),
                   bytes_or_dash(gpu.value("used_bytes", nlohmann::json())),
                   bytes_or_dash(gpu.value("total_bytes", nlohmann::json())),
                   bytes_or_dash(gpu.value("budget_bytes", nlohmann::json())),
                   units::format_bytes(gpu["committed_bytes"].get<uint64_t>()), services.empty() ? "-" : services});
    }
    std::fputs(table.render().c_str(), stdout);
}

void print_details(const nlohmann::json& service) {
    print_table(nlohmann::json::array({service}));
    std::printf("\nmodel:      %s\n", service["model"].get<std::string>().c_str());
    std::printf("load:       %s, restart %s\n", service["load"].get<std::string>().c_str(),
                service["restart"].get<std::string>().c_str());
    std::printf("gpus:       %s (%s)\n", service["gpus"].dump().c_str(), service["gpu_reason"].get<std::string>().c_str());
    const auto& model = service["model_info"];
    if (model.contains("architecture")) {
        std::printf("gguf:       %s, %s parameters, %s, context %s, %u layers\n",
                    model["architecture"].get<std::string>().c_str(), std::to_string(model["parameters"].get<uint64_t>()).c_str(),
                    model["quantization"].get<std::string>().c_str(), model["context_length"].dump().c_str(),
                    model["layers"].get<unsigned>());
    }
    if (model.contains("memory")) std::printf("memory:     %s\n", model["memory"]["explanation"].get<std::string>().c_str());
    if (model.contains("error")) std::printf("gguf:       %s\n", model["error"].get<std::string>().c_str());
    std::printf("requests:   %llu (%llu errors)\n", service["requests"].get<unsigned long long>(),
                service["errors"].get<unsigned long long>());
    if (!service["last_error"].is_null()) std::printf("last error: %s\n", service["last_error"].get<std::string>().c_str());
    if (service.contains("recent_logs") && !service["recent_logs"].empty()) {
        std::printf("\nrecent output:\n");
        for (const auto& line : service["recent_logs"]) std::printf("  %s\n", line.get<std::string>().c_str());
    }
}

}  // namespace

int run_status(const DaemonClient& client, const std::string& service, bool json) {
    auto response = client.get(service.empty() ? "/services" : "/services/" + service);
    if (response.status != 200) return report_failure(client, response);
    auto body = nlohmann::json::parse(response.body);
    if (json) {
        std::printf("%s\n", body.dump(2).c_str());
    } else if (service.empty()) {
        print_table(body["services"]);
        print_gpus(body["gpus"]);
    } else {
        print_details(body);
    }
    return kOk;
}

int run_service_action(const DaemonClient& client, const std::string& service, const std::string& action, bool json) {
    auto response = client.post("/services/" + service + "/" + action);
    if (response.status != 200) return report_failure(client, response);
    auto body = nlohmann::json::parse(response.body);
    if (json) {
        std::printf("%s\n", body.dump(2).c_str());
    } else {
        const auto& status = body["service"];
        std::printf("%s: %s (%s)\n", service.c_str(), status["state"].get<std::string>().c_str(),
                    status["reason"].get<std::string>().c_str());
    }
    return kOk;
}

int run_reload(const DaemonClient& client, bool json) {
    auto response = client.post("/reload");
    if (response.status == 0) return report_failure(client, response);
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (json && !body.is_discarded()) {
        std::printf("%s\n", body.dump(2).c_str());
    } else if (response.status == 200) {
        auto list = [&](const char* key) {
            std::string text;
            for (const auto& name : body[key]) text += (text.empty() ? "" : ", ") + name.get<std::string>();
            return text.empty() ? std::string("none") : text;
        };
        std::printf("reloaded %s\n  added:     %s\n  removed:   %s\n  restarted: %s\n  unchanged: %zu\n",
                    body["file"].get<std::string>().c_str(), list("added").c_str(), list("removed").c_str(),
                    list("restarted").c_str(), body["unchanged"].size());
        if (body.contains("retried") && !body["retried"].empty()) {
            std::printf("  retried:   %s (had failed for a cause this reload fixed)\n", list("retried").c_str());
        }
        if (!body["needs_restart"].empty()) {
            std::printf("  changed, applied when ggufd restarts: %s\n", list("needs_restart").c_str());
        }
    } else if (response.status == 400 && !body.is_discarded()) {
        for (const auto& error : body["errors"]) std::fprintf(stderr, "error: %s\n", error.get<std::string>().c_str());
        std::fprintf(stderr, "the configuration was not changed\n");
    } else {
        return report_failure(client, response);
    }
    if (response.status == 400) return kUsage;
    return response.status == 200 ? kOk : kFailed;
}

int run_logs(const DaemonClient& client, const std::string& service, int tail, bool follow) {
    std::string path = "/services/" + service + "/logs?tail=" + std::to_string(tail);
    if (!follow) {
        auto response = client.get(path);
        if (response.status != 200) return report_failure(client, response);
        std::fputs(response.body.c_str(), stdout);
        return kOk;
    }
    // SSE: print the data of each event, one line each.
    std::string pending;
    auto response = client.stream(path + "&follow=1", [&pending](std::string_view data) {
        pending.append(data);
        size_t end;
        while ((end = pending.find("\n\n")) != std::string::npos) {
            std::string_view event(pending.data(), end);
            if (event.starts_with("data: ")) {
                std::fwrite(event.data() + 6, 1, event.size() - 6, stdout);
                std::fputc('\n', stdout);
                std::fflush(stdout);
            }
            pending.erase(0, end + 2);
        }
        return true;
    });
    if (response.status != 200) return report_failure(client, response);
    return kOk;
}

}  // namespace ggufd::cli
