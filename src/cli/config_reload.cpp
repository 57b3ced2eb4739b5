#include "config_reload.h"

#include <future>
#include <nlohmann/json.hpp>

#include "config_source.h"
#include "gpu_setup.h"
#include "ggufd/util/log.h"

namespace ggufd::cli {
namespace {

// Top-level settings the front door read at startup: a reload reports them, a restart applies them.
std::vector<std::string> needing_restart(const config::Config& running, const config::Config& next) {
    std::vector<std::string> keys;
    auto note = [&](bool changed, const char* key) {
        if (changed) keys.emplace_back(key);
    };
    note(running.listen != next.listen, "listen");
    note(running.admin_listen != next.admin_listen, "admin_listen");
    note(running.workers != next.workers, "workers");
    note(running.api_keys != next.api_keys, "api_keys");
    note(running.admin_api_keys != next.admin_api_keys, "admin_api_keys");
    note(running.max_body_bytes != next.max_body_bytes, "max_body_size");
    note(running.upstream_timeout != next.upstream_timeout, "upstream_timeout");
    note(running.agent_listen != next.agent_listen, "agent_listen");
    note(running.cors_origins != next.cors_origins, "cors_origins");
    return keys;
}

}  // namespace

ReloadOutcome reload_config(const std::string& config_path, const config::Config& running,
                            supervisor::Supervisor& supervisor, gpu::DeviceMonitor& monitor) {
    LoadedConfig loaded = load_config(config_path);
    if (!loaded.result.errors.empty()) {
        nlohmann::json errors = nlohmann::json::array();
        for (const auto& error : loaded.result.errors) {
            spdlog::error("reload: {}", error.to_string());
            errors.push_back(error.to_string());
        }
        spdlog::error("reload: {} error(s) in {}; nothing was changed", errors.size(), loaded.described_source);
        return {400, nlohmann::json{{"ok", false}, {"file", loaded.described_source}, {"errors", errors}}.dump(),
                "Serving; last reload FAILED: " + std::to_string(errors.size()) + " error(s) in " +
                    loaded.described_source + ", nothing changed (`ggufd check-config` lists them)",
                std::nullopt};
    }
    config::Config next = *loaded.result.config;
    for (const auto& warning : loaded.result.warnings) spdlog::warn("reload: {}", warning);
    auto restart_keys = needing_restart(running, next);
    auto budgets = make_memory_options(next, monitor).budgets;
    config::Config running_now = next;

    std::promise<supervisor::ReloadReport> applied;
    supervisor.reload(std::move(next), std::move(budgets),
                      [&applied](const supervisor::ReloadReport& report) { applied.set_value(report); });
    supervisor::ReloadReport report = applied.get_future().get();
    if (!report.error.empty()) {
        spdlog::warn("reload: not now: {}", report.error);
        return {503, nlohmann::json{{"ok", false}, {"error", report.error}}.dump(),
                "Serving; last reload not applied: " + report.error, std::nullopt};
    }
    auto list = [](const std::vector<std::string>& names) {
        std::string text;
        for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
        return text.empty() ? std::string("none") : text;
    };
    spdlog::info("reload from {}: added {}; removed {}; restarted {}; retried {}; {} unchanged",
                 loaded.described_source, list(report.added), list(report.removed), list(report.restarted),
                 list(report.retried), report.unchanged.size());
    if (!restart_keys.empty()) {
        spdlog::warn("reload: {} changed; these take effect when ggufd is restarted", list(restart_keys));
    }
    nlohmann::json body = {{"ok", true},
                           {"file", loaded.described_source},
                           {"added", report.added},
                           {"removed", report.removed},
                           {"restarted", report.restarted},
                           {"unchanged", report.unchanged},
                           {"retried", report.retried},
                           {"needs_restart", restart_keys}};
    std::string status = "Serving; last reload applied: " + std::to_string(report.added.size()) + " added, " +
                         std::to_string(report.removed.size()) + " removed, " + std::to_string(report.restarted.size()) +
                         " restarted, " + std::to_string(report.unchanged.size()) + " unchanged";
    if (!report.retried.empty()) status += ", " + std::to_string(report.retried.size()) + " failed one(s) retried";
    if (!restart_keys.empty()) status += "; " + list(restart_keys) + " wait for a restart";
    return {200, body.dump(), status, std::move(running_now)};
}

}  // namespace ggufd::cli
