// Reloading the configuration (docs/CONFIG.md, "Reloading"): applied at once, and nothing is
// pulled from under its requests. Unchanged services keep running; new ones start per their
// `load`; a removed service leaves the directory (new requests get 404) and a changed one gets
// a new runner (new requests go to it), while the old runner is retired: its child finishes the
// requests it has, bounded by the drain timeout, then stops, and the runner is collected.

#include "supervisor_core.h"
#include "ggufd/util/log.h"

namespace ggufd::supervisor {

void SupervisorCore::reload(config::Config next, std::vector<DeviceBudget> budgets, ReloadCallback done,
                            ReloadOptions options) {
    loop_.post([this, next = std::move(next), budgets = std::move(budgets), done = std::move(done),
                options]() mutable {
        ReloadReport report;
        if (shutting_down_) {
            report.error = "the daemon is shutting down";
            return done(report);
        }
        apply_reload(std::move(next), std::move(budgets), options, report);
        done(report);
    });
}

void SupervisorCore::apply_reload(config::Config next, std::vector<DeviceBudget> budgets, const ReloadOptions& options,
                                  ReloadReport& report) {
    std::map<std::string, const config::ServiceConfig*> wanted;
    for (const auto& service : next.services) wanted[service.name] = &service;
    for (const auto& [name, generation] : current_) {
        auto it = wanted.find(name);
        bool keep = it != wanted.end() && config::same_settings(runners_.at(generation)->config(), *it->second);
        (keep ? report.unchanged : it == wanted.end() ? report.removed : report.restarted).push_back(name);
    }
    for (const auto& service : next.services) {
        if (!current_.count(service.name)) report.added.push_back(service.name);
    }

    // What applies to the next start of any service takes effect now.
    config_ = std::move(next);
    context_.llama_server = config_.llama_server.string();
    ports_.reconfigure(config_.port_range_first, config_.port_range_last, reserved_ports(config_));
    budgets_.store(std::make_shared<const std::vector<DeviceBudget>>(std::move(budgets)));
    const auto drain = options.drain_timeout.value_or(config_.drain_timeout);

    // The new runners first, so that requests rerouted from the old ones find them.
    std::vector<ServiceRunner*> retiring;
    std::set<std::string> were_running;
    for (const auto* names : {&report.removed, &report.restarted}) {
        for (const auto& name : *names) {
            ServiceRunner* old = find(name);
            retiring.push_back(old);
            if (old->has_child() || old->phase() == Phase::admitting || old->phase() == Phase::backoff) {
                were_running.insert(name);
            }
            current_.erase(name);
        }
    }
    for (const auto& name : report.removed) ports_.release(name);
    for (const auto& service : config_.services) {
        if (!current_.count(service.name)) make_runner(service);
    }
    publish_directory();
    for (ServiceRunner* old : retiring) {
        bool removed = !current_.count(old->config().name);
        old->retire(removed ? "removed from the configuration" : "the configuration changed: replaced by its new definition",
                    drain);
    }

    for (const auto* names : {&report.added, &report.restarted}) {
        for (const auto& name : *names) {
            ServiceRunner* runner = find(name);
            if (!runner->check_startable()) continue;
            if (runner->config().load == config::LoadMode::eager || were_running.count(name)) runner->start(false);
        }
    }
    for (const auto& name : report.unchanged) {
        if (find(name)->retry_if_fixed()) report.retried.push_back(name);
    }
}

}  // namespace ggufd::supervisor
